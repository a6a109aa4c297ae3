"""Helper for bench/p2_service_level.sh (P2: the service-level report over 1 M orders).

    generate RUN_DIR     a book of ~1 M orders / ~3 M lines over two years, promise versions
                         and ~3.2 M deliveries, written with COPY; indexes and constraints
                         rebuilt afterwards
    measure RUN_DIR      time ``kept.fulfilment.metrics.service_level`` (the full report and
                         others), EXPLAIN (ANALYZE, BUFFERS) of the slowest statement
    experiment RUN_DIR   the same statement with changes to the SQL text or the session, to
                         find what would bring it under the target (metrics.py is untouched)
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


def _statement(by: str, against: str, start: date, end: date, today: date) -> tuple[str, dict]:
    """The groups statement of ``service_level`` (by=``total``: the total statement), as the
    module builds it."""
    from kept.fulfilment import metrics

    params, extra = metrics._params(start, end, today, None)
    return metrics._ctes(by, against, extra) + metrics._SUMMARY, params


def _run_sql(sql: str, params: dict) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(sql, params)
        cursor.fetchall()
        return time.perf_counter() - started


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


def measure(run_dir: str) -> None:
    """One warm-up and RUNS timed reports by month per basis, each statement alone once, then
    by customer, product and region once; EXPLAIN of the slowest statement."""
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
        for kind in ("month", "total"):
            sql, params = _statement(kind, against, start, end, today)
            progress.step(f"{name}_{kind}_statement", lambda q=sql, p=params: _run_sql(q, p))
    for by in ("customer", "product", "region"):
        progress.step(f"{by}_promise", lambda by=by: _once(report(by, "promise")))
    sums = [progress.data[f"month_{a}"] for a in ("promise", "request")]
    progress.step(
        "full_report", lambda: {k: round(sum(r[k] for r in sums), 3) for k in ("min", "median")}
    )
    statements = [(a, k) for a in ("promise", "request") for k in ("month", "total")]
    against, kind = max(statements, key=lambda s: progress.data[f"month_{s[0]}_{s[1]}_statement"])
    sql, _params = _statement(kind, against, start, end, today)
    name = f"{kind}_{against}"

    def explain_slowest() -> str:
        _Lab(run_dir).explain(name, sql)
        return name

    progress.step("explain", explain_slowest)
    print(json.dumps(progress.data, ensure_ascii=False))  # noqa: T201


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


# Experiments: what would bring the report under the target -------------------------------

# The same rules in one pass, groups and total together (GROUPING SETS): every CTE is read
# once, so PostgreSQL inlines them instead of writing 3 M rows to a tuplestore three times;
# the deliveries are joined to the lines once, the window runs over that join.
SINGLE_CTES = """
WITH lines AS (
    SELECT l.id AS line_id, l.order_id, {key} AS key, {quantity} AS q,
           ({target} - DATE '2000-01-01') AS d,
           COALESCE(tg.early_days, td.early_days, 0) AS early,
           COALESCE(tg.late_days, td.late_days, 0) AS late,
           {quantity} * (1 - COALESCE(tg.short_percent, td.short_percent, 0) / 100.0) AS required
      FROM promising_orderline l
      JOIN promising_order o ON o.id = l.order_id
      JOIN customers_customer c ON c.id = o.customer_id
      JOIN catalog_product p ON p.id = l.product_id
      LEFT JOIN customers_customergroup g ON g.id = c.group_id
      LEFT JOIN customers_region r ON r.id = c.region_id
      LEFT JOIN auth_user u ON u.id = c.owner_id
      LEFT JOIN fulfilment_servicetolerance tg ON tg.group_id = c.group_id
      LEFT JOIN fulfilment_servicetolerance td ON td.group_id IS NULL
     WHERE l.governing_date IS NOT NULL AND o.cancelled_by <> 'customer'
       AND {target} BETWEEN %(start)s AND %(end)s
),
running AS (
    SELECT lines.*, (dl.delivered_on - DATE '2000-01-01') AS day, dl.quantity AS dq, dl.quality_ok,
           SUM(dl.quantity) OVER (PARTITION BY lines.line_id ORDER BY dl.delivered_on, dl.id)
               AS total
      FROM lines LEFT JOIN fulfilment_delivery dl ON dl.line_id = lines.line_id
),
per_line AS (
    SELECT line_id, order_id, key, q, d, early, late, required,
           MIN(CASE WHEN total >= required - 0.0000001 THEN day END) AS completed,
           COALESCE(SUM(CASE WHEN day <= d + late THEN dq ELSE 0 END), 0) AS by_end,
           COALESCE(SUM(CASE WHEN day BETWEEN d - early AND d + late THEN dq ELSE 0 END), 0)
               AS inside,
           COALESCE(MIN(CASE WHEN quality_ok THEN 1 WHEN NOT quality_ok THEN 0 END), 1) AS quality
      FROM running GROUP BY line_id, order_id, key, q, d, early, late, required
),
flags AS (
    SELECT order_id, key, q, quality,
           CASE WHEN completed IS NULL AND d + late >= %(today)s THEN 1 ELSE 0 END AS pending,
           CASE WHEN completed BETWEEN d - early AND d + late THEN 1 ELSE 0 END AS on_time,
           CASE WHEN by_end >= required - 0.0000001 THEN 1 ELSE 0 END AS in_full,
           CASE WHEN inside >= required - 0.0000001 THEN 1 ELSE 0 END AS filled,
           LEAST(inside, q) AS fill_units
      FROM per_line
)"""
TAIL = """,
per_order AS (
    SELECT GROUPING(key) AS overall, key, order_id, MAX(pending) AS pending,
           MIN(on_time * in_full * quality) AS perfect, MIN(filled) AS filled_order,
           SUM(1 - pending) AS lines, SUM(pending) AS pending_lines,
           SUM((1 - pending) * on_time * in_full) AS otif, SUM((1 - pending) * on_time) AS on_time,
           SUM((1 - pending) * in_full) AS in_full, SUM((1 - pending) * quality) AS quality,
           SUM((1 - pending) * filled) AS filled,
           SUM(CASE WHEN pending = 0 THEN fill_units ELSE 0 END) AS fill_units,
           SUM(CASE WHEN pending = 0 THEN q ELSE 0 END) AS target_units
      FROM flags GROUP BY GROUPING SETS ((key, order_id), (order_id))
)
SELECT CASE WHEN overall = 1 THEN 'total' ELSE key END, SUM(1 - pending), SUM(lines),
       SUM(pending_lines), SUM((1 - pending) * perfect), SUM((1 - pending) * filled_order),
       SUM(otif), SUM(on_time), SUM(in_full), SUM(quality), SUM(filled), SUM(fill_units),
       SUM(target_units)
  FROM per_order GROUP BY overall, key ORDER BY overall, key
