"""The same nightly plan through the Redis/RQ backend, against the Redis at KEPT_REDIS_URL
(default redis://127.0.0.1:6379/0): skipped when none answers, required under CI."""

import os
import signal
import uuid

import pytest

from kept.replenishment import tasks
from kept.replenishment.models import PlanRun

REDIS_URL = os.environ.get("KEPT_REDIS_URL", "redis://127.0.0.1:6379/0")


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI needs it.")
    pytest.skip(reason)


@pytest.fixture
def redis_connection():
    try:
        import django_tasks_rq  # noqa: F401
        from redis import Redis
        from redis.exceptions import RedisError
    except ImportError:
        _unavailable("the rq extra is not installed (pip install -e '.[rq]')")
    connection = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        connection.ping()
    except RedisError:
        _unavailable(f"no Redis answers at {REDIS_URL}")
    return connection


@pytest.fixture
def rq_queue(redis_connection, settings, monkeypatch):
    """The default tasks backend switched to RQ on a queue of this test run's own, and the
    task sent there; every key the run leaves in Redis is removed afterwards."""
    name = f"kept-test-{uuid.uuid4().hex[:12]}"
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}, name: {"URL": REDIS_URL}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [name]}}
    monkeypatch.setattr(tasks, "nightly_plan", tasks.nightly_plan.using(queue_name=name))
    saved = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    yield name
    for number, handler in saved.items():
        signal.signal(number, handler)
    job_ids = PlanRun.objects.exclude(task_id="").values_list("task_id", flat=True)
    keys = [key for job in job_ids for key in (f"rq:job:{job}", f"rq:results:{job}")]
    keys += list(redis_connection.scan_iter(match=f"*{name}*"))
    if keys:
        redis_connection.delete(*keys)
    redis_connection.srem("rq:queues", f"rq:queue:{name}")


@pytest.mark.django_db
def test_the_nightly_plan_runs_on_an_rq_worker(
    rq_queue, redis_connection, django_capture_on_commit_callbacks, fill, jar, today
):
    import django_rq
    from django_tasks_rq import Job
    from rq import SimpleWorker

    for n in range(8, 0, -1):
        fill(jar, n * 10, 10)
    # given the run queued through the same code as on the database backend
    with django_capture_on_commit_callbacks(execute=True):
        run = tasks.enqueue_nightly_plan(today)
    queue = django_rq.get_queue(rq_queue, job_class=Job)
    assert queue.job_ids == [PlanRun.objects.get().task_id]
    # when a burst worker (in this process, so on this test's database) runs the queue
    worker = SimpleWorker(
        [queue], connection=queue.connection, job_class=Job, name=f"{rq_queue}-worker"
    )
    assert worker.work(burst=True)
    # then the run is done with its count, and RQ holds the task's result
    run.refresh_from_db()
    assert (run.status, run.progress, run.proposals) == ("done", 100, 1)
    result = tasks.nightly_plan.get_result(run.task_id)
    assert result.status == "SUCCESSFUL" and result.return_value["proposals"] == 1
    assert queue.is_empty()
