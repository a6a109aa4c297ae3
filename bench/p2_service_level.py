"""Helper for bench/p2_service_level.sh (P2: the service-level report over 1 M orders).

    generate RUN_DIR     a book of ~1 M orders / ~3 M lines over two years, promise versions
                         and ~3.2 M deliveries, written with COPY; indexes and constraints
                         rebuilt afterwards
    score RUN_DIR        score the whole book once (``kept.fulfilment.scores.rebuild``)
    measure RUN_DIR      time ``kept.fulfilment.metrics.service_level`` (the full report and
                         others) and the upkeep of the scores; EXPLAIN (ANALYZE, BUFFERS)
    idle SECONDS         share of the machine's CPU left idle over SECONDS
    report RUN_DIR       the summary block for BENCHMARKS.md

Runs with the KEPT_* environment of the bench database. P2_ORDERS scales the book (default
1,000,000); P2_SEED the random source (default 1).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

ORDERS = int(os.environ.get("P2_ORDERS", "1000000"))
SEED = int(os.environ.get("P2_SEED", "1"))
CUSTOMERS, PRODUCTS, OWNERS, REGIONS = 10_000, 50, 20, 10
DAYS = 730
GROUPS = (  # code, share of customers, orders per customer relative to a household
    ("household", 0.80, 1.0),
    ("restaurant", 0.15, 6.0),
    ("institution", 0.04, 5.0),
    ("internal", 0.01, 3.0),
)
LATE_REGION = 0  # its deliveries slip far more often: the story the report should find
SHORT_PRODUCTS, DAMAGED_PRODUCT = (3, 7), 1
CHUNK = 200_000
RUNS = 5


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kept.settings")
    import django

    django.setup()


def _today() -> date:
    from kept.promising.queries import business_today

    return business_today()


# Reference data: few rows, through the ORM (so new model fields get their defaults) -------


def _reference(rng: np.random.Generator) -> dict:
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from kept.catalog.models import Product
    from kept.customers.models import Customer, CustomerGroup, Region
    from kept.fulfilment.models import ServiceTolerance

    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"owner{n:02d}", password="!") for n in range(OWNERS)]  # noqa: S106
    )
    groups = CustomerGroup.objects.bulk_create(
        [CustomerGroup(code=code, name=code.title()) for code, _share, _rate in GROUPS]
    )
    regions = Region.objects.bulk_create(
        [Region(code=f"R{n:02d}", name=f"Region {n:02d}") for n in range(REGIONS)]
    )
    ServiceTolerance.objects.bulk_create(
        [
            ServiceTolerance(group=None),
            ServiceTolerance(group=groups[0], early_days=1, late_days=1),
            ServiceTolerance(group=groups[2], early_days=2, short_percent=Decimal(2)),
        ]
    )
    group_of = rng.choice(len(GROUPS), CUSTOMERS, p=[share for _c, share, _r in GROUPS])
    region_of = rng.integers(0, REGIONS, CUSTOMERS)
    owner_of = rng.integers(0, OWNERS, CUSTOMERS)
    customers = Customer.objects.bulk_create(
        [
            Customer(
                code=f"C{n:05d}",
                name=f"Customer {n:05d}",
                group=groups[group_of[n]],
                region=regions[region_of[n]],
                route=f"R{region_of[n]:02d}-{n % 3 + 1}",
                owner=users[owner_of[n]],
            )
            for n in range(CUSTOMERS)
        ],
        batch_size=2000,
    )
    prices = rng.integers(20, 320, PRODUCTS)
    products = Product.objects.bulk_create(
        [
            Product(
                sku=f"P{n:03d}",
                name=f"Product {n:03d}",
                unit="bag",
                price=Decimal(int(prices[n])),
                cost=Decimal(int(prices[n] * 0.8)),
            )
            for n in range(PRODUCTS)
        ]
    )
    rates = np.array([rate for _c, _s, rate in GROUPS])[group_of]
    return {
        "customer_ids": np.array([c.pk for c in customers]),
        "customer_weights": rates / rates.sum(),
        "customer_region": region_of,
        "customer_owner": np.array([users[i].pk for i in owner_of]),
        "product_ids": np.array([p.pk for p in products]),
        "prices": [str(p.price) for p in products],
        "costs": [str(p.cost) for p in products],
    }


# The book, as numpy columns ----------------------------------------------------------


def _orders(rng, ref) -> dict:
    n = ORDERS
    day = np.sort(rng.integers(0, DAYS - 1, n))  # days after the first day, up to yesterday
    customer = rng.choice(CUSTOMERS, n, p=ref["customer_weights"])
    roll = rng.random(n)
    cancelled = np.where(roll < 0.01, 1, np.where(roll < 0.012, 2, 0))  # customer, supplier
    return {
        "day": day,
        "minute": rng.integers(8 * 60, 20 * 60, n),
        "customer": customer,
        "cancelled": cancelled,
        "slip": _slips(rng, ref["customer_region"][customer]),
    }


def _slips(rng, region) -> np.ndarray:
    """Days an order's van comes late: rarely, but often in the late region."""
    roll = rng.random(len(region))
    late = np.where(region == LATE_REGION, 0.18, 0.02)
    return np.where(roll < late * 0.4, 2, np.where(roll < late, 1, 0))


