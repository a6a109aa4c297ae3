"""The nightly plan as a background job: queued after the commit, run by ``kept worker`` on the
database backend, its progress on the rounds page while it runs, failures recorded."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kept.cli import main
from kept.replenishment import queries, tasks
from kept.replenishment.models import PlanRun


@pytest.fixture
def due(fill, jar):
    for n in range(8, 0, -1):
        fill(jar, n * 10, 10)
    return jar


def _worker_once(capsys) -> int:
    with pytest.raises(SystemExit) as done:
        main(["worker", "--once"])
    capsys.readouterr()
    return done.value.code


def _fragment(client, day) -> str:
    url = reverse("replenishment:plan_run") + f"?date={day.isoformat()}"
    return client.get(url).content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_nightly_plan_and_the_page_follows_it(
    capsys, kept_signals, monkeypatch, client_as, staff, due, today
):
    # given a run queued from the command line (it commits at once: the task is queued)
    client = client_as(staff)
    run = tasks.enqueue_nightly_plan(today)
    queued = DBTaskResult.objects.get()
    assert PlanRun.objects.get().task_id == str(queued.id)
    assert "every 2s" in _fragment(client, today) and "Waiting for a worker" in _fragment(
        client, today
    )
    seen = []
    plan = queries.todays_plan

    def planning(day, **kwargs):  # what the page shows while the worker is planning
        seen.append(_fragment(client, day))
        return plan(day, **kwargs)

    monkeypatch.setattr(queries, "todays_plan", planning)
    # when the worker runs what is queued
    assert _worker_once(capsys) == 0
    # then the page showed the progress while it ran, and the run is done with its count
    assert "60%" in seen[0] and "every 2s" in seen[0] and "Choosing the containers" in seen[0]
    run.refresh_from_db()
    assert (run.status, run.progress, run.proposals) == ("done", 100, 1)
    assert run.started_at <= run.finished_at and run.task_id == str(queued.id)
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL" and queued.return_value["proposals"] == 1
    body = _fragment(client, today)
    assert "100%" in body and "every 2s" not in body and "1 container to refill" in body


@pytest.mark.django_db(transaction=True)
def test_a_failed_plan_is_recorded_with_its_error(
    capsys, kept_signals, monkeypatch, client_as, staff, due, today
):
    def broken(day, **kwargs):
        raise RuntimeError("the histories could not be read")

    monkeypatch.setattr(queries, "load", broken)
    run = tasks.enqueue_nightly_plan(today)
    assert _worker_once(capsys) == 0
    run.refresh_from_db()
    assert run.status == "failed" and run.finished_at is not None
    assert run.error == "RuntimeError: the histories could not be read"
    assert DBTaskResult.objects.get().status == "FAILED"
    body = _fragment(client_as(staff), today)
    assert "The plan failed: RuntimeError: the histories could not be read" in body
    assert "every 2s" not in body and "Run the plan now" in body


@pytest.mark.django_db
def test_the_task_is_queued_only_when_the_transaction_commits(
    django_capture_on_commit_callbacks, today
):
    with django_capture_on_commit_callbacks() as callbacks:
        run = tasks.enqueue_nightly_plan(today)
        again = tasks.enqueue_nightly_plan(today)
    assert again == run and len(callbacks) == 1
    assert not DBTaskResult.objects.exists()
    callbacks[0]()
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs["args"] == [today.isoformat(), run.pk]
    run.refresh_from_db()
    assert run.status == "queued" and run.task_id == str(queued.id)


@pytest.mark.django_db
def test_run_the_plan_now_from_the_rounds(
    client_as, staff, viewer, django_capture_on_commit_callbacks, today
):
    page = client_as(viewer).get(reverse("replenishment:rounds")).content.decode()
    assert 'id="plan-run"' in page and "Run the plan now" not in page
    client = client_as(staff)
    assert "Run the plan now" in client.get(reverse("replenishment:rounds")).content.decode()
    url = reverse("replenishment:run_plan")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"date": today.isoformat()}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'hx-trigger="every 2s"' in body and "Queued" in body and "0%" in body
    assert "Run the plan now" not in body  # one run at a time
    run = PlanRun.objects.get()
    assert run.requested_by == staff and run.task_id
    redirect = client.post(url, {"date": today.isoformat()})
    assert redirect.status_code == 302 and PlanRun.objects.count() == 1


@pytest.mark.django_db
def test_a_stalled_run_stops_polling_and_can_be_run_again(client_as, manager, today):
    old = timezone.now() - PlanRun.STALLED_AFTER - timedelta(minutes=1)
    stalled = PlanRun.objects.create(plan_date=today, status="running", progress=10, created_at=old)
    body = _fragment(client_as(manager), today)
    assert "every 2s" not in body and "kept worker" in body and "Run the plan now" in body
    assert tasks.enqueue_nightly_plan(today) != stalled


@pytest.mark.django_db
def test_kept_plan_enqueue_queues_the_night_run(capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(SystemExit) as done:
        main(["plan", "--enqueue", "--date", "2026-03-01"])
    run = PlanRun.objects.get()
    assert done.value.code == 0 and str(run.plan_date) == "2026-03-01"
    assert f"Plan run {run.pk} for 2026-03-01 is queued" in capsys.readouterr().out
    assert DBTaskResult.objects.get().args_kwargs["args"] == ["2026-03-01", run.pk]
