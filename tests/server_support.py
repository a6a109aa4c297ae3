"""Helpers for the scale-out smoke test: a Redis database of the test's own, ``kept worker``
processes on the rq backend in process groups of their own, the ``kept`` command line, and
a business with something for every nightly job to do.

The database, the gunicorn servers and the promise business come from ``crash_support``.
Run as a script (``python tests/server_support.py seed``) with the servers' environment, it
seeds the crash test's business and the jobs' data, and prints what the test needs as JSON.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from crash_support import _group_alive, unavailable

REDIS_LOCK = "kept-scale-test:lock"  # one scale test at a time on a Redis database
LOCK_WAIT_SECONDS = 90
READY_SECONDS = 30
HISTORY_CUSTOMERS = 30  # bought every two weeks or so for a year: enough for the CLV models
LEADS = {"Inquiry": 6, "Visit": 15, "Purchase": 9}  # 30 leads 20 days ago: 37.5 % bought


def redis_url() -> str:
    """The Redis of KEPT_REDIS_URL (default 127.0.0.1:6379) with the database number of
    KEPT_SCALE_REDIS_DB (default 12): the test empties that database, so it must be one that
    nothing else uses."""
    base = os.environ.get("KEPT_REDIS_URL") or "redis://127.0.0.1:6379/0"
    number = int(os.environ.get("KEPT_SCALE_REDIS_DB", "12"))
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(base)._replace(path=f"/{number}"))


@contextlib.contextmanager
def own_redis(url: str):
    """A connection to the Redis database of ``url``, held by this test alone (a lock key;
    another run waits for it) and emptied before and after. The queue names cannot be made
    unique (every task is sent to the queue "default"), so the database is the isolation."""
    try:
        import django_tasks_rq  # noqa: F401
        from redis import Redis
        from redis.exceptions import RedisError
    except ImportError:
        unavailable("the rq extra is not installed (pip install -e '.[rq]')")
    connection = Redis.from_url(url, socket_connect_timeout=2)
    try:
        connection.ping()
    except RedisError as error:
        unavailable(f"no Redis answers at {url}: {error}")
    me = secrets.token_hex(8)
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while not connection.set(REDIS_LOCK, me, nx=True, ex=300):
        if time.monotonic() > deadline:
            raise AssertionError(
                f"another scale-out test has held {url} for {LOCK_WAIT_SECONDS} s; "
                "give this one another database with KEPT_SCALE_REDIS_DB"
            )
        time.sleep(0.5)  # waiting for the other run to finish
    try:
        for key in connection.scan_iter():
            if key != REDIS_LOCK.encode():
                connection.delete(key)
        yield connection
    finally:
        connection.flushdb()  # the lock goes with everything else
        connection.close()


def scale_environment(env: dict[str, str], redis: str) -> dict[str, str]:
    """The servers' environment on the rq backend, with the rate limits counted in Redis."""
    return {
        **env,
        "KEPT_TASKS_BACKEND": "rq",
        "KEPT_REDIS_URL": redis,
        "KEPT_RATE_LIMIT_STORE": "redis",
    }


def kept(env: dict[str, str], *args: str, timeout: float = 60) -> str:
    """Run ``kept ARGS`` in the servers' environment; its standard output."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "kept", *args],
        env=env,
        timeout=timeout,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, f"kept {' '.join(args)}: {done.returncode}\n{done.stderr}"
    return done.stdout


class Worker:
    """``kept worker`` (an RQ worker on the rq backend) in a process group of its own."""

    def __init__(self, env: dict[str, str], log: Path):
        self.env, self.log = env, log
        self.process: subprocess.Popen | None = None
        self.name = ""  # the name it registered under in Redis

    def start(self) -> Worker:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "kept", "worker"],
                env=self.env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        return self

    def wait_registered(self, connection) -> None:
        """Until the worker is in Redis's list of workers, under its own process id."""
        from rq import Worker as RQWorker

        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"kept worker exited early:\n{self.log_tail()}")
            for registered in RQWorker.all(connection=connection):
                if registered.pid == self.process.pid:
                    self.name = registered.name
                    return
            time.sleep(0.1)  # polling interval: the registration decides
        raise AssertionError(f"kept worker not registered in {READY_SECONDS} s:\n{self.log_tail()}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        """SIGTERM (RQ's warm shutdown), then SIGKILL for whatever remains of the group."""
        if self.process is None:
            return
        group = self.process.pid
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _group_alive(group) and time.monotonic() < deadline:
            time.sleep(0.05)

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def migrate_and_seed(env: dict[str, str]) -> dict:
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "kept", "migrate", "--quiet"], env=env, check=True, timeout=180
    )
    done = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "seed"],
        env=env,
        timeout=180,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def seed() -> None:
    """The crash test's business (products, customers, a staff token), then the jobs' data."""
    import crash_support

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        crash_support.seed()  # sets Django up
    world = json.loads(printed.getvalue().strip().splitlines()[-1])
    from django.db import transaction

    with transaction.atomic():  # one commit: hundreds of rows, each its own commit, took seconds
        world.update(_seed_jobs())
    print(json.dumps(world))  # noqa: T201