def _lines(rng, orders) -> dict:
    per_order = rng.choice([1, 2, 3, 4, 5], ORDERS, p=[0.1, 0.2, 0.4, 0.2, 0.1])
    order = np.repeat(np.arange(ORDERS), per_order)
    m = len(order)
    first = np.repeat(np.cumsum(per_order) - per_order, per_order)
    weights = 1 / np.arange(1, PRODUCTS + 1) ** 0.8  # a few products sell most
    roll = rng.random(m)
    status = np.where(roll < 0.02, 3, np.where(roll < 0.03, 1, np.where(roll < 0.035, 2, 0)))
    cancelled = orders["cancelled"][order] > 0
    return {
        "order": order,
        "number": np.arange(m) - first + 1,
        "product": rng.choice(PRODUCTS, m, p=weights / weights.sum()),
        "quantity": rng.integers(1, 11, m),
        "requested": orders["day"][order] + rng.integers(1, 4, m),
        "partial": rng.random(m) < 0.25,
        # 0 promised, 1 offered, 2 held, 3 declined; lines of cancelled orders: 4
        "status": np.where(cancelled & (status == 0), 4, status),
    }


def _versions(rng, lines) -> dict:
    """The first promise of every promised line (a counter-offer taken: later or less), a
    split in two parts for some, then 5 % moved with the customer, 3 % moved by us."""
    m = len(lines["order"])
    promised = np.isin(lines["status"], (0, 4))
    counter = rng.random(m) < 0.03
    less = counter & (rng.random(m) < 0.5) & (lines["quantity"] > 1)
    quantity = np.where(less, lines["quantity"] - 1, lines["quantity"])
    first_day = lines["requested"] + np.where(counter & ~less, rng.integers(1, 6, m), 0)
    split = lines["partial"] & (rng.random(m) < 0.6) & (quantity > 1)
    early_part = np.where(split, (quantity + 1) // 2, quantity)
    last_day = first_day + np.where(split, rng.integers(2, 5, m), 0)
    roll = rng.random(m)
    change = np.where(roll < 0.05, 1, np.where(roll < 0.08, 2, 0))  # agreed, unilateral
    moved_to = last_day + np.where(change == 1, rng.integers(1, 6, m), rng.integers(1, 3, m))
    latest_day = np.where(change > 0, moved_to, last_day)
    return {
        "promised": promised,
        "quantity": quantity,
        "first_day": first_day,
        "split": split & (change == 0),  # a change promises the whole quantity on one day
        "first_split": split,
        "early_part": early_part,
        "last_day": last_day,
        "change": np.where(promised, change, 0),
        "latest_day": latest_day,
        "governing_day": np.where(change == 1, moved_to, last_day),
    }


def _deliveries(rng, orders, lines, versions) -> dict:
    """What arrived: each part of the latest promise on its day plus the order's slip; short
    picks (mostly two products) with the rest a few days later or never; damage (mostly one
    product); a few lines never delivered. Nothing on or after today."""
    m = len(lines["order"])
    delivered = versions["promised"] & (lines["status"] == 0) & (rng.random(m) >= 0.004)
    slip = orders["slip"][lines["order"]]
    product = lines["product"]
    short_chance = np.where(np.isin(product, SHORT_PRODUCTS), 0.15, 0.015)
    short = delivered & (rng.random(m) < short_chance)
    topped_up = rng.random(m) >= 0.2
    split = versions["split"]
    first_q = np.where(split, versions["early_part"], versions["quantity"])
    missing = np.minimum(first_q, rng.integers(1, 3, m))
    first_day = np.where(split, versions["first_day"], versions["latest_day"]) + slip
    second_q = versions["quantity"] - versions["early_part"]
    pieces = [
        (delivered, first_q - np.where(short, missing, 0), first_day),
        (delivered & split, second_q, versions["latest_day"] + slip),
        (short & topped_up, missing, first_day + rng.integers(1, 5, m)),
    ]
    line, quantity, day = [], [], []
    for keep, q, d in pieces:
        keep = keep & (q > 0)
        line.append(np.nonzero(keep)[0])
        quantity.append(q[keep])
        day.append(d[keep])
    line, quantity, day = np.concatenate(line), np.concatenate(quantity), np.concatenate(day)
    past = day < DAYS - 1  # before today
    line, quantity, day = line[past], quantity[past], day[past]
    by_line = np.lexsort((day, line))
    line, quantity, day = line[by_line], quantity[by_line], day[by_line]
    n = len(line)
    damaged_chance = np.where(product[line] == DAMAGED_PRODUCT, 0.08, 0.008)
    roll = rng.random(n)
    defect = np.where(roll < damaged_chance, 1, np.where(roll < damaged_chance + 0.002, 2, 0))
    return {"line": line, "quantity": quantity, "day": day, "defect": defect,
            "minute": rng.integers(8 * 60, 18 * 60, n)}  # fmt: skip


# Writing -----------------------------------------------------------------------------------

BIG_TABLES = (
    "promising_order",
    "promising_orderline",
    "promising_promiseversion",
    "fulfilment_delivery",
)


def _constraints_and_indexes(cursor) -> tuple[list[str], list[str]]:
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


class _Text:
    """Dates and times as COPY text, by day number (0: the first day of the book)."""

    def __init__(self, first: date) -> None:
        span = DAYS + 40
        self.dates = [(first + timedelta(days=n)).isoformat() for n in range(span)]
        # local times: the COPY session runs in the business time zone
        self.times = [f"{m // 60:02d}:{m % 60:02d}" for m in range(24 * 60)]

    def at(self, day: int, minute: int) -> str:
        return f"{self.dates[day]} {self.times[minute]}"


def _copy(connection, table: str, columns: str, rows) -> int:
    count, buffer = 0, []
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            buffer.append(row)
            if len(buffer) >= CHUNK:
                copy.write("\n".join(buffer) + "\n")
                count += len(buffer)
                buffer.clear()
        if buffer:
            copy.write("\n".join(buffer) + "\n")
            count += len(buffer)
    return count


def _order_rows(text, ref, orders):
    customers = ref["customer_ids"][orders["customer"]].tolist()
    owners = ref["customer_owner"][orders["customer"]].tolist()
    by = ("", "customer", "supplier")
    columns = zip(
        orders["day"].tolist(), orders["minute"].tolist(), customers,
        orders["cancelled"].tolist(), owners, strict=True,
    )  # fmt: skip
    for n, (day, minute, customer, cancelled, owner) in enumerate(columns):
        at = text.at(day, minute)
        gone = text.at(day, minute + 30) if cancelled else "\\N"
        yield (
            f"{n + 1}\tSO-{n + 1:07d}\tf\tcommit\t\t{gone}\t{by[cancelled]}\t{at}\t{owner}"
            f"\t{customer}"
        )


STATUS = ("promised", "offered", "held", "declined", "cancelled")
DECISION = ("commit", "counter", "hold", "decline", "commit")


def _line_rows(text, ref, orders, lines, versions):
    product_ids = ref["product_ids"][lines["product"]].tolist()
    prices, costs = ref["prices"], ref["costs"]
    governing_q = versions["quantity"]  # a change moves the date, never the quantity
    columns = zip(
        lines["order"].tolist(), lines["number"].tolist(), lines["product"].tolist(),
        product_ids, lines["quantity"].tolist(), lines["requested"].tolist(),
        lines["partial"].tolist(), lines["status"].tolist(), versions["promised"].tolist(),
        governing_q.tolist(), versions["governing_day"].tolist(),
        orders["day"][lines["order"]].tolist(), orders["minute"][lines["order"]].tolist(),
        strict=True,
    )  # fmt: skip
    for n, row in enumerate(columns):
        order, number, p, pid, q, req, partial, st, promised, gq, gday, day, minute = row
        governing = f"{text.dates[gday]}\t{gq}" if promised else "\\N\t\\N"
        yield (
            f"{n + 1}\t{number}\t{q}\t{text.dates[req]}\t{'t' if partial else 'f'}\t{prices[p]}"
            f"\t{costs[p]}\t{DECISION[st]}\t{STATUS[st]}\t[]\t{text.at(day, minute)}\t{order + 1}"
            f"\t{pid}\t{governing}"
        )


def _version_rows(text, orders, lines, versions):
    """Version 1 for every promised line; version 2 for the changed ones."""
    promised = np.nonzero(versions["promised"])[0]
    take = {key: versions[key][promised].tolist() for key in (
        "quantity", "first_day", "first_split", "early_part", "last_day", "change", "latest_day"
    )}  # fmt: skip
    made = orders["day"][lines["order"][promised]].tolist()
    number = 0
    for i, line in enumerate(promised.tolist()):
        q, first, last = take["quantity"][i], take["first_day"][i], take["last_day"][i]
        if take["first_split"][i]:
            early = take["early_part"][i]
            parts = [(early, first), (q - early, last)]
        else:
            parts = [(q, last)]
        at = text.at(made[i], 600)
        number += 1
        yield _version(number, 1, "initial", q, text.dates[last], parts, text, at, line)
        change = take["change"][i]
        if change:
            day = text.dates[take["latest_day"][i]]
            kind = "agreed" if change == 1 else "unilateral"
            number += 1
            yield _version(number, 2, kind, q, day, [(q, take["latest_day"][i])], text, at, line)


def _version(vid, number, kind, quantity, day, parts, text, at, line) -> str:
    parts_json = ", ".join(
        f'{{"quantity": "{q}", "date": "{text.dates[d]}", "to_procure": false}}' for q, d in parts
    )
    reason = "" if kind == "initial" else "moved"
    return (
        f"{vid}\t{number}\t{kind}\t{quantity}\t{day}\t[{parts_json}]\t{reason}\t{{}}\t{at}"
        f"\t\\N\t{line + 1}"
    )


def _delivery_rows(text, deliveries):
    defects = ("", "damaged", "wrong_item")
    columns = zip(
        deliveries["line"].tolist(), deliveries["quantity"].tolist(), deliveries["day"].tolist(),
        deliveries["defect"].tolist(), deliveries["minute"].tolist(), strict=True,
    )  # fmt: skip
    for n, (line, q, day, defect, minute) in enumerate(columns):
        at = text.at(day, minute)
        ok = "f" if defect else "t"
        yield (
            f"{n + 1}\t{q}\t{at}\t{text.dates[day]}\t{ok}\t{defects[defect]}\t\t{at}\t\\N"
            f"\t{line + 1}"
        )


def generate(run_dir: str) -> None:
    _django()
    from django.conf import settings
    from django.db import connection

    started = time.perf_counter()
    rng = np.random.default_rng(SEED)
    today = _today()
    first = today - timedelta(days=DAYS - 1)
    ref = _reference(rng)
    orders = _orders(rng, ref)
    lines = _lines(rng, orders)
    versions = _versions(rng, lines)
    deliveries = _deliveries(rng, orders, lines, versions)
    generated = time.perf_counter()
    text = _Text(first)
    connection.ensure_connection()
    raw = connection.connection  # psycopg, autocommit as Django leaves it
    with raw.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("SELECT set_config('TimeZone', %s, false)", [settings.TIME_ZONE])
        drops, creates = _constraints_and_indexes(cursor)
        for statement in drops:
            cursor.execute(statement)
    tables = {
        "orders": ("promising_order", ORDER_COLUMNS, _order_rows(text, ref, orders)),
        "lines": (
            "promising_orderline", LINE_COLUMNS, _line_rows(text, ref, orders, lines, versions)
        ),
        "versions": (
            "promising_promiseversion", VERSION_COLUMNS,
            _version_rows(text, orders, lines, versions),
        ),
        "deliveries": ("fulfilment_delivery", DELIVERY_COLUMNS, _delivery_rows(text, deliveries)),
    }  # fmt: skip
    counts = {name: _copy(raw, *table) for name, table in tables.items()}
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
    done = time.perf_counter()
    result = {
        "today": today.isoformat(),
        "first_day": first.isoformat(),
        "customers": CUSTOMERS,
        "products": PRODUCTS,
        **counts,
        "seconds": {
            "numpy": round(generated - started, 1),
            "copy": round(copied - generated, 1),
            "indexes_and_constraints": round(indexed - copied, 1),
            "vacuum_analyze": round(done - indexed, 1),
            "total": round(done - started, 1),
        },
    }
    Path(run_dir, "generate.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result))  # noqa: T201


ORDER_COLUMNS = (
    "id, number, ship_complete, decision, note, cancelled_at, cancelled_by, created_at, "
    "created_by_id, customer_id"
)
LINE_COLUMNS = (
    "id, number, requested_quantity, requested_date, accept_partial, unit_price, unit_cost, "
    "decision, status, reasons, decided_at, order_id, product_id, governing_date, "
    "governing_quantity"
)
VERSION_COLUMNS = (
    "id, number, kind, quantity, date, parts, reason, figures, created_at, created_by_id, line_id"
)
DELIVERY_COLUMNS = (
    "id, quantity, delivered_at, delivered_on, quality_ok, defect, note, created_at, "
    "created_by_id, line_id"
)


# Measuring ---------------------------------------------------------------------------------


def _book(run_dir: str) -> dict:
    return json.loads(Path(run_dir, "generate.json").read_text())


def _period(book: dict) -> tuple[date, date, date]:
    """The whole book: its first day to a week after today (the pending lines included)."""
    today = date.fromisoformat(book["today"])
    return date.fromisoformat(book["first_day"]), today + timedelta(days=7), today


def _timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


class _Progress:
    """A run's figures, saved after each step: a run that is interrupted (something on a shared
    machine may kill it) starts again where it stopped, keeping what was measured."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data = json.loads(path.read_text()) if path.exists() else {}

    def step(self, name: str, compute):
        if name not in self.data:
            self.data[name] = compute()
            self.path.write_text(json.dumps(self.data, indent=1, ensure_ascii=False))
        return self.data[name]


def score(run_dir: str) -> None:
    """Score the whole book once (``kept.fulfilment.scores.rebuild``): what a bulk load, an
    upgrade or ``kept rescore`` costs."""
    _django()
    from django.db import connection

    from kept.fulfilment import scores

    seconds, _cleared = _timed(scores.rebuild)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT COUNT(*) FROM fulfilment_scoredline),"
            " (SELECT COUNT(*) FROM fulfilment_scoredorder),"
            " pg_total_relation_size('fulfilment_scoredline'),"
            " pg_total_relation_size('fulfilment_scoredorder')"
        )
        lines, orders, line_bytes, order_bytes = cursor.fetchone()
    result = {
        "seconds": round(seconds, 1),
        "scored_lines": lines,
        "scored_orders": orders,
        "mib": round((line_bytes + order_bytes) / 2**20),
    }
    Path(run_dir, "score.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result))  # noqa: T201


def measure(run_dir: str) -> None:
    """One warm-up and RUNS timed reports by month per basis (the full report), then by day,
    customer, product and region once; the upkeep: a report right after 100 orders changed,
    and 500 orders scored again; EXPLAIN (ANALYZE, BUFFERS) of the report by month."""
    _django()
    from kept.fulfilment.metrics import service_level

    start, end, today = _period(_book(run_dir))
    progress = _Progress(Path(run_dir, "measure.json"))
    progress.step("period", lambda: [start.isoformat(), end.isoformat(), today.isoformat()])

    def report(by, against):
        return lambda: service_level(start, end, by=by, against=against, today=today)

    for against in ("promise", "request"):
        name = f"month_{against}"
        progress.step(f"{name}_warm_up", lambda a=against: _timed(report("month", a))[0])
        runs = [
            progress.step(f"{name}_run_{n}", lambda a=against: _timed(report("month", a))[0])
            for n in range(1, RUNS + 1)
        ]
        progress.step(name, lambda a=against, runs=runs: _summary(runs, *report("month", a)()))
    for by in ("day", "customer", "product", "region"):
        progress.step(f"{by}_promise", lambda by=by: _once(report(by, "promise")))
    sums = [progress.data[f"month_{a}"] for a in ("promise", "request")]
    progress.step(
        "full_report", lambda: {k: round(sum(r[k] for r in sums), 3) for k in ("min", "median")}
    )
    progress.step("after_100_changes", lambda: _after_changes(100, report("month", "promise")))
    progress.step("rescore_500_orders", lambda: _rescore(500))
    progress.step("explain", lambda: _explain(run_dir, start, end, today))
    print(json.dumps(progress.data, ensure_ascii=False))  # noqa: T201


def _changed_orders(count: int) -> list[int]:
    from kept.promising.models import Order

    ids = list(Order.objects.order_by("-id").values_list("id", flat=True)[: count * 50])
    return [int(i) for i in np.random.default_rng(SEED).choice(ids, count, replace=False)]


def _after_changes(count: int, report) -> dict:
    """The report right after ``count`` orders changed (marked as their writers mark them):
    it scores them again first."""
    from kept.fulfilment import scores

    scores.mark_orders(_changed_orders(count))
    seconds, _result = _timed(report)
    return {"orders_changed": count, "seconds": round(seconds, 3)}


def _rescore(count: int) -> dict:
    from kept.fulfilment import scores

    scores.mark_orders(_changed_orders(count))
    seconds, cleared = _timed(scores.refresh)
    return {"orders": cleared, "seconds": round(seconds, 3)}


def _explain(run_dir: str, start: date, end: date, today: date) -> str:
    from django.db import connection

    from kept.fulfilment import metrics

    params, where = metrics._params(start, end, today, "promise", None)
    sql = metrics._report_sql("month", where, params)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    Path(run_dir, "explain_month_promise.txt").write_text(f"{sql}\n\n-- {params}\n\n{plan}\n")
    return "explain_month_promise.txt"


def _summary(runs: list[float], rows, total) -> dict:
    return {
        "runs": [round(s, 3) for s in runs],
        "min": round(min(runs), 3),
        "median": round(statistics.median(runs), 3),
        "groups": len(rows),
        "lines": total.lines,
        "pending_lines": total.pending_lines,
        "orders": total.orders,
        "rates": {k: round(v, 4) for k, v in total.rates().items() if v is not None},
    }


def _once(report) -> dict:
    seconds, (rows, _total) = _timed(report)
    return {"seconds": round(seconds, 3), "groups": len(rows)}


def idle(seconds: str) -> None:
    def ticks():
        with open("/proc/stat") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
        return fields[3] + fields[4], sum(fields)

    idle0, total0 = ticks()
    time.sleep(float(seconds))
    idle1, total1 = ticks()
    print(f"{(idle1 - idle0) / max(1, total1 - total0):.2f}")  # noqa: T201


def report(run_dir: str) -> None:
    """The figures of a run, as lines for BENCHMARKS.md."""
    folder = Path(run_dir)
    meta = json.loads((folder / "meta.json").read_text())
    book = _book(run_dir)
    measured = json.loads((folder / "measure.json").read_text())
    scored = json.loads((folder / "score.json").read_text())
    took = book["seconds"]
    full = measured["full_report"]
    promise, request = measured["month_promise"], measured["month_request"]
    verdict = "met" if promise["median"] < 2 else "NOT MET"
    lines = [
        f"P2 run {meta['date']} (commit {meta['commit']}; {meta['host']}; PostgreSQL "
        f"{meta['pg_version']}, {meta['pg_settings']})",
        f"book: {book['orders']:,} orders, {book['lines']:,} lines, {book['versions']:,} promise "
        f"versions, {book['deliveries']:,} deliveries, {book['customers']:,} customers, "
        f"{book['products']} products, {book['first_day']} to {book['today']}",
        f"generated in {took['total']} s (numpy {took['numpy']} s, COPY {took['copy']} s, keys and "
        f"indexes {took['indexes_and_constraints']} s, VACUUM ANALYZE {took['vacuum_analyze']} s)",
        f"scored once (rebuild): {scored['seconds']} s, {scored['scored_lines']:,} line scores, "
        f"{scored['scored_orders']:,} order rows, {scored['mib']} MiB",
        f"by month against the promise (groups + total): min {promise['min']} s, median "
        f"{promise['median']} s (target < 2 s: {verdict})",
        f"by month against the request: min {request['min']} s, median {request['median']} s",
        f"full report, both bases: min {full['min']} s, median {full['median']} s",
        "once each, against the promise: "
        + ", ".join(
            f"by {by} {measured[f'{by}_promise']['seconds']} s "
            f"({measured[f'{by}_promise']['groups']:,} groups)"
            for by in ("day", "customer", "product", "region")
        ),
        f"upkeep: the report right after {measured['after_100_changes']['orders_changed']} "
        f"orders changed {measured['after_100_changes']['seconds']} s; "
        f"{measured['rescore_500_orders']['orders']} orders scored again in "
        f"{measured['rescore_500_orders']['seconds']} s",
        f"scored: {promise['lines']:,} lines ({promise['pending_lines']:,} pending), "
        f"{promise['orders']:,} orders; "
        + ", ".join(f"{name} {value:.1%}" for name, value in promise["rates"].items())
        + f"; against the request: OTIF {request['rates']['otif']:.1%}, perfect orders "
        + f"{request['rates']['perfect_order_rate']:.1%}",
    ]
    print("\n".join(lines))  # noqa: T201


if __name__ == "__main__":
    commands = {
        "generate": generate,
        "measure": measure,
        "score": score,
        "idle": idle,
        "report": report,
    }
    commands[sys.argv[1]](sys.argv[2])
