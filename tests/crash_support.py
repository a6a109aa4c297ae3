"""Helpers for the R2 crash test: a database of its own, a seeded business, and a gunicorn
server in its own process group that can be killed whole with SIGKILL.

Run as a script (``python tests/crash_support.py seed``) with the server's environment, it
seeds the business and prints what the test needs as JSON.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request  # noqa: S310 - requests go to the loopback server only
from datetime import timedelta
from pathlib import Path

import pytest

# (sku, on hand, receipt quantity, receipt in days, replenishment lead days): scarce enough
# that large lines get counter-offers or are declined while small ones commit for seconds.
SUPPLY = [
    ("R2-RICE", 500, 300, 4, None),
    ("R2-FLOUR", 300, 400, 6, 7),
    ("R2-OIL", 400, 0, 0, 5),
    ("R2-SALT", 200, 200, 3, None),
]
SPARE = ("R2-SPARE", 100)  # never ordered under load: the restarted server's first promise
CUSTOMERS = 24
READY_SECONDS = 30


class ClientThreads:
    """``count`` daemon threads, each running ``self._client(number)``; ``join`` fails the test
    on a client still running after ``join_seconds``."""

    join_seconds = 60

    def _spawn(self, count: int) -> None:
        self._threads = [
            threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(count)
        ]

    def _client(self, number: int) -> None:
        raise NotImplementedError

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def join(self) -> None:
        for thread in self._threads:
            thread.join(timeout=self.join_seconds)
        assert not any(thread.is_alive() for thread in self._threads), "a client hung"


def stock_products(supply, today) -> list:
    """Products at 10/8 a bag from ``supply`` rows (sku, on hand, receipt quantity, receipt in
    days, replenishment lead days): opening stock, and the receipt when there is one."""
    from decimal import Decimal

    from kept.catalog import actions as catalog

    products = []
    for sku, on_hand, receipt, receipt_day, lead in supply:
        product = catalog.create_product(
            {"sku": sku, "name": sku, "unit": "bag", "price": Decimal("10"),
             "cost": Decimal("8"), "replenishment_lead_days": lead}
        )  # fmt: skip
        catalog.record_movement(product, Decimal(on_hand), "opening")
        if receipt:
            catalog.schedule_receipt(product, Decimal(receipt), today + timedelta(days=receipt_day))
        products.append(product)
    return products


def unavailable(reason: str):
    """Skip outside CI; under CI the PostgreSQL pass must really run this test."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI needs it.")
    pytest.skip(reason)


def postgres_url() -> str | None:
    """KEPT_DATABASE_URL when it names a PostgreSQL server, else None (the SQLite pass)."""
    url = os.environ.get("KEPT_DATABASE_URL", "")
    scheme = urllib.parse.urlsplit(url).scheme
    return url if scheme in {"postgres", "postgresql", "pgsql"} else None


def _with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def _psycopg_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(scheme="postgresql"))


def connect(url: str, **options):
    import psycopg

    return psycopg.connect(_psycopg_url(url), connect_timeout=5, **options)


@contextlib.contextmanager
def own_database(server_url: str, prefix: str = "kept_r2"):
    """A new database ``<prefix>_<random>`` on the server of ``server_url``, dropped at the end
    (forcibly: a server that was killed may leave backends behind for a moment). Not the
    pytest test database, so xdist workers never share it."""
    import psycopg

    name = f"{prefix}_{secrets.token_hex(6)}"
    admin_url = _with_database(server_url, "postgres")
    try:
        admin = connect(admin_url, autocommit=True)
    except psycopg.OperationalError as error:
        unavailable(f"no PostgreSQL answers at {admin_url}: {error}".strip())
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        yield _with_database(server_url, name)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def server_environment(database_url: str, data_dir: Path) -> dict[str, str]:
    """Production settings (debug off) on the given database, nothing inherited from KEPT_*."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("KEPT_")}
    (data_dir / "static").mkdir(parents=True, exist_ok=True)
    env.update(
        KEPT_DATABASE_URL=database_url,
        KEPT_DEBUG="0",
        KEPT_SECRET_KEY=secrets.token_urlsafe(50),
        KEPT_ALLOWED_HOSTS="127.0.0.1",
        KEPT_SECURE_SSL_REDIRECT="0",
        KEPT_DATA_DIR=str(data_dir),
        KEPT_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="kept.settings",
    )
    return env


def migrate_and_seed(env: dict[str, str]) -> dict:
    kept = [sys.executable, "-m", "kept"]
    subprocess.run([*kept, "migrate", "--quiet"], env=env, check=True, timeout=120)  # noqa: S603
    done = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "seed"],
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn (``workers`` processes, 4 threads each) in a process group of its own."""

    def __init__(self, env: dict[str, str], port: int, log: Path, workers: int = 2):
        self.env, self.port, self.log, self.workers = env, port, log, workers
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "kept.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603
                command, env=self.env, stdout=log, stderr=log, start_new_session=True
            )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited early:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.1)  # polling interval, not synchronisation: the answer decides
        raise AssertionError(f"gunicorn not ready in {READY_SECONDS} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL the master and every worker at once (the whole process group), and wait
        until none of them runs any more."""
        group = self.process.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        self.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _group_alive(group):
            if time.monotonic() > deadline:
                raise AssertionError(f"processes of group {group} survived SIGKILL")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        group = self.process.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _group_alive(group: int) -> bool:
    """Whether any live (not zombie) process is still in the process group."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == group and fields[0] != "Z":
            return True
    return False


def call(base: str, token: str, method: str, path: str, payload=None, timeout: float = 30):
    """(status, JSON body) of one API request; connection errors are raised."""
    request = urllib.request.Request(  # noqa: S310
        base + path,
        data=None if payload is None else json.dumps(payload).encode(),
        method=method,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept-Language": "en",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def seed() -> None:
    """Products with stock and scheduled receipts, customers, a staff user's API token."""
    import django

    django.setup()

    from kept.core.actions import create_token, create_user
    from kept.customers.models import Customer
    from kept.promising.queries import business_today

    today = business_today()
    stock_products([*SUPPLY, (*SPARE, 0, 0, None)], today)
    Customer.objects.bulk_create(
        Customer(code=f"R2C{i:02}", name=f"客户{i}") for i in range(CUSTOMERS)
    )
    user = create_user("r2-loader", secrets.token_urlsafe(16), "staff")
    _token, raw = create_token(user, name="R2 crash test")
    print(json.dumps({"today": today.isoformat(), "token": raw}))


if __name__ == "__main__":
    if sys.argv[1:] == ["seed"]:
        seed()
    else:
        sys.exit(__doc__)