"""
SINGLE = SINGLE_CTES + TAIL

# What the report would read if each line's score were kept up to date when it changes (a
# delivery recorded, a promise changed, a tolerance changed): one narrow row per line and
# basis. Built here from the rules above, to time the report over it.
SCORES = """
CREATE UNLOGGED TABLE p2_line_score AS
WITH {ctes}
SELECT s.line_id, s.order_id, l.product_id, o.customer_id, s.d::integer AS target_day,
       (s.d + s.late)::integer AS window_end, s.completed::integer AS completed, s.q,
       (CASE WHEN s.completed BETWEEN s.d - s.early AND s.d + s.late THEN 1 ELSE 0 END)::smallint
           AS on_time,
       (CASE WHEN s.by_end >= s.required - 0.0000001 THEN 1 ELSE 0 END)::smallint AS in_full,
       s.quality::smallint AS quality,
       (CASE WHEN s.inside >= s.required - 0.0000001 THEN 1 ELSE 0 END)::smallint AS filled,
       LEAST(s.inside, s.q) AS fill_units
  FROM per_line s
  JOIN promising_orderline l ON l.id = s.line_id
  JOIN promising_order o ON o.id = l.order_id
 ORDER BY s.order_id, s.line_id
"""
FROM_SCORES = """
WITH flags AS (
    SELECT s.order_id, {key} AS key, s.q, s.quality, s.on_time, s.in_full, s.filled,
           s.fill_units,
           CASE WHEN s.completed IS NULL AND s.window_end >= %(today)s THEN 1 ELSE 0 END
               AS pending
      FROM p2_line_score s
      {joins}
     WHERE s.target_day BETWEEN %(start_day)s AND %(end_day)s
)"""


def _single(by: str, against: str) -> str:
    from kept.fulfilment import metrics

    target = "l.governing_date" if against == "promise" else "l.requested_date"
    quantity = "l.governing_quantity" if against == "promise" else "l.requested_quantity"
    key = metrics._key_expression(by, target)
    return SINGLE.format(key=key, target=target, quantity=quantity)


SCORE_KEYS = {
    "month": ("to_char(DATE '2000-01-01' + target_day, 'YYYY-MM')", ""),
    "customer": ("c.code", "JOIN customers_customer c ON c.id = s.customer_id"),
    "product": ("p.sku", "JOIN catalog_product p ON p.id = s.product_id"),
}


def _from_scores(by: str) -> str:
    key, joins = SCORE_KEYS[by]
    return FROM_SCORES.format(key=key, joins=joins) + TAIL


# Settled lines (completed, or past their window) never change again unless a delivery, a
# promise or a tolerance changes: kept rolled up per (order, period) and per order, the report
# reads ~1 M narrow rows instead of scoring 3 M lines. Lines still pending would be scored
# live (a few days' worth); here they are left out, so the figures are not compared.
ROLLUPS = """
CREATE UNLOGGED TABLE p2_order_month AS
SELECT order_id, to_char(DATE '2000-01-01' + target_day, 'YYYY-MM') AS key,
       MIN(on_time * in_full * quality)::smallint AS perfect, MIN(filled)::smallint AS filled_order,
       COUNT(*)::integer AS lines, SUM(on_time * in_full)::integer AS otif,
       SUM(on_time)::integer AS on_time, SUM(in_full)::integer AS in_full,
       SUM(quality)::integer AS quality, SUM(filled)::integer AS filled,
       SUM(fill_units) AS fill_units, SUM(q) AS target_units
  FROM p2_line_score WHERE NOT (completed IS NULL AND window_end >= %(today)s)
 GROUP BY 1, 2;
