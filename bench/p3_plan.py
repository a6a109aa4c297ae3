"""Helper for bench/p3_plan.sh (P3: today's replenishment plan for 100 k subscriptions).

    generate RUN_DIR         the book in the bench database: households, their rice jars, two
                             years of simulated fills (order + promised line + promise version
                             + closed commitment + delivery each), readings, visit feedback,
                             proposals, the orders still on their way; written with COPY
    measure RUN_DIR MODE     MODE ``committed``: one warm-up and P3_RUNS runs of ``todays_plan``
                             as committed, each in a fresh process (``once``); ``cursor``: the
                             same with the events read through the cursor (the path SQLite
                             takes, and PostgreSQL's before c493d85: the peer of the COPY
                             read); ``cli``: ``kept plan`` once, wall time and peak memory;
                             ``explain``: EXPLAIN (ANALYZE, BUFFERS) of the big reads
    once RUN_DIR MODE        one plan in this process, timed from outside; prints JSON
    idle SECONDS             share of the machine's CPU left idle over SECONDS
    report RUN_DIR           the summary block for BENCHMARKS.md

Runs with the KEPT_* environment of the bench database. P3_SUBSCRIPTIONS scales the book
(default 100,000); P3_SEED the simulation; P3_READING_CHANCE (0.02 a day) and
P3_FEEDBACK_CHANCE (0.3 a delivery) the levels seen, as in bench/p3_plan_core.py;
P3_PROPOSAL_SHARE (0.6) the fills that answered a proposal; P3_RUNS (5).
"""

from __future__ import annotations

import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from p2_service_level import _copy, _Progress, idle

SUBSCRIPTIONS = int(os.environ.get("P3_SUBSCRIPTIONS", "100000"))
SEED = int(os.environ.get("P3_SEED", "1"))
READING_CHANCE = float(os.environ.get("P3_READING_CHANCE", "0.02"))
FEEDBACK_CHANCE = float(os.environ.get("P3_FEEDBACK_CHANCE", "0.3"))
PROPOSAL_SHARE = float(os.environ.get("P3_PROPOSAL_SHARE", "0.6"))
RUNS = int(os.environ.get("P3_RUNS", "5"))
DAYS = 730  # simulated history; today is the day after its last day
AHEAD = 7  # simulated past today: the orders on their way, and what households did next
ON_THE_WAY = 2  # simulated fills on today and tomorrow: ordered already, not delivered yet
REGIONS, ROUTES = 4, 6
PRODUCTS = (  # sku, name, price, cost, share of the households
    ("RICE-JAP", "Japonica rice", "6.80", "5.60", 0.5),
    ("RICE-JAS", "Jasmine rice", "8.20", "6.90", 0.3),
    ("RICE-BRN", "Brown rice", "9.50", "7.80", 0.2),
)
ANSWERED_TODAY, POSTPONED = 0.005, 0.01  # shares of households, proposals of the plan day
BIG_TABLES = (
    "customers_customer",
    "replenishment_subscription",
    "replenishment_reading",
    "replenishment_proposal",
    "promising_order",
    "promising_orderline",
    "promising_promiseversion",
    "promising_commitment",
    "fulfilment_delivery",
)


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kept.settings")
    import django

    django.setup()


def _megabytes(maxrss_kb: int) -> float:
    return round(maxrss_kb / 1024, 1)  # ru_maxrss and VmRSS are in kB on Linux


def _rss_now() -> float:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return _megabytes(int(line.split()[1]))