def _seed_jobs() -> dict:
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from kept.catalog import actions as catalog
    from kept.core.actions import create_user
    from kept.customers.models import Customer
    from kept.pipeline import actions as pipeline
    from kept.pipeline.models import Stage
    from kept.replenishment.actions import save_subscription
    from kept.servicedesk import actions as desk

    today = timezone.localdate()
    manager = create_user("scale-boss", secrets.token_urlsafe(16), "manager")
    staff = create_user("scale-clerk", secrets.token_urlsafe(16), "staff")

    # the refit: customers who bought for a year up to yesterday
    pan = _product(catalog, "HIST-PAN", on_hand=0, unit="pc")
    purchasers = set()
    for i in range(HISTORY_CUSTOMERS):
        customer = Customer.objects.create(code=f"HC{i:03}", name=f"历史客户{i}")
        first = today - timedelta(days=361 - i * 3)
        step = 14 + i % 4
        days = [first] if i % 5 == 0 else _every(first, today - timedelta(days=1 + i), step)
        for n, day in enumerate(days):
            _delivered(f"history-{i}-{n}", customer, pan, Decimal(1), Decimal(10 + i), day)
        purchasers.add(customer.pk)

    # the nightly plan: a rice jar filled every ten days, due again
    household = Customer.objects.create(code="JAR01", name="米缸家庭")
    rice = _product(catalog, "JAR-RICE", on_hand=500, unit="kg")
    save_subscription(household, {"product": rice, "capacity": 15, "people": 3})
    for days_ago in range(80, 0, -10):
        day = today - timedelta(days=days_ago)
        _delivered(f"fill-{days_ago}", household, rice, Decimal(10), Decimal(10), day)
    purchasers.add(household.pk)

    # the SLA watch: one ticket a month old (both targets breached), one just opened
    now = timezone.now()
    breached = desk.open_ticket(household, subject="scale: late", assignee=manager,
                                now=now - timedelta(days=30))  # fmt: skip
    fresh = desk.open_ticket(household, subject="scale: new", assignee=manager, now=now)

    # the funnel check: a funnel in use since long ago; 30 leads three weeks ago
    stages = {stage.name: stage for stage in Stage.objects.order_by("position")}
    won = next(stage for stage in stages.values() if stage.is_won)
    _lead(pipeline, stages["Inquiry"], won, staff, 0, now - timedelta(days=300))
    number = 0
    for name, count in LEADS.items():
        for _ in range(count):
            number += 1
            _lead(pipeline, stages[name], won, staff, number, now - timedelta(days=20))

    return {
        "manager": manager.pk,
        "purchasers": len(purchasers),
        "breached_ticket": breached.pk,
        "breached_number": breached.number,
        "fresh_ticket": fresh.pk,
        "jar_sku": rice.sku,
    }


def _product(catalog, sku: str, *, on_hand: int, unit: str):
    from decimal import Decimal

    product = catalog.create_product(
        {"sku": sku, "name": sku, "unit": unit, "price": Decimal(10), "cost": Decimal(6)}
    )
    if on_hand:
        catalog.record_movement(product, Decimal(on_hand), "opening")
    return product


def _every(first, last, step: int) -> list:
    from datetime import timedelta

    return [first + timedelta(days=d) for d in range(0, (last - first).days + 1, step)]


def _delivered(note: str, customer, product, quantity, price, day) -> None:
    from kept.fulfilment.tests.history import delivered_line

    delivered_line(customer, product, day, quantity, price=price, cost=6, number=f"H-{note}",
                   note=note, hour=10)  # fmt: skip


def _lead(pipeline, stage, won, actor, number: int, at) -> None:
    data = {"name": f"Scale lead {number}", "phone": f"139000{number:05d}", "channel": "referral"}
    lead = pipeline.create_lead(data, actor=actor, now=at)
    if stage.position >= won.position:
        pipeline.win_lead(lead, actor=actor, now=at)
        lead.refresh_from_db()
    if stage.position > lead.stage.position:
        pipeline.move_to_stage(lead, stage, actor=actor, now=at)


if __name__ == "__main__":
    if sys.argv[1:] == ["seed"]:
        seed()
    else:
        sys.exit(__doc__)