CREATE UNLOGGED TABLE p2_order_total AS
SELECT order_id, MIN(perfect) AS perfect, MIN(filled_order) AS filled_order,
       SUM(lines) AS lines, SUM(otif) AS otif, SUM(on_time) AS on_time, SUM(in_full) AS in_full,
       SUM(quality) AS quality, SUM(filled) AS filled, SUM(fill_units) AS fill_units,
       SUM(target_units) AS target_units
  FROM p2_order_month GROUP BY 1;
ANALYZE p2_order_month;
ANALYZE p2_order_total
"""
FIGURES = """COUNT(*), SUM(lines), SUM(perfect), SUM(filled_order), SUM(otif), SUM(on_time),
       SUM(in_full), SUM(quality), SUM(filled), SUM(fill_units), SUM(target_units)"""
FROM_ROLLUPS = f"""
SELECT key, {FIGURES} FROM p2_order_month GROUP BY key
UNION ALL
SELECT 'total', {FIGURES} FROM p2_order_total
"""  # noqa: S608 (fixed text)
NO_JIT = ("SET jit = off",)
BIG_WORK_MEM = ("SET jit = off", "SET work_mem = '256MB'")


class _Lab:
    """Runs statements on the bench database and keeps their timings."""

    def __init__(self, run_dir: str) -> None:
        from django.db import connection

        from kept.fulfilment import metrics

        self.run_dir, self.connection = run_dir, connection
        self.start, self.end, self.today = _period(_book(run_dir))
        self.params, _extra = metrics._params(self.start, self.end, self.today, None)
        self.progress = _Progress(Path(run_dir, "experiment.json"))

    def execute(self, sql: str, settings=(), params=None):
        """Seconds and rows of one run of ``sql`` with the session ``settings``."""
        with self.connection.cursor() as cursor:
            for setting in settings:
                cursor.execute(setting)
            started = time.perf_counter()
            cursor.execute(sql, params)
            rows = cursor.fetchall() if cursor.description else []
            seconds = time.perf_counter() - started
            cursor.execute("RESET ALL")
        return seconds, rows

    def time(self, name, sql, settings=(), *, params=None, runs=2, truth=None) -> list:
        """Timed ``runs`` times (the fastest counts); the rows, comparable with ``truth``."""
        params = self.params if params is None else params

        def compute() -> dict:
            timings = [self.execute(sql, settings, params) for _ in range(runs)]
            rows = _normal(timings[-1][1])
            return {
                "seconds": round(min(s for s, _r in timings), 3),
                "settings": list(settings),
                "same_result": None if truth is None else rows == truth,
                "rows": rows,
            }

        result = self.progress.step(name, compute)
        print(name, {k: v for k, v in result.items() if k != "rows"}, flush=True)  # noqa: T201
        return result["rows"]

    def explain(self, name: str, sql: str, settings=(), params=None) -> None:
        params = self.params if params is None else params
        _seconds, rows = self.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, settings, params)
        plan = "\n".join(row[0] for row in rows)
        text = f"-- settings: {list(settings)}\n{sql}\n\n-- {params}\n\n{plan}\n"
        Path(self.run_dir, f"explain_{name}.txt").write_text(text)


def experiment(run_dir: str) -> None:
    """The module's statements as they are, then modified copies: each run twice (the
    faster counts) and its result compared with the module's where comparable."""
    _django()
    lab = _Lab(run_dir)
    start, end, today = lab.start, lab.end, lab.today
    truth = []
    for kind in ("month", "total"):
        sql, _params = _statement(kind, "promise", start, end, today)
        truth += lab.time(f"as_is_{kind}", sql, runs=1)
        lab.time(f"as_is_{kind}_jit_off", sql, NO_JIT, runs=1)
    truth = sorted(truth)
    single = _single("month", "promise")
    lab.time("single", single, NO_JIT, truth=truth)
    lab.time("single_work_mem_256MB", single, BIG_WORK_MEM, truth=truth)
    lab.progress.step("explain_single", lambda: lab.explain("single", single, NO_JIT) or "done")
    _scores(lab, truth)
    _rollups(lab)
    lab.progress.step("cleanup", lambda: lab.execute(CLEAN_UP) and "done")


