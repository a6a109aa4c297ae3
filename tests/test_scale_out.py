# ruff: noqa: F811 (the imported fixture is used as a fixture here)
"""Scale-out smoke test: the production shape of SPEC 6 (docs/scale-out.md).

Two independent web processes (two gunicorn masters on two ports, 1 worker × 4 threads each)
and two ``kept worker`` processes on the Redis/RQ backend, all on one PostgreSQL database of
the test's own, with a Redis database of its own (KEPT_SCALE_REDIS_DB, default 12; emptied).

- Promises go through both web processes at once (clients alternate between them): every
  acknowledged order is in the database exactly as answered, nothing is half-written, and
  ATP ≥ 0 everywhere, as both servers and the rows tell it.
- While they run, the nightly jobs are queued through the command line (``kept plan
  --enqueue``, ``kept sla --enqueue`` twice, ``kept clv refit --enqueue``, ``kept funnel check
  --enqueue`` twice): each job runs once, on one of the two workers, and succeeds; the plan and
  the refit record their runs with the right counts; the SLA watch and the funnel check, queued
  twice and so possibly run at the same moment on both workers, tell each thing once.
- The rate limits are counted in Redis, once for both web processes.

PostgreSQL and Redis only: skipped on the SQLite pass; under CI a missing PostgreSQL or
Redis fails the test.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest

from crash_support import (
    CUSTOMERS,
    SPARE,
    SUPPLY,
    ClientThreads,
    Server,
    call,
    connect,
    free_port,
    own_database,
    postgres_url,
    server_environment,
)
from kept.value.tests.test_retention_pages import history  # noqa: F401 (a fixture)
from server_support import Worker, kept, migrate_and_seed, own_redis, redis_url, scale_environment
from test_crash_recovery import (
    Outcome,
    _check_acknowledged,
    _check_atp,
    _check_every_order_whole,
    _read_orders,
)

pytestmark = pytest.mark.postgres

CLIENTS = 6
ORDERS_PER_CLIENT = 15
JOB_SECONDS = 60  # every job finished within this, however slow the machine
QUEUED_AS = re.compile(r"queued as (\S+);")


class Load(ClientThreads):
    """CLIENTS threads posting ORDERS_PER_CLIENT orders each, alternating between servers."""

    join_seconds = 120

    def __init__(self, servers: list[Server], world: dict, seed: int):
        self.servers, self.world, self.seed = servers, world, seed
        self.outcomes: list[tuple[int, Outcome]] = []  # (server index, outcome)
        self._lock = threading.Lock()
        self._spawn(CLIENTS)

    def _client(self, number: int) -> None:
        rng = random.Random(self.seed * 100 + number)
        today = date.fromisoformat(self.world["today"])
        skus = [sku for sku, *_rest in SUPPLY]
        for sent in range(ORDERS_PER_CLIENT):
            index = (number + sent) % len(self.servers)
            payload = {
                "customer": f"R2C{rng.randrange(CUSTOMERS):02}",
                "note": f"scale-{number}-{sent}",
                "lines": [
                    {
                        "sku": rng.choice(skus),
                        # one line in five more than the product will ever have
                        "quantity": str(
                            rng.randint(1000, 2000) if rng.random() < 0.2 else rng.randint(1, 9)
                        ),
                        "requested_date": str(today + timedelta(days=rng.randint(0, 12))),
                        "accept_partial": rng.random() < 0.5,
                    }
                    for _line in range(rng.randint(1, 3))
                ],
            }
            outcome = Outcome(payload)
            with self._lock:
                self.outcomes.append((index, outcome))
            try:
                outcome.status, outcome.body = call(
                    self.servers[index].url,
                    self.world["token"],
                    "POST",
                    "/api/v1/orders",
                    payload,
                )
            except Exception as error:  # noqa: BLE001 - judged by the test
                outcome.error = repr(error)


def test_two_web_processes_and_two_workers_share_one_database(tmp_path):
    server_url = postgres_url()
    if server_url is None:
        pytest.skip(
            "needs PostgreSQL (KEPT_DATABASE_URL=postgres://…) and Redis: the scale-out test "
            "runs two gunicorn servers and two rq workers on a database of its own"
        )
    from rq import Worker as RQWorker

    seed = random.randrange(1_000_000)
    redis = redis_url()
    started, took = time.monotonic(), {}
    with own_redis(redis) as connection, own_database(server_url, "kept_scale") as database_url:
        env = scale_environment(server_environment(database_url, tmp_path / "data"), redis)
        world = migrate_and_seed(env)
        took["seeded"] = time.monotonic() - started
        workers = [Worker(env, tmp_path / f"worker-{n}.log") for n in (1, 2)]
        ports = [free_port()]
        while len(ports) < 2:
            port = free_port()
            ports += [port] if port not in ports else []
        servers = [
            Server(env, port, tmp_path / f"gunicorn-{n}.log", workers=1)
            for n, port in enumerate(ports, 1)
        ]
        try:
            for worker in workers:
                worker.start()
            with ThreadPoolExecutor(len(servers)) as pool:  # both boot at once
                list(pool.map(Server.start, servers))
            for worker in workers:
                worker.wait_registered(connection)
            for server in servers:
                status, answer = call(
                    server.url, world["token"], "GET", f"/api/v1/availability/{SPARE[0]}"
                )
                assert status == 200, answer

            took["started"] = time.monotonic() - started
            load = Load(servers, world, seed)
            load.start()
            jobs = _enqueue_nightly_jobs(env, database_url)  # while the promises come in
            load.join()
            took["queued"] = time.monotonic() - started
            ran = _wait_for_jobs(connection, jobs, workers)
            took["ran"] = time.monotonic() - started
            context = _context(seed, ran, servers, workers)

            _check_promises(load, servers, world, database_url, context)
            _check_jobs(ran, workers, context)
            _check_plan(env, ran, database_url, world, context)
            _check_refit(ran, database_url, world, context)
            _check_sla_watch(ran, database_url, world, context)
            _check_funnel_check(ran, database_url, world, context)
            assert all(worker.alive() for worker in workers), context
            registered = {worker.name for worker in RQWorker.all(connection=connection)}
            assert {worker.name for worker in workers} <= registered, f"{registered} {context}"
            _check_shared_rate_limit(servers, context)
            print(  # noqa: T201
                f"scale-out seed {seed}: {len(load.outcomes)} orders over two servers; jobs "
                + ", ".join(f"{job['kind']} on {job['worker']}" for job in ran.values())
                + "; seconds "
                + ", ".join(f"{step} {at:.1f}" for step, at in took.items())
            )
        finally:
            for process in [*servers, *workers]:
                process.stop()


def _enqueue_nightly_jobs(env: dict[str, str], database_url: str) -> dict[str, str]:
    """{job id: kind} of the nightly jobs, queued through the command line: the SLA watch and
    the funnel check twice each (possibly at the same moment on both workers), the plan and
    the refit once (a second request while one waits returns the waiting run: not a job)."""
    commands = {
        "sla-1": ["sla", "--enqueue"],
        "sla-2": ["sla", "--enqueue"],
        "funnel-1": ["funnel", "check", "--enqueue"],
        "funnel-2": ["funnel", "check", "--enqueue"],
        "plan": ["plan", "--enqueue"],
        "refit": ["clv", "refit", "--enqueue"],
    }
    with ThreadPoolExecutor(len(commands)) as pool:  # as cron would: at the same minute
        said_by = dict(
            zip(commands, pool.map(lambda args: kept(env, *args), commands.values()), strict=True)
        )
    jobs = {}
    for kind, said in said_by.items():
        if kind.startswith(("sla", "funnel")):
            found = QUEUED_AS.search(said)
            assert found, said
            jobs[found.group(1)] = kind
    with connect(database_url) as conn:
        (plan_task,) = conn.execute("SELECT task_id FROM replenishment_planrun").fetchone()
        (refit_task,) = conn.execute("SELECT task_id FROM value_valuerun").fetchone()
    assert plan_task and refit_task, "the runs were recorded without their jobs"
    jobs[plan_task], jobs[refit_task] = "plan", "refit"
    return jobs


def _wait_for_jobs(connection, jobs: dict[str, str], workers: list[Worker]) -> dict[str, dict]:
    """{job id: what RQ knows of it} once every job finished or failed."""
    from rq.job import Job, JobStatus

    done = {JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED}
    deadline = time.monotonic() + JOB_SECONDS
    while True:
        fetched = {job_id: Job.fetch(job_id, connection=connection) for job_id in jobs}
        if all(job.get_status() in done for job in fetched.values()):
            break
        if time.monotonic() > deadline:
            states = {jobs[i]: JobStatus(job.get_status()).value for i, job in fetched.items()}
            tails = "\n".join(worker.log_tail() for worker in workers)
            raise AssertionError(f"jobs not done in {JOB_SECONDS} s: {states}\n{tails}")
        time.sleep(0.2)  # polling interval: the jobs' states decide
    ran = {}
    for job_id, job in fetched.items():
        results = job.results()
        finished = job.get_status() == JobStatus.FINISHED
        ran[job_id] = {
            "kind": jobs[job_id],
            "status": JobStatus(job.get_status()).value,
            "worker": job.worker_name,
            "results": len(results),
            "value": job.return_value() if finished else None,
            "error": "" if finished else (results[0].exc_string if results else "no result"),
        }
    return ran


def _context(seed: int, ran: dict, servers: list[Server], workers: list[Worker]) -> str:
    who = {job["kind"]: f"{job['worker']} {job['status']} {job['error']}" for job in ran.values()}
    logs = "\n".join(process.log_tail(15) for process in [*servers, *workers])
    return f"(seed {seed}; workers {[w.name for w in workers]}; jobs {who}; logs:\n{logs})"


def _check_promises(load: Load, servers, world, database_url, context) -> None:
    """Every request answered 201 by either server; the orders as answered and whole; no
    product oversold, as both servers and the rows tell it."""
    failed = [(index, o) for index, o in load.outcomes if o.error or o.status != 201]
    assert not failed, f"requests failed: {failed[:3]} {context}"
    outcomes = [outcome for _index, outcome in load.outcomes]
    acknowledged = [o for o in outcomes if o.acknowledged]
    assert len(acknowledged) == len(outcomes), context
    per_server = Counter(index for index, o in load.outcomes if o.acknowledged)
    assert sorted(per_server) == [0, 1], f"both servers took orders: {per_server} {context}"
    decisions = Counter(o.body["decision"] for o in acknowledged)
    assert decisions["commit"] and decisions["counter"] + decisions["decline"], decisions
    rows = {
        note: row for note, row in _read_orders(database_url).items() if note.startswith("scale-")
    }
    _check_acknowledged(acknowledged, rows, context)
    _check_every_order_whole(outcomes, rows, context)
    for server in servers:
        _check_atp(server, world, database_url, context)


def _check_jobs(ran: dict, workers: list[Worker], context: str) -> None:
    """Each job succeeded once, on one of the two workers, which are both still registered."""
    assert sorted(job["kind"] for job in ran.values()) == sorted(
        ["plan", "refit", "sla-1", "sla-2", "funnel-1", "funnel-2"]
    ), context
    for job in ran.values():
        assert job["status"] == "finished" and job["results"] == 1, f"{job} {context}"
        assert job["worker"] in {worker.name for worker in workers}, f"{job} {context}"


def _check_plan(env, ran, database_url, world, context) -> None:
    """One plan run, done, with as many refills as the plan computed here proposes (the jar)."""
    (value,) = [job["value"] for job in ran.values() if job["kind"] == "plan"]
    with connect(database_url) as conn:
        runs = conn.execute(
            "SELECT id, status, progress, proposals, plan_date FROM replenishment_planrun"
        ).fetchall()
    assert len(runs) == 1, f"{runs} {context}"
    run_id, status, progress, proposals, plan_date = runs[0]
    assert (status, progress) == ("done", 100), f"{runs} {context}"
    here = json.loads(kept(env, "plan", "--date", plan_date.isoformat(), "--format", "json"))
    assert proposals == len(here["proposals"]) == value["proposals"] >= 1, context
    assert value["run"] == run_id and world["jar_sku"] in {p["sku"] for p in here["proposals"]}


def _check_refit(ran, database_url, world, context) -> None:
    """One refit, done, that valued every customer who bought."""
    (value,) = [job["value"] for job in ran.values() if job["kind"] == "refit"]
    with connect(database_url) as conn:
        runs = conn.execute("SELECT id, status, customers, error FROM value_valuerun").fetchall()
        (valued,) = conn.execute("SELECT count(*) FROM value_customervalue").fetchone()
    assert len(runs) == 1, f"{runs} {context}"
    run_id, status, customers, error = runs[0]
    assert status == "done", f"{error} {context}"
    assert customers == valued == value["customers"] == world["purchasers"], context
    assert value["run"] == run_id


def _check_sla_watch(ran, database_url, world, context) -> None:
    """Queued twice: the month-old ticket's two breaches were told once each, to its
    assignee; the new ticket was left alone."""
    values = [job["value"] for job in ran.values() if job["kind"].startswith("sla")]
    assert [value["tickets"] for value in values] == [2, 2], f"{values} {context}"
    assert sum(value["warnings"] for value in values) == 2, f"{values} {context}"
    with connect(database_url) as conn:
        states = dict(
            conn.execute(
                "SELECT id, (first_response_state, first_response_warned, resolution_state, "
                "resolution_warned) FROM servicedesk_ticket"
            ).fetchall()
        )
        told = conn.execute(
            "SELECT user_id, kind, params FROM core_notification WHERE kind LIKE 'sla.%'"
        ).fetchall()
    late, new = states[world["breached_ticket"]], states[world["fresh_ticket"]]
    assert late == ("breached",) * 4, f"{late} {context}"
    assert new[1] == new[3] == "", f"{new} {context}"
    assert sorted(
        (user, kind, params["ticket"], params["target"]) for user, kind, params in told
    ) == [
        (world["manager"], "sla.breached", world["breached_number"], "first_response"),
        (world["manager"], "sla.breached", world["breached_number"], "resolution"),
    ], f"{told} {context}"


def _check_funnel_check(ran, database_url, world, context) -> None:
    """Queued twice: the purchase stage's conversion and the inquiries' volume were each
    alerted once, and the manager told once of each."""
    values = [job["value"] for job in ran.values() if job["kind"].startswith("funnel")]
    assert [value["below_target"] for value in values] == [2, 2], f"{values} {context}"
    assert sum(value["alerts"] for value in values) == 2, f"{values} {context}"
    with connect(database_url) as conn:
        alerts = conn.execute(
            "SELECT s.name, a.is_volume FROM pipeline_funnelalert a "
            "JOIN pipeline_stage s ON s.id = a.stage_id"
        ).fetchall()
        told = conn.execute(
            "SELECT user_id, kind FROM core_notification WHERE kind LIKE 'funnel.%'"
        ).fetchall()
    assert sorted(alerts) == [("Inquiry", True), ("Purchase", False)], f"{alerts} {context}"
    assert sorted(told) == [
        (world["manager"], "funnel.below_target"),
        (world["manager"], "funnel.low_volume"),
    ], f"{told} {context}"


def _check_shared_rate_limit(servers: list[Server], context: str) -> None:
    """Unknown API tokens are counted in Redis, once for both servers: 30 failures spread
    over the two (15 each) use up the address's limit on both. Counted in each process, each
    server would have seen only 15. Last: it refuses this address for ten minutes."""
    limit, window = 30, 600  # KEPT_API_TOKEN_FAILURE_LIMIT
    if time.time() % window > window - 10:  # the count is per fixed window: not across one
        time.sleep(window - time.time() % window + 0.5)
    bad = "kept_" + "x" * 40
    answers = [
        call(servers[n % 2].url, bad, "GET", "/api/v1/availability/R2-RICE")[0]
        for n in range(limit)
    ]
    assert answers == [401] * limit, f"{Counter(answers)} {context}"
    after = [call(server.url, bad, "GET", "/api/v1/availability/R2-RICE")[0] for server in servers]
    assert after == [429, 429], f"the limit is not shared: {after} {context}"


@pytest.mark.django_db(transaction=True)
def test_two_refits_at_once_on_two_workers_both_succeed(history, monkeypatch):
    """Two workers may run two refits at once (queued at the same instant, or a stalled run
    and a new one). The second used to delete only the rows it saw, then fail inserting its
    own over the first's (IntegrityError); the refit now writes one at a time.

    Made certain: the first refit holds its write open until the second is waiting on a lock
    (PostgreSQL's view of its sessions), then commits."""
    from django.db import connection, connections
    from django.utils import timezone

    from kept.value import refit
    from kept.value.models import CustomerValue, ValueRun

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite runs one write transaction at a time anyway")
    as_of = timezone.localdate() - timedelta(days=1)
    history(30, until=as_of)
    first_wrote, errors, runs = threading.Event(), [], {}
    bulk_create = CustomerValue.objects.bulk_create

    def first_holds_its_write(rows, **options):
        created = bulk_create(rows, **options)
        if threading.current_thread().name == "first":
            first_wrote.set()
            deadline = time.monotonic() + 20
            while not _waiting_on_a_lock() and time.monotonic() < deadline:
                time.sleep(0.02)  # polling interval: PostgreSQL says when the second waits
        return created

    def run(name: str) -> None:
        try:
            if name == "second":
                assert first_wrote.wait(timeout=30)
            run = ValueRun.objects.create(as_of=as_of)
            runs[name] = run.pk
            refit.refit(as_of, run)
        except Exception as error:  # noqa: BLE001 - judged below
            errors.append(f"{name}: {error!r}")
        finally:
            connections.close_all()

    monkeypatch.setattr(CustomerValue.objects, "bulk_create", first_holds_its_write)
    threads = [threading.Thread(target=run, args=(n,), name=n) for n in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    # the second wrote last, over the first: every customer once, from the second run
    assert CustomerValue.objects.count() == 30
    assert set(CustomerValue.objects.values_list("run", flat=True)) == {runs["second"]}


def _waiting_on_a_lock() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0