def _peak() -> float:
    return _megabytes(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


# The book ------------------------------------------------------------------------------------


class _Days:
    """Dates and times as COPY text, by day number (0: the first simulated day; negative for
    the orders placed before it)."""

    BEFORE = 10

    def __init__(self, first: date) -> None:
        span = range(-self.BEFORE, DAYS + AHEAD + 10)
        self.dates = [(first + timedelta(days=n)).isoformat() for n in span]
        self.times = [f"{m // 60:02d}:{m % 60:02d}" for m in range(24 * 60)]

    def date(self, day: int) -> str:
        return self.dates[day + self.BEFORE]

    def at(self, day: int, minute: int) -> str:
        return f"{self.dates[day + self.BEFORE]} {self.times[minute]}"


def _simulate(rng: np.random.Generator) -> dict:
    """The households (``tests/simulation.py``) over DAYS + AHEAD days, so that the history
    is the first DAYS days and what follows says which orders are on their way and what each
    household did next."""
    from kept.replenishment.many import EventCode
    from kept.replenishment.tests.simulation import simulate_events

    found = simulate_events(
        SUBSCRIPTIONS,
        DAYS + AHEAD,
        SEED,
        reading_chance=READING_CHANCE,
        feedback_chance=FEEDBACK_CHANCE,
    )
    day = found.day.astype(np.int64)
    fill = found.kind == EventCode.FILL
    past, coming = day < DAYS, (day >= DAYS) & (day < DAYS + ON_THE_WAY)
    next_fill = np.full(SUBSCRIPTIONS, np.inf)  # by the household, after those on their way
    later = fill & (day >= DAYS + ON_THE_WAY)
    np.minimum.at(next_fill, found.subscription[later], day[later] - DAYS)
    on_the_way = np.zeros(SUBSCRIPTIONS, dtype=bool)
    on_the_way[found.subscription[fill & coming]] = True
    read = ~fill & past
    return {
        "people": found.people,
        "capacity": found.capacity,
        "true_rate": found.true_rate,
        "product": rng.choice(len(PRODUCTS), SUBSCRIPTIONS, p=[p[4] for p in PRODUCTS]),
        "region": rng.integers(0, REGIONS, SUBSCRIPTIONS),
        "route": rng.integers(1, ROUTES + 1, SUBSCRIPTIONS),
        # every fill, the delivered ones first (by day), then those on their way
        "fill_who": np.concatenate(
            [found.subscription[fill & past], found.subscription[fill & coming]]
        ),
        "fill_day": np.concatenate([day[fill & past], day[fill & coming]]),
        "fill_quantity": np.round(
            np.concatenate([found.amount[fill & past], found.amount[fill & coming]]), 3
        ),
        "delivered": int((fill & past).sum()),
        "read_who": found.subscription[read],
        "read_day": day[read],
        "read_level": np.round(found.amount[read], 1),
        "read_feedback": found.kind[read] == EventCode.FEEDBACK,
        "next_fill": next_fill,  # days after today of the next simulated fill, inf: none
        "on_the_way": on_the_way,
    }


def _reference() -> dict:
    """Few rows, through the ORM (so new model fields get their defaults)."""
    from django.contrib.auth import get_user_model

    from kept.catalog.models import Product
    from kept.customers.models import CustomerGroup, Region

    user = get_user_model().objects.create(username="p3-bench", password="!")  # noqa: S106
    group = CustomerGroup.objects.create(code="household", name="Household")
    regions = Region.objects.bulk_create(
        [Region(code=f"R{n}", name=f"Region {n}") for n in range(REGIONS)]
    )
    products = Product.objects.bulk_create(
        [
            Product(sku=sku, name=name, unit="kg", price=price, cost=cost, consumable=True)
            for sku, name, price, cost, _share in PRODUCTS
        ]
    )
    return {
        "user": user.pk,
        "group": group.pk,
        "regions": [r.pk for r in regions],
        "products": [p.pk for p in products],
        "prices": [(str(p.price), str(p.cost)) for p in products],
    }


def _customer_rows(days: _Days, ref: dict, book: dict):
    at = days.at(-days.BEFORE, 9 * 60)
    regions = np.array(ref["regions"])[book["region"]].tolist()
    columns = zip(
        book["region"].tolist(), book["route"].tolist(), regions, book["people"].tolist(),
        strict=True,
    )  # fmt: skip
    for n, (region, route, region_id, people) in enumerate(columns):
        yield (
            f"{n + 1}\tH{n + 1:06d}\tHousehold {n + 1:06d}\t\texternal\tend_consumer\t\t\tzh-hans"
            f"\t\tR{region}-{route}\t{people}\tpeople\t\t[]\t0\tf\t\tt\t{at}\t{at}\t{ref['user']}"
            f"\t{ref['group']}\t{region_id}"
        )


def _subscription_rows(days: _Days, ref: dict, book: dict):
    at = days.at(-days.BEFORE, 10 * 60)
    products = np.array(ref["products"])[book["product"]].tolist()
    columns = zip(book["capacity"].tolist(), book["people"].tolist(), products, strict=True)
    for n, (capacity, people, product) in enumerate(columns):
        yield (
            f"{n + 1}\t{capacity:.3f}\t{people}\tto_capacity\t\\N\t[]\tany\tt\t\t{at}"
            f"\t{n + 1}\t{product}"
        )


class _Fills:
    """One order, one promised line, its first promise version, its commitment (closed once
    delivered) and its delivery per simulated fill; the order went in 1–3 days before."""

    def __init__(self, rng: np.random.Generator, ref: dict, book: dict) -> None:
        self.ref, self.book = ref, book
        n = book["fill_day"].size
        self.ordered = np.maximum(book["fill_day"] - rng.integers(1, 4, n), -_Days.BEFORE)
        self.ordered[book["delivered"] :] = np.minimum(self.ordered[book["delivered"] :], DAYS - 1)
        self.order_minute = rng.integers(8 * 60, 20 * 60, n)
        self.delivery_minute = rng.integers(8 * 60, 18 * 60, n)
        self.product = book["product"][book["fill_who"]]

    def _columns(self, count: int | None = None):
        book, stop = self.book, count
        return zip(
            book["fill_who"][:stop].tolist(), book["fill_day"][:stop].tolist(),
            book["fill_quantity"][:stop].tolist(), self.ordered[:stop].tolist(),
            self.order_minute[:stop].tolist(), self.product[:stop].tolist(), strict=True,
        )  # fmt: skip

    def orders(self, days: _Days):
        user = self.ref["user"]
        for n, (who, _day, _q, ordered, minute, _p) in enumerate(self._columns()):
            at = days.at(ordered, minute)
            yield f"{n + 1}\tRF-{n + 1:08d}\tf\tcommit\t\t\\N\t\t{at}\t{user}\t{who + 1}"

    def lines(self, days: _Days):
        products, prices = self.ref["products"], self.ref["prices"]
        for n, (_who, day, q, ordered, minute, p) in enumerate(self._columns()):
            price, cost = prices[p]
            d = days.date(day)
            yield (
                f"{n + 1}\t1\t{q:.3f}\t{d}\tf\t{price}\t{cost}\tcommit\tpromised\t[]"
                f"\t{days.at(ordered, minute)}\t{n + 1}\t{products[p]}\t{d}\t{q:.3f}"
            )

    def versions(self, days: _Days):
        user = self.ref["user"]
        for n, (_who, day, q, ordered, minute, _p) in enumerate(self._columns()):
            d = days.date(day)
            parts = f'[{{"date": "{d}", "quantity": "{q:.3f}", "to_procure": false}}]'
            yield (
                f"{n + 1}\t1\tinitial\t{q:.3f}\t{d}\t{parts}\t\t{{}}\t{days.at(ordered, minute)}"
                f"\t{user}\t{n + 1}"
            )

    def commitments(self, days: _Days):
        products, delivered = self.ref["products"], self.book["delivered"]
        for n, (_who, day, q, _o, _m, p) in enumerate(self._columns()):
            is_open = "f" if n < delivered else "t"
            yield (
                f"{n + 1}\t{days.date(day)}\t{q:.3f}\tf\t{is_open}\t{products[p]}\t{n + 1}\t{n + 1}"
            )

    def deliveries(self, days: _Days):
        user, minutes = self.ref["user"], self.delivery_minute.tolist()
        for n, (_who, day, q, _o, _m, _p) in enumerate(self._columns(self.book["delivered"])):
            at = days.at(day, minutes[n])
            yield f"{n + 1}\t{q:.3f}\t{at}\t{days.date(day)}\tt\t\t\t{at}\t{user}\t{n + 1}"


def _reading_rows(days: _Days, ref: dict, book: dict):
    user = ref["user"]
    minutes = np.random.default_rng([SEED, 2]).integers(7 * 60, 21 * 60, book["read_day"].size)
    columns = zip(
        book["read_who"].tolist(), book["read_day"].tolist(), book["read_level"].tolist(),
        book["read_feedback"].tolist(), minutes.tolist(), strict=True,
    )  # fmt: skip
    for n, (who, day, level, feedback, minute) in enumerate(columns):
        source = "feedback" if feedback else "reading"
        yield (
            f"{n + 1}\t{days.date(day)}\t{level:.1f}\t{source}\t\t{days.at(day, minute)}"
            f"\t{user}\t{who + 1}"
        )


def _proposal_rows(rng: np.random.Generator, days: _Days, ref: dict, book: dict, fills: _Fills):
    """An accepted proposal behind PROPOSAL_SHARE of the delivered fills (its order); for the
    plan day, some households already answered ("still had") and some postponed to a later
    day: the plan leaves both out."""
    user = ref["user"]
    delivered = book["delivered"]
    accepted = np.flatnonzero(rng.random(delivered) < PROPOSAL_SHARE)
    n = 0
    for k in accepted.tolist():
        n += 1
        ordered, day = int(fills.ordered[k]), int(book["fill_day"][k])
        yield (
            f"{n}\t{days.date(ordered)}\t{days.date(day)}\t{book['fill_quantity'][k]:.3f}\t\\N"
            f"\taccepted\t\\N\t\\N\t{days.at(ordered, 9 * 60)}\t{user}\t{k + 1}"
            f"\t{book['fill_who'][k] + 1}"
        )
    on_the_way = set(book["fill_who"][delivered:].tolist())
    chosen = rng.permutation(SUBSCRIPTIONS)
    chosen = [int(s) for s in chosen if int(s) not in on_the_way]
    answered = chosen[: int(ANSWERED_TODAY * SUBSCRIPTIONS)]
    postponed = chosen[len(answered) : len(answered) + int(POSTPONED * SUBSCRIPTIONS)]
    for who in answered:
        n += 1
        half = book["capacity"][who] / 2
        yield (
            f"{n}\t{days.date(DAYS)}\t{days.date(DAYS + 1)}\t{half:.3f}\t\\N\tstill_had\t\\N"
            f"\t{half / 2:.3f}\t{days.at(DAYS, 8 * 60)}\t{user}\t\\N\t{who + 1}"
        )
    for who in postponed:
        n += 1
        until = DAYS + int(rng.integers(1, 5))
        yield (
            f"{n}\t{days.date(DAYS - 1)}\t{days.date(DAYS)}\t{book['capacity'][who] / 2:.3f}\t\\N"
            f"\tpostponed\t{days.date(until)}\t\\N\t{days.at(DAYS - 1, 9 * 60)}\t{user}\t\\N"
            f"\t{who + 1}"
        )


COLUMNS = {
    "customers_customer": (
        "id, code, name, alias, kind, customer_type, phone, email, language, address, route, "
        "size, size_unit, preferences, preferred_days, payment_terms_days, is_blocked, "
        "blocked_reason, is_active, created_at, updated_at, owner_id, group_id, region_id"
    ),
    "replenishment_subscription": (
        'id, capacity, people, fill_policy, fixed_quantity, preferred_days, "window", '
        "is_active, note, created_at, customer_id, product_id"
    ),
    "promising_order": (
        "id, number, ship_complete, decision, note, cancelled_at, cancelled_by, created_at, "
        "created_by_id, customer_id"
    ),
    "promising_orderline": (
        "id, number, requested_quantity, requested_date, accept_partial, unit_price, unit_cost, "
        "decision, status, reasons, decided_at, order_id, product_id, governing_date, "
        "governing_quantity"
    ),
    "promising_promiseversion": (
        "id, number, kind, quantity, date, parts, reason, figures, created_at, created_by_id, "
        "line_id"
    ),
    "promising_commitment": (
        "id, date, quantity, to_procure, is_open, product_id, line_id, version_id"
    ),
    "fulfilment_delivery": (
        "id, quantity, delivered_at, delivered_on, quality_ok, defect, note, created_at, "
        "created_by_id, line_id"
    ),
    "replenishment_reading": (
        "id, day, level, source, note, created_at, created_by_id, subscription_id"
    ),
    "replenishment_proposal": (
        "id, plan_date, delivery_date, quantity, expected_runout, outcome, postponed_until, "
        "still_had, decided_at, decided_by_id, order_id, subscription_id"
    ),
}


def _keys_and_indexes(cursor) -> tuple[list[str], list[str]]:
    """(drop statements, create statements) for the keys and indexes of the big tables and
    the foreign keys that point at them; check constraints stay."""
    cursor.execute(
        """
        SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid)
          FROM pg_constraint
         WHERE contype IN ('p', 'u', 'f')
           AND (conrelid::regclass::text = ANY(%(t)s) OR confrelid::regclass::text = ANY(%(t)s))
        """,
        {"t": list(BIG_TABLES)},
    )
    constraints = cursor.fetchall()
    keys = [c for c in constraints if c[2] != "f"]
    foreign = [c for c in constraints if c[2] == "f"]
    cursor.execute(
        """
        SELECT indexname, indexdef FROM pg_indexes i
         WHERE tablename = ANY(%(t)s)
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        """,
        {"t": list(BIG_TABLES)},
    )
    indexes = cursor.fetchall()
    drops = [f'ALTER TABLE {t} DROP CONSTRAINT "{name}"' for t, name, _k, _d in foreign + keys]
    drops += [f'DROP INDEX "{name}"' for name, _d in indexes]
    creates = [f'ALTER TABLE {t} ADD CONSTRAINT "{name}" {d}' for t, name, _k, d in keys]
    creates += [definition for _name, definition in indexes]
    creates += [f'ALTER TABLE {t} ADD CONSTRAINT "{name}" {d}' for t, name, _k, d in foreign]
    return drops, creates


def generate(run_dir: str) -> None:
    _django()
    from django.conf import settings
    from django.db import connection

    from kept.replenishment.queries import business_today

    started = time.perf_counter()
    rng = np.random.default_rng([SEED, 3])
    today = business_today()
    first = today - timedelta(days=DAYS)  # day DAYS, the day after the history, is today
    book = _simulate(rng)
    simulated = time.perf_counter()
    ref = _reference()
    days = _Days(first)
    fills = _Fills(rng, ref, book)
    connection.ensure_connection()
    raw = connection.connection  # psycopg, autocommit as Django leaves it
    with raw.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("SELECT set_config('TimeZone', %s, false)", [settings.TIME_ZONE])
        drops, creates = _keys_and_indexes(cursor)
        for statement in drops:
            cursor.execute(statement)
    rows = {
        "customers_customer": _customer_rows(days, ref, book),
        "replenishment_subscription": _subscription_rows(days, ref, book),
        "promising_order": fills.orders(days),
        "promising_orderline": fills.lines(days),
        "promising_promiseversion": fills.versions(days),
        "promising_commitment": fills.commitments(days),
        "fulfilment_delivery": fills.deliveries(days),
        "replenishment_reading": _reading_rows(days, ref, book),
        "replenishment_proposal": _proposal_rows(rng, days, ref, book, fills),
    }
    counts = {table: _copy(raw, table, COLUMNS[table], found) for table, found in rows.items()}
    copied = time.perf_counter()
    with raw.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'UTC'")
        for statement in creates:
            cursor.execute(statement)
        for table in BIG_TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"  # noqa: S608 (fixed names)
            )
    indexed = time.perf_counter()
    with raw.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT pg_database_size(current_database())")
        size = cursor.fetchone()[0]
    done = time.perf_counter()
    readings = book["read_feedback"]
    np.savez(
        Path(run_dir, "households.npz"),
        next_fill=book["next_fill"],
        on_the_way=book["on_the_way"],
        true_rate=book["true_rate"],
        capacity=book["capacity"],
        people=book["people"],
    )
    result = {
        "today": today.isoformat(),
        "first_day": first.isoformat(),
        "subscriptions": SUBSCRIPTIONS,
        "products": len(PRODUCTS),
        "regions": REGIONS,
        "routes": REGIONS * ROUTES,
        "reading_chance": READING_CHANCE,
        "feedback_chance": FEEDBACK_CHANCE,
        "proposal_share": PROPOSAL_SHARE,
        "rows": counts,
        "fills_delivered": book["delivered"],
        "orders_on_the_way": int(book["fill_day"].size - book["delivered"]),
        "readings": int((~readings).sum()),
        "feedback": int(readings.sum()),
        "database_mib": round(size / 2**20),
        "seconds": {
            "simulation": round(simulated - started, 1),
            "copy": round(copied - simulated, 1),
            "indexes_and_constraints": round(indexed - copied, 1),
            "vacuum_analyze": round(done - indexed, 1),
            "total": round(done - started, 1),
        },
    }
    Path(run_dir, "generate.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result))  # noqa: T201


# One plan, timed from outside ---------------------------------------------------------------


class _Probe:
    """Seconds spent in named functions of the plan (their module attributes replaced by
    timed wrappers: the code runs as committed), each SQL statement's execute (the server's
    work and the transfer; psycopg holds the whole result when execute returns), and the
    process's peak RSS after each step. A function the code no longer has is left out of the
    breakdown (``missing``), not an error: the end-to-end figures stand without it."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.peak_after: dict[str, float] = {}
        self.captured: dict[str, object] = {}
        self.missing: list[str] = []

    def wrap(self, module, name: str, label, keep: bool = False) -> None:
        """``label``: a name, or a function of the call's first argument giving one."""
        inner = getattr(module, name, None)
        if inner is None:
            self.missing.append(f"{module.__name__}.{name}")
            return

        def timed(*args, **kwargs):
            started = time.perf_counter()
            result = inner(*args, **kwargs)
            named = label(args[0]) if callable(label) else label
            self.add(named, time.perf_counter() - started)
            if keep:
                self.captured[named] = result
            return result

        setattr(module, name, timed)

    def add(self, label: str, seconds: float) -> None:
        self.seconds[label] = self.seconds.get(label, 0.0) + seconds
        self.calls[label] = self.calls.get(label, 0) + 1
        self.peak_after[label] = _peak()

    def sql(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.add(f"sql {_statement(sql)}", time.perf_counter() - started)


def _statement(sql: str) -> str:
    if "INNER JOIN" in sql and "replenishment_subscription" in sql:
        return "in_bulk"
    if "fulfilment_delivery" in sql:
        return "fills"
    if "replenishment_reading" in sql:
        return "readings"
    if "replenishment_proposal" in sql:
        return "proposals"
    if "promising_commitment" in sql:
        return "on order"
    if '"replenishment_subscription"."is_active"' in sql:
        return "subscriptions"
    return "other"


def _probe() -> _Probe:
    from kept.replenishment import forecast, many, queries, reading
    from kept.replenishment import plan as plan_core

    probe = _Probe()
    probe.wrap(queries, "load", "load", keep=True)
    probe.wrap(queries, "_subscriptions", "subscriptions")
    probe.wrap(reading, "events", "events")
    probe.wrap(reading, "_binary", lambda sql: f"copy {_statement(sql)}")
    probe.wrap(reading, "_one_per_line", "group fills")
    probe.wrap(queries, "_events", "cursor events")  # the cursor path: execute + fetchall
    probe.wrap(reading, "_cursor", "cursor rows")  # … and its rows into arrays
    probe.wrap(many, "read_many", "read_many")
    probe.wrap(queries, "_part", "part")
    probe.wrap(queries, "prior_of", "prior")
    probe.wrap(forecast, "posterior", "posterior")
    probe.wrap(plan_core, "plan", "plan", keep=True)
    probe.wrap(forecast, "level_today", "level_today")
    probe.wrap(forecast, "expected_runout_day", "runout")
    probe.wrap(queries, "_settled_today", "settled_today")
    probe.wrap(queries, "_on_order", "on_order")
    return probe


def _breakdown(steps: dict, total: float) -> dict:
    """Where ``todays_plan``'s time went, in parts that add up to it (seconds)."""

    def got(*labels: str) -> float:
        return sum(steps.get(label, 0.0) for label in labels)

    copy = got("copy fills", "group fills", "copy readings")
    cursor = got("cursor events", "cursor rows")
    parts = {
        "subscriptions (ORM values_list: SQL + rows)": got("subscriptions"),
        "COPY fills (binary, straight into numpy)": got("copy fills"),
        "fills grouped by order line (numpy)": got("group fills"),
        "COPY readings (binary, straight into numpy)": got("copy readings"),
        "SQL fills, grouped by line in SQL (execute: server + transfer)": got("sql fills"),
        "SQL readings (execute)": got("sql readings"),
        "rows to Python objects (fetchall)": got("cursor events")
        - got("sql fills", "sql readings"),
        "Python rows to event arrays": got("cursor rows"),
        "event arrays: concatenate, positions, clip": got("events") - copy - cursor,
        "subscription arrays (in load)": got("load")
        - got("subscriptions", "events", "read_many", "part", "prior", "posterior"),
        "many.read_many": got("read_many"),
        "fit: prior + posterior per product": got("part", "prior", "posterior"),
        "plan.plan": got("plan"),
        "level today + expected run-out": got("level_today", "runout"),
        "SQL answered/postponed + on order": got("settled_today", "on_order"),
        "due subscriptions (ORM in_bulk) + proposals": total
        - got("load", "plan", "level_today", "runout", "settled_today", "on_order"),
    }
    return {name: round(value, 3) for name, value in parts.items() if value}


def _through_the_cursor() -> None:
    """MODE ``cursor``: the events read through the cursor on PostgreSQL too — what SQLite
    does, and what PostgreSQL did before c493d85 (fills grouped by line in SQL, a Python
    tuple per row, then arrays): the peer of the COPY read, measured in the same run."""
    from kept.replenishment import queries, reading

    def through_the_cursor(today, only, params):
        fills, readings = queries._events(today, only, params)
        return reading._cursor(fills, readings)

    reading._postgresql = through_the_cursor


def _cpu_by_process() -> dict[int, tuple[str, int]]:
    """Every process's command line and CPU ticks so far (user + system)."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry.name}/cmdline", "rb") as cmdline:
                command = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # ended meanwhile
            continue
        found[int(entry.name)] = (command, int(fields[11]) + int(fields[12]))
    return found


def _machine_ticks() -> tuple[int, int]:
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    return fields[3] + fields[4], sum(fields)  # idle (with iowait), all


def _cpu_during(before: dict, after: dict, backend: int, machine: tuple, wall: float) -> dict:
    """CPU seconds over the run: this process, its PostgreSQL backend, the other processes
    (a shared machine: they slow the plan down), and the machine's busy share. Parallel
    workers, gone by the end, count in none of the three; processes that started and ended
    within the run are missed."""
    tick = os.sysconf("SC_CLK_TCK")
    spent = {"plan process": 0, "its PostgreSQL backend": 0, "other processes": 0}
    for pid, (command, ticks) in after.items():
        used = ticks - before.get(pid, (command, 0))[1]
        if pid == os.getpid():
            spent["plan process"] += used
        elif pid == backend:
            spent["its PostgreSQL backend"] += used
        elif f"parallel worker for PID {backend}" not in command:
            spent["other processes"] += used
    idle, total = _machine_ticks()
    busy = 1 - (idle - machine[0]) / max(1, total - machine[1])
    return {
        **{name: round(used / tick, 2) for name, used in spent.items()},
        "machine busy share": round(busy, 2),
        "wall": round(wall, 2),
    }


def once(run_dir: str, mode: str) -> None:
    """One ``todays_plan`` in this (fresh) process, timed from outside, with its breakdown,
    memory and sanity. MODE ``cursor`` reads the events through the cursor."""
    _django()
    from django.db import connection

    from kept.replenishment import queries

    book = _book(run_dir)
    day = date.fromisoformat(book["today"])
    probe = _probe()
    if mode == "cursor":
        _through_the_cursor()
    connection.ensure_connection()
    gc.collect()
    backend = connection.connection.info.backend_pid
    rss_before, peak_before = _rss_now(), _peak()
    cpu_before, machine_before = _cpu_by_process(), _machine_ticks()
    started = time.perf_counter()
    with connection.execute_wrapper(probe.sql):
        proposals = queries.todays_plan(day)
    seconds = time.perf_counter() - started
    cpu = _cpu_during(cpu_before, _cpu_by_process(), backend, machine_before, seconds)
    peak = _peak()
    result = {
        "mode": mode,
        "code": _code(),
        "seconds": round(seconds, 3),
        "rss_before_mb": rss_before,
        "peak_before_mb": peak_before,
        "peak_rss_mb": peak,
        "rss_after_mb": _rss_now(),
        "cpu": cpu,
        "breakdown": _breakdown(probe.seconds, seconds),
        "steps": {label: round(spent, 3) for label, spent in probe.seconds.items()},
        "calls": probe.calls,
        "not in the breakdown (missing)": probe.missing,
        "peak_after_step_mb": probe.peak_after,
        **_sanity(run_dir, probe, proposals),
    }
    print(json.dumps(result))  # noqa: T201


def _sanity(run_dir: str, probe: _Probe, proposals: list) -> dict:
    """The plan's size and whether it makes sense against the simulated households."""
    import hashlib

    loaded, found = probe.captured["load"], probe.captured["plan"]
    known = np.isfinite(loaded.last_day)
    with np.load(Path(run_dir, "households.npz")) as stored:
        truth = {name: stored[name] for name in stored.files}
    index = loaded.ids - 1  # the bench's subscription n is household n − 1
    error = loaded.belief.mean / truth["true_rate"][index] - 1
    proposed = np.array([p.subscription.pk - 1 for p in proposals], dtype=np.int64)
    next_fill = truth["next_fill"]
    horizon = 4  # a fill the household ordered itself, delivered within 4 days of today
    soon = (next_fill <= horizon) & ~truth["on_the_way"]
    digest = hashlib.sha256(
        "\n".join(f"{p.subscription.pk} {p.quantity:.3f} {p.risk_date}" for p in proposals).encode()
    ).hexdigest()[:16]
    return {
        "subscriptions": int(loaded.ids.size),
        "with_a_known_level": int(known.sum()),
        "due": int(found.due.sum()),
        "proposals": len(proposals),
        "proposals_digest": digest,
        "proposal_quantity_median": (
            round(float(np.median([p.quantity for p in proposals])), 1) if proposals else None
        ),
        "rate_error_median_abs": round(float(np.median(np.abs(error))), 3),
        "proposed_filled_within_4_days": (
            round(float(np.mean(next_fill[proposed] <= horizon)), 3) if proposed.size else None
        ),
        "proposed_filled_within_7_days": (
            round(float(np.mean(np.isfinite(next_fill[proposed]))), 3) if proposed.size else None
        ),
        "on_the_way": int(truth["on_the_way"].sum()),
        "filled_within_4_days": int(soon.sum()),
        "filled_within_4_days_and_proposed": int(np.isin(np.flatnonzero(soon), proposed).sum()),
    }


# Measuring ----------------------------------------------------------------------------------


def _book(run_dir: str) -> dict:
    return json.loads(Path(run_dir, "generate.json").read_text())


def _code() -> str:
    """The code measured: HEAD and a digest of the Python files under src/ as they are (other
    people commit while a run goes on; each run is a fresh process that reads the tree)."""
    import hashlib

    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted((root / "src").rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    head = subprocess.run(  # noqa: S603 (fixed arguments)
        ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],  # noqa: S607
        capture_output=True,
        text=True,
    ).stdout.strip()
    return f"{head} src:{digest.hexdigest()[:12]}"


def _idle_share(seconds: float) -> float:
    idle0, total0 = _machine_ticks()
    time.sleep(seconds)
    idle1, total1 = _machine_ticks()
    return (idle1 - idle0) / max(1, total1 - total0)


def _wait_quiet() -> float:
    """Wait (up to P3_RUN_IDLE_WAIT seconds) for the machine to be P3_IDLE_MIN idle over 3 s
    before a run: other people's jobs on the same 2 cores skew the figures."""
    deadline = time.monotonic() + float(os.environ.get("P3_RUN_IDLE_WAIT", "300"))
    wanted = float(os.environ.get("P3_IDLE_MIN", "0.9"))
    while (share := _idle_share(3)) < wanted and time.monotonic() < deadline:
        time.sleep(5)
    return round(share, 2)


def _child(run_dir: str, mode: str) -> dict:
    idle_before = _wait_quiet()
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 (this file, fixed arguments)
        [sys.executable, __file__, "once", run_dir, mode],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise RuntimeError(f"the {mode} run failed ({done.returncode})")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_wall_seconds"] = round(time.perf_counter() - started, 2)
    result["idle_before"] = idle_before
    return result


def measure(run_dir: str, mode: str) -> None:
    """One warm-up and RUNS runs of MODE, each in a fresh process; or ``cli``, ``explain``."""
    progress = _Progress(Path(run_dir, f"measure_{mode}.json"))
    if mode == "cli":
        progress.step("cli", lambda: _cli(run_dir))
    elif mode == "explain":
        progress.step("explain", lambda: _explain(run_dir))
    else:
        for _attempt in range(4):
            warm_up = progress.step("warm_up", lambda: _child(run_dir, mode))
            runs = [
                progress.step(f"run_{n}", lambda: _child(run_dir, mode)) for n in range(1, RUNS + 1)
            ]
            if len({run["code"].split(" src:")[1] for run in [warm_up, *runs]}) == 1:
                break
            sys.stderr.write("the code changed during the runs: measuring again\n")
            progress.data.clear()
        progress.step("summary", lambda: _summary(runs))
    print(json.dumps(progress.data))  # noqa: T201


def _summary(runs: list[dict]) -> dict:
    seconds = [run["seconds"] for run in runs]
    steps = {
        label: round(statistics.median(run["breakdown"][label] for run in runs), 3)
        for label in runs[0]["breakdown"]
    }
    return {
        "runs": seconds,
        "min": min(seconds),
        "median": round(statistics.median(seconds), 3),
        "peak_rss_mb": max(run["peak_rss_mb"] for run in runs),
        "peak_rss_mb_median": round(statistics.median(run["peak_rss_mb"] for run in runs), 1),
        "rss_before_mb_median": round(statistics.median(run["rss_before_mb"] for run in runs), 1),
        "steps_median": steps,
        "same_plan_every_run": len({run["proposals_digest"] for run in runs}) == 1,
        "code": runs[0]["code"],
        "cpu_median": {
            name: round(statistics.median(run["cpu"][name] for run in runs), 2)
            for name in runs[0]["cpu"]
        },
        "idle_before": [run["idle_before"] for run in runs],
    }


def _cli(run_dir: str) -> dict:
    """``kept plan --date TODAY --format csv`` once, as the nightly job would run it: wall
    time, the process's peak RSS (``wait4``), the rows written."""
    today = _book(run_dir)["today"]
    kept = Path(sys.executable).with_name("kept")
    out = Path(run_dir, "plan.csv")
    started = time.perf_counter()
    with out.open("w") as stdout:
        child = subprocess.Popen(  # noqa: S603 (fixed arguments)
            [str(kept), "plan", "--date", today, "--format", "csv"], stdout=stdout
        )
        _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"kept plan failed ({status})")
    with out.open() as written:
        rows = sum(1 for _line in written) - 1
    return {"seconds": round(wall, 2), "peak_rss_mb": _megabytes(usage.ru_maxrss), "rows": rows}


def _explain(run_dir: str) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of the plan's big reads: the SELECTs the COPY runs, and the
    cursor path's fills query (grouped by line in SQL)."""
    _django()
    from django.db import connection

    from kept.replenishment import queries, reading
    from kept.replenishment.choices import ReadingSource

    today = date.fromisoformat(_book(run_dir)["today"])
    params = {"today": today, "feedback": str(ReadingSource.FEEDBACK)}
    found = {}
    reads = (
        ("fills (COPY)", getattr(reading, "_DELIVERIES", None)),
        ("readings (COPY)", getattr(reading, "_READINGS", None)),
        ("fills grouped in SQL (cursor)", getattr(queries, "_FILLS", None)),
    )
    for name, sql in reads:
        if sql is None:
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql.format(only=""), params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        file = "explain_" + "_".join(name.replace("(", "").replace(")", "").split()) + ".txt"
        Path(run_dir, file).write_text(f"{sql}\n\n-- {params}\n\n{plan}\n")
        found[name] = plan.splitlines()[-1].strip()
    return found


# Report -------------------------------------------------------------------------------------


def _cpu(summary: dict) -> str:
    spent = ", ".join(f"{name} {value}" for name, value in summary["cpu_median"].items())
    return f"{spent}; machine idle before each run {summary['idle_before']}"


def _memory(run: dict) -> str:
    peaks = run["peak_after_step_mb"]
    steps = (
        ("before", run["rss_before_mb"]),
        ("after the subscriptions", peaks.get("subscriptions")),
        ("after the fills' COPY", peaks.get("copy fills")),
        ("after the readings' COPY", peaks.get("copy readings")),
        ("after the fills' SQL", peaks.get("sql fills")),
        ("after the readings' SQL", peaks.get("sql readings")),
        ("after fetchall", peaks.get("cursor events")),
        ("after the event arrays", peaks.get("events")),
        ("after read_many", peaks.get("read_many")),
        ("at the end", run["peak_rss_mb"]),
    )
    return ", ".join(f"{name} {value:,} MB" for name, value in steps if value is not None)


def _mode_line(title: str, found: dict, runs: dict) -> list[str]:
    first = runs["run_1"]
    return [
        f"{title}, each run a fresh process, 1 warm-up + {len(found['runs'])}: median "
        f"{found['median']} s, min {found['min']} s (runs {found['runs']}); peak RSS "
        f"{found['peak_rss_mb']:,} MB (median {found['peak_rss_mb_median']:,}; "
        f"{found['rss_before_mb_median']:,} MB before the plan)",
        "  breakdown (median of the runs, s): "
        + "; ".join(f"{label} {value}" for label, value in found["steps_median"].items()),
        f"  memory (run 1, peak RSS after each step): {_memory(first)}",
        f"  CPU during the runs (median, s): {_cpu(found)}",
    ]


def report(run_dir: str) -> None:
    """The figures of a run, as lines for BENCHMARKS.md."""
    folder = Path(run_dir)
    meta = json.loads((folder / "meta.json").read_text())
    book = _book(run_dir)
    committed = json.loads((folder / "measure_committed.json").read_text())
    summary, first = committed["summary"], committed["run_1"]
    rows, took = book["rows"], book["seconds"]
    verdict = "met" if summary["median"] < 10 and summary["peak_rss_mb"] < 1024 else "NOT MET"
    lines = [
        f"P3 run {meta['date']} (commit {meta['commit']} at the start, runs on "
        f"{summary['code']}; {meta['host']}; PostgreSQL "
        f"{meta['pg_version']}, {meta['pg_settings']}); command: {meta['command']}",
        f"book: {book['subscriptions']:,} households with one rice jar each ({book['products']} "
        f"products, {book['regions']} regions, {book['routes']} routes), "
        f"{book['fills_delivered']:,} fills delivered over {DAYS} days ({book['first_day']} to "
        f"{book['today']}), each an order, a promised line, a promise version, a commitment and a "
        f"delivery; {book['orders_on_the_way']:,} orders on their way (open commitments); "
        f"{book['readings']:,} readings, {book['feedback']:,} visit feedbacks; "
        f"{rows['replenishment_proposal']:,} proposals; {book['database_mib']:,} MiB",
        f"generated in {took['total']} s (simulation {took['simulation']} s, COPY "
        f"{took['copy']} s, keys and indexes {took['indexes_and_constraints']} s, VACUUM ANALYZE "
        f"{took['vacuum_analyze']} s)",
        *_mode_line(f"todays_plan({book['today']}) as committed", summary, committed),
        f"  target < 10 s and < 1 GB: {verdict}",
        f"plan: {first['subscriptions']:,} subscriptions, {first['with_a_known_level']:,} with a "
        f"known level, {first['due']:,} due ({first['due'] / first['subscriptions']:.1%}), "
        f"{first['proposals']:,} proposed ({first['proposals'] / first['subscriptions']:.1%}; "
        f"the rest answered today, postponed or on order), median quantity "
        f"{first['proposal_quantity_median']} kg; same plan every run: "
        f"{summary['same_plan_every_run']}",
        f"sanity against the simulation: median |rate error| {first['rate_error_median_abs']:.1%}; "
        f"of the proposed households, {first['proposed_filled_within_4_days']:.1%} had a fill "
        f"they ordered themselves delivered within 4 days, "
        f"{first['proposed_filled_within_7_days']:.1%} within 7; of the "
        f"{first['filled_within_4_days']:,} households not on order that did, "
        f"{first['filled_within_4_days_and_proposed']:,} were proposed",
    ]
    cli = folder / "measure_cli.json"
    if cli.exists():
        found = json.loads(cli.read_text())["cli"]
        lines.append(
            f"`kept plan --date {book['today']} --format csv` once: {found['seconds']} s wall "
            f"(Django start-up and CSV included), peak RSS {found['peak_rss_mb']:,} MB, "
            f"{found['rows']:,} rows"
        )
    explain = folder / "measure_explain.json"
    if explain.exists():
        found = json.loads(explain.read_text())["explain"]
        lines.append(
            "EXPLAIN ANALYZE: " + "; ".join(f"{name} {value}" for name, value in found.items())
        )
    cursor = folder / "measure_cursor.json"
    if cursor.exists():
        peer = json.loads(cursor.read_text())
        found = peer["summary"]
        same = peer["run_1"]["proposals_digest"] == first["proposals_digest"]
        if found["code"] != summary["code"]:
            same = f"not comparable (ran on {found['code']})"
        lines += _mode_line(
            "the same with the events read through the cursor (SQLite's path; PostgreSQL's "
            "before c493d85)",
            found,
            peer,
        )
        lines.append(
            f"  same plan as committed: {same}; the committed read is "
            f"{found['median'] / summary['median']:.2f}× faster end to end (medians) and peaks "
            f"at {summary['peak_rss_mb'] / found['peak_rss_mb']:.0%} of the memory"
        )
    print("\n".join(lines))  # noqa: T201


if __name__ == "__main__":
    if sys.argv[1] in ("measure", "once"):
        {"measure": measure, "once": once}[sys.argv[1]](sys.argv[2], sys.argv[3])
    else:
        {"generate": generate, "idle": idle, "report": report}[sys.argv[1]](sys.argv[2])