def _scores(lab: _Lab, truth: list) -> None:
    from kept.fulfilment.metrics import EPOCH

    ctes = SINGLE_CTES[SINGLE_CTES.index("lines AS") : SINGLE_CTES.index("flags AS")]
    ctes = ctes.rstrip().rstrip(",")
    ctes = ctes.format(key="''", target="l.governing_date", quantity="l.governing_quantity")

    def build() -> dict:
        lab.execute("DROP TABLE IF EXISTS p2_line_score")
        built, _rows = lab.execute(SCORES.format(ctes=ctes), BIG_WORK_MEM, lab.params)
        lab.execute("ANALYZE p2_line_score")
        _s, [(size,)] = lab.execute("SELECT pg_total_relation_size('p2_line_score')")
        return {"build_seconds": round(built, 1), "mib": size // 2**20}

    print("scores table", lab.progress.step("scores_table", build), flush=True)  # noqa: T201
    days = {"start_day": (lab.start - EPOCH).days, "end_day": (lab.end - EPOCH).days}
    params = {**lab.params, **days}
    for by in SCORE_KEYS:
        check = truth if by == "month" else None
        lab.time(f"from_scores_{by}", _from_scores(by), NO_JIT, params=params, truth=check)
    explain = lambda: lab.explain("from_scores_month", _from_scores("month"), NO_JIT, params)  # noqa: E731
    lab.progress.step("explain_from_scores", lambda: explain() or "done")


def _rollups(lab: _Lab) -> None:

    def build() -> dict:
        lab.execute("DROP TABLE IF EXISTS p2_order_month, p2_order_total")
        statements = ROLLUPS.split(";")
        return {
            "build_seconds": round(
                sum(lab.execute(q, BIG_WORK_MEM, lab.params)[0] for q in statements), 1
            )
        }

    lab.progress.step("rollup_tables", build)
    lab.time("from_rollups_month", FROM_ROLLUPS, NO_JIT)
    explain = lambda: lab.explain("from_rollups_month", FROM_ROLLUPS, NO_JIT)  # noqa: E731
    lab.progress.step("explain_from_rollups", lambda: explain() or "done")


CLEAN_UP = "DROP TABLE IF EXISTS p2_line_score, p2_order_month, p2_order_total"


def _normal(rows) -> list:
    """Rows as sorted lists of plain values (JSON keeps them), to compare results."""
    return sorted([str(row[0]), *(float(v or 0) for v in row[1:])] for row in rows)


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
        f"by month against the promise (groups + total): min {promise['min']} s, median "
        f"{promise['median']} s (target < 2 s: {verdict}); groups statement "
        f"{measured['month_promise_month_statement']:.3f} s, total statement "
        f"{measured['month_promise_total_statement']:.3f} s",
        f"by month against the request: min {request['min']} s, median {request['median']} s",
        f"full report, both bases: min {full['min']} s, median {full['median']} s",
        "once each, against the promise: "
        + ", ".join(
            f"by {by} {measured[f'{by}_promise']['seconds']} s "
            f"({measured[f'{by}_promise']['groups']:,} groups)"
            for by in ("customer", "product", "region")
        ),
        f"scored: {promise['lines']:,} lines ({promise['pending_lines']:,} pending), "
        f"{promise['orders']:,} orders; "
        + ", ".join(f"{name} {value:.1%}" for name, value in promise["rates"].items())
        + f"; against the request: OTIF {request['rates']['otif']:.1%}, perfect orders "
        + f"{request['rates']['perfect_order_rate']:.1%}",
    ]
    experiments = folder / "experiment.json"
    if experiments.exists():
        for name, result in json.loads(experiments.read_text()).items():
            if isinstance(result, dict):
                shown = {k: v for k, v in result.items() if k != "rows"}
                lines.append(f"experiment {name}: {shown}")
    print("\n".join(lines))  # noqa: T201


if __name__ == "__main__":
    commands = {
        "generate": generate,
        "measure": measure,
        "experiment": experiment,
        "idle": idle,
        "report": report,
    }
    commands[sys.argv[1]](sys.argv[2])
