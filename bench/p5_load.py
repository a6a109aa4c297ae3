"""Helper for bench/p5_web.sh (P5 web: the notebook and the customer list at 100 k customers
and 1 M orders).

    generate RUN_DIR     the book in the bench database, written with COPY: 100 k customers
                         (a skewed share of the orders: a few dozen customers with thousands),
                         their contacts, tags and timeline; 1 M orders with ~3 M lines,
                         promise versions, commitments (open for what is still on its way) and
                         deliveries (the order model of bench/p2_service_level.py); rice-jar
                         subscriptions with readings; tickets; answered surveys; a value refit
                         for every external customer; the manager who logs in
    password             give the manager P5_PASSWORD (a reused database)
    targets RUN_DIR      the URLs wrk asks for: notebooks of customers drawn uniformly, of the
                         heaviest customers, and customer-list pages (first page, searches, a
                         later page, each filter)
    queries RUN_DIR      the SQL queries and in-process time of each kind of page (Django test
                         client, same database): the figures the query-count tests bound
    explain RUN_DIR      EXPLAIN ANALYZE of the slowest statements of a heavy notebook

Runs with the KEPT_* environment of the bench database. P5_CUSTOMERS (100,000), P5_ORDERS
(1,000,000) scale the book; P5_SEED the random source (default 1); P5_PASSWORD the manager's
password (``p5-manager``).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import p2_service_level as p2  # noqa: E402 (the order model and the COPY helpers)

CUSTOMERS = int(os.environ.get("P5_CUSTOMERS", "100000"))
ORDERS = int(os.environ.get("P5_ORDERS", "1000000"))
SEED = int(os.environ.get("P5_SEED", "1"))
OWNERS, REGIONS, PRODUCTS, TAGS = 20, 10, 50, 20
HEAVY = 40  # restaurants and institutions with thousands of orders each
CONSUMABLES = 3  # the three best sellers are rice: the subscriptions' products
SUBSCRIBED = 0.3  # share of households with a rice jar
GROUPS = ("household", "restaurant", "institution", "office")
SURNAMES = "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao Luo"
GIVEN = "Wei Fang Na Min Jing Li Qiang Lei Jun Yang Yong Yan Jie Tao Ming Chao Xiu Xia Ping Gang"
TRADES = "Noodle House|Dumpling Bar|Canteen|Hotpot|Bakery|Tea House|School|Clinic|Hotel|Office"
MANAGER = "p5-manager"
BIG_TABLES = (
    "promising_order",
    "promising_orderline",
    "promising_promiseversion",
    "promising_commitment",
    "fulfilment_delivery",
    "customers_interaction",
    "customers_contact",
    "customers_customer_tags",
    "replenishment_reading",
    "servicedesk_ticket",
    "feedback_survey",
    "value_customervalue",
)


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kept.settings")
    import django

    django.setup()


# Reference data: few rows, through the ORM ---------------------------------------------------


def _reference(rng: np.random.Generator) -> dict:
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from kept.catalog.models import Product
    from kept.core.choices import Role
    from kept.customers.models import CustomerGroup, Region, Tag

    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"owner{n:02d}", password="!") for n in range(OWNERS)]  # noqa: S106
    )
    staff = Group.objects.get(name=Role.STAFF)
    for user in users:
        user.groups.add(staff)
    manager = User.objects.create_user(MANAGER, password=os.environ["P5_PASSWORD"])
    manager.groups.add(Group.objects.get(name=Role.MANAGER))
    groups = CustomerGroup.objects.bulk_create(
        [CustomerGroup(code=code, name=code.title()) for code in GROUPS]
    )
    regions = Region.objects.bulk_create(
        [Region(code=f"R{n:02d}", name=f"Region {n:02d}") for n in range(REGIONS)]
    )
    tags = Tag.objects.bulk_create([Tag(name=f"tag{n:02d}") for n in range(TAGS)])
    prices = rng.integers(20, 320, PRODUCTS)
    products = Product.objects.bulk_create(
        [
            Product(
                sku=f"P{n:03d}",
                name=f"Rice {n:03d}" if n < CONSUMABLES else f"Product {n:03d}",
                unit="kg" if n < CONSUMABLES else "bag",
                price=Decimal(int(prices[n])),
                cost=Decimal(int(prices[n] * 0.8)),
                consumable=n < CONSUMABLES,
            )
            for n in range(PRODUCTS)
        ]
    )
    # Who orders how much: lognormal households, HEAVY customers with 1,500–5,000 orders each.
    weights = rng.lognormal(0.0, 0.8, CUSTOMERS)
    heavy = rng.choice(CUSTOMERS, HEAVY, replace=False)
    heavy_orders = np.maximum(rng.integers(1500, 5000, HEAVY) * ORDERS // 1_000_000, 1)
    weights *= (ORDERS - heavy_orders.sum()) / weights.sum()
    weights[heavy] = heavy_orders
    group = rng.choice(len(GROUPS), CUSTOMERS, p=[0.85, 0.10, 0.02, 0.03])
    group[heavy] = rng.integers(1, 3, HEAVY)
    owner_of = rng.integers(0, OWNERS, CUSTOMERS)
    return {
        "user_ids": [u.pk for u in users],
        "manager": manager.pk,
        "group_ids": [g.pk for g in groups],
        "region_ids": [r.pk for r in regions],
        "tag_ids": [t.pk for t in tags],
        "customer_ids": np.arange(1, CUSTOMERS + 1),  # the table is empty: ids from 1
        "customer_weights": weights / weights.sum(),
        "customer_region": rng.integers(0, REGIONS, CUSTOMERS),
        "customer_owner": np.array([users[i].pk for i in owner_of]),
        "customer_group": group,
        "heavy": heavy,
        "product_ids": np.array([p.pk for p in products]),
        "prices": [str(p.price) for p in products],
        "costs": [str(p.cost) for p in products],
    }


# Rows ----------------------------------------------------------------------------------------


def _customer_rows(rng, text, ref):
    surnames, given, trades = SURNAMES.split(), GIVEN.split(), TRADES.split("|")
    n = CUSTOMERS
    first = rng.integers(0, len(surnames), n).tolist()
    second = rng.integers(0, len(given), n).tolist()
    trade = rng.integers(0, len(trades), n).tolist()
    archived = (rng.random(n) < 0.02).tolist()
    blocked = (rng.random(n) < 0.01).tolist()
    internal = (rng.random(n) < 0.01).tolist()
    people = rng.integers(1, 7, n).tolist()
    phones = rng.integers(13000000000, 18999999999, n).tolist()
    joined = rng.integers(0, p2.DAYS, n).tolist()
    group_ids = ref["group_ids"]
    groups = ref["customer_group"].tolist()
    regions = ref["customer_region"].tolist()
    owners = ref["customer_owner"].tolist()
    for i in range(n):
        g = groups[i]
        if g == 0:
            name = f"{surnames[first[i]]} {given[second[i]]} {i + 1}"
            kind_type = "end_consumer"
        else:
            name = f"{surnames[first[i]]}'s {trades[trade[i]]} {i + 1}"
            kind_type = "intermediary"
        kind = "internal" if internal[i] else "external"
        at = text.at(joined[i], 540)
        reason = "Unpaid invoices" if blocked[i] else ""
        yield (
            f"{i + 1}\tC{i + 1:06d}\t{name}\t\t{kind}\t{kind_type}\t{phones[i]}\t\tzh-hans"
            f"\t{i + 1} Some Road\t{regions[i]}-{i % 5}\t{people[i]}\tpeople\t\t[]\t0"
            f"\t{'t' if blocked[i] else 'f'}\t{reason}\t{'f' if archived[i] else 't'}\t{at}\t{at}"
            f"\t{owners[i]}\t{group_ids[g]}\t{ref['region_ids'][regions[i]]}"
        )


CUSTOMER_COLUMNS = (
    "id, code, name, alias, kind, customer_type, phone, email, language, address, route, "
    "size, size_unit, preferences, preferred_days, payment_terms_days, is_blocked, "
    "blocked_reason, is_active, created_at, updated_at, owner_id, group_id, region_id"
)


def _per_customer(rng, ref, base: list[float], p: list[float], heavy: int) -> np.ndarray:
    counts = rng.choice(base, CUSTOMERS, p=p).astype(np.int64)
    counts[ref["heavy"]] = heavy
    return counts


def _contact_rows(rng, ref):
    counts = _per_customer(rng, ref, [0, 1, 2, 3], [0.2, 0.45, 0.25, 0.1], 8)
    who = np.repeat(np.arange(CUSTOMERS), counts)
    given = GIVEN.split()
    names = rng.integers(0, len(given), who.size).tolist()
    phones = rng.integers(13000000000, 18999999999, who.size).tolist()
    first = np.r_[True, who[1:] != who[:-1]].tolist()
    for n, c in enumerate(who.tolist()):
        primary = "t" if first[n] else "f"
        yield (
            f"{n + 1}\tContact {given[names[n]]} {n + 1}\tbuyer\t{phones[n]}"
            f"\tc{n + 1}@example.com\t{primary}\t\t{c + 1}"
        )


CONTACT_COLUMNS = "id, name, role, phone, email, is_primary, notes, customer_id"


def _tag_rows(rng, ref):
    counts = _per_customer(rng, ref, [0, 1, 2], [0.5, 0.35, 0.15], 3)
    n = 0
    tags = ref["tag_ids"]
    for c, k in enumerate(counts.tolist()):
        for t in rng.choice(len(tags), k, replace=False).tolist() if k else ():
            n += 1
            yield f"{n}\t{c + 1}\t{tags[t]}"


INTERACTION_KINDS = ("call", "visit", "message", "note", "reminder", "order", "delivery")


def _interaction_rows(rng, text, ref):
    counts = rng.poisson(5, CUSTOMERS)
    counts[ref["heavy"]] = rng.integers(800, 2000, HEAVY)
    who = np.repeat(np.arange(CUSTOMERS), counts)
    m = who.size
    day = rng.integers(0, p2.DAYS - 1, m).tolist()
    minute = rng.integers(8 * 60, 20 * 60, m).tolist()
    kind = rng.integers(0, len(INTERACTION_KINDS), m).tolist()
    owners = ref["customer_owner"][who].tolist()
    for n, c in enumerate(who.tolist()):
        at = text.at(day[n], minute[n])
        k = INTERACTION_KINDS[kind[n]]
        summary = f"A {k} with the customer, number {n + 1}."
        yield f"{n + 1}\t{k}\t{at}\t{summary}\t\t{at}\t{owners[n]}\t{c + 1}"


INTERACTION_COLUMNS = (
    "id, kind, occurred_at, summary, reference, created_at, author_id, customer_id"
)


def _commitment_rows(text, ref, lines, versions, deliveries):
    """One commitment per promised line, on its latest version; open while the line is
    promised and not delivered (the recent orders), closed otherwise."""
    promised = np.flatnonzero(versions["promised"])
    latest = np.cumsum(1 + (versions["change"][promised] > 0))  # ids as p2 numbers them
    delivered = np.zeros(len(lines["order"]), dtype=bool)
    delivered[deliveries["line"]] = True
    is_open = (lines["status"][promised] == 0) & ~delivered[promised]
    product_ids = ref["product_ids"][lines["product"][promised]].tolist()
    columns = zip(
        promised.tolist(), latest.tolist(), versions["governing_day"][promised].tolist(),
        versions["quantity"][promised].tolist(), is_open.tolist(), product_ids, strict=True,
    )  # fmt: skip
    for n, (line, version, day, q, still, product) in enumerate(columns):
        yield (
            f"{n + 1}\t{text.dates[day]}\t{q}\tf\t{'t' if still else 'f'}\t{product}"
            f"\t{line + 1}\t{version}"
        )


COMMITMENT_COLUMNS = "id, date, quantity, to_procure, is_open, product_id, line_id, version_id"


def _subscriptions(rng, ref, orders, lines) -> dict:
    """A rice jar for SUBSCRIBED of the households that bought rice: the rice they bought most."""
    buys = np.zeros((CUSTOMERS, CONSUMABLES), dtype=np.int64)
    rice = lines["product"] < CONSUMABLES
    np.add.at(buys, (orders["customer"][lines["order"][rice]], lines["product"][rice]), 1)
    household = ref["customer_group"] == 0
    lucky = rng.random(CUSTOMERS) < SUBSCRIBED
    chosen = np.flatnonzero(household & (buys.sum(axis=1) > 0) & lucky)
    return {
        "customer": chosen,
        "product": buys[chosen].argmax(axis=1),
        "capacity": rng.choice([10, 15, 20, 25], chosen.size),
        "people": rng.integers(1, 7, chosen.size),
    }


def _subscription_rows(text, ref, subs):
    at = text.at(0, 600)
    products = ref["product_ids"][subs["product"]].tolist()
    columns = zip(
        subs["customer"].tolist(), products, subs["capacity"].tolist(), subs["people"].tolist(),
        strict=True,
    )  # fmt: skip
    for n, (c, product, capacity, people) in enumerate(columns):
        yield (
            f"{n + 1}\t{capacity}\t{people}\tto_capacity\t\\N\t[]\tany\tt\t\t{at}"
            f"\t{c + 1}\t{product}"
        )


SUBSCRIPTION_COLUMNS = (
    'id, capacity, people, fill_policy, fixed_quantity, preferred_days, "window", is_active, '
    "note, created_at, customer_id, product_id"
)


def _reading_rows(rng, text, ref, subs):
    counts = rng.poisson(4, subs["customer"].size)
    who = np.repeat(np.arange(subs["customer"].size), counts)
    day = rng.integers(p2.DAYS - 300, p2.DAYS - 1, who.size).tolist()
    level = (rng.random(who.size) * subs["capacity"][who]).round(1).tolist()
    feedback = (rng.random(who.size) < 0.3).tolist()
    user = ref["user_ids"][0]
    for n, s in enumerate(who.tolist()):
        source = "feedback" if feedback[n] else "reading"
        yield (
            f"{n + 1}\t{text.dates[day[n]]}\t{level[n]}\t{source}\t\t{text.at(day[n], 600)}"
            f"\t{user}\t{s + 1}"
        )


READING_COLUMNS = "id, day, level, source, note, created_at, created_by_id, subscription_id"

TICKET_KINDS = ("complaint", "request", "question", "return")
OPEN_STATUSES = ("new", "open", "waiting_customer")


def _ticket_rows(rng, text, ref, orders):
    """A ticket for one order in twenty; the recent ones still open."""
    count = len(orders["day"]) // 20
    picked = np.sort(rng.choice(len(orders["day"]), count, replace=False))
    day = orders["day"][picked].tolist()
    customers = (orders["customer"][picked] + 1).tolist()
    kind = rng.integers(0, len(TICKET_KINDS), count).tolist()
    priority = rng.choice(["low", "normal", "high", "urgent"], count, p=[0.2, 0.6, 0.15, 0.05])
    assignee = rng.choice(ref["user_ids"], count).tolist()
    for n in range(count):
        at = text.at(day[n], 660)
        recent = day[n] >= p2.DAYS - 10
        status = OPEN_STATUSES[n % 3] if recent else "closed"
        resolved = "\\N" if recent else text.at(min(day[n] + 1, p2.DAYS - 1), 700)
        yield (
            f"{n + 1}\t{TICKET_KINDS[kind[n]]}\t{priority[n]}\t{status}\tphone"
            f"\tAbout order {picked[n] + 1}\tThe customer called.\t{at}\t{at}\t{at}\t{resolved}"
            f"\t\t\tf\t\t\t{assignee[n]}\t{customers[n]}"
        )


TICKET_COLUMNS = (
    "id, kind, priority, status, channel, subject, description, created_at, updated_at, "
    "first_responded_at, resolved_at, first_response_state, resolution_state, sla_paused, "
    "first_response_warned, resolution_warned, assignee_id, customer_id"
)


def _survey_rows(rng, text, ref, orders):
    """A delivery survey for one order in eight; six in ten answered."""
    count = len(orders["day"]) // 8
    picked = np.sort(rng.choice(len(orders["day"]), count, replace=False))
    day = np.minimum(orders["day"][picked] + 2, p2.DAYS - 1).tolist()
    customers = (orders["customer"][picked] + 1).tolist()
    answered = (rng.random(count) < 0.6).tolist()
    csat = rng.choice([1, 2, 3, 4, 5], count, p=[0.03, 0.05, 0.12, 0.4, 0.4]).tolist()
    nps = rng.integers(0, 11, count).tolist()
    staff = rng.choice(ref["user_ids"], count).tolist()
    for n in range(count):
        sent = text.at(day[n], 720)
        expires = text.at(min(day[n] + 14, p2.DAYS + 30), 720)
        digest = hashlib.sha256(f"p5-{n}".encode()).hexdigest()
        if answered[n]:
            got = f"{text.at(day[n], 900)}\t{csat[n]}\t{nps[n]}\tFine, thanks."
        else:
            got = "\\N\t\\N\t\\N\t"
        yield (
            f"{n + 1}\tdelivery\tzh-hans\t{digest}\t{sent}\t{expires}\tsms\t{got}"
            f"\t{customers[n]}\t{picked[n] + 1}\t{staff[n]}"
        )


SURVEY_COLUMNS = (
    "id, trigger, language, token_digest, sent_at, expires_at, sent_to, answered_at, csat, "
    "nps, comment, customer_id, order_id, staff_id"
)
QUADRANTS = ("partners", "at_risk_value", "loyal_small", "transactional")


def _value_rows(rng, text, ref, orders, run_id):
    """Every external customer with orders, as a value refit would leave them."""
    counts = np.bincount(orders["customer"], minlength=CUSTOMERS)
    first = np.full(CUSTOMERS, p2.DAYS)
    last = np.zeros(CUSTOMERS, dtype=np.int64)
    np.minimum.at(first, orders["customer"], orders["day"])
    np.maximum.at(last, orders["customer"], orders["day"])
    spend = rng.lognormal(5, 0.6, CUSTOMERS).round(2).tolist()
    p_alive = rng.random(CUSTOMERS).round(3).tolist()
    quadrant = rng.integers(0, 4, CUSTOMERS).tolist()
    scores = rng.integers(1, 6, (CUSTOMERS, 3)).tolist()
    counts_l, first_l, last_l = counts.tolist(), first.tolist(), last.tolist()
    for c in range(CUSTOMERS):
        if not counts_l[c]:
            continue
        age = (p2.DAYS - first_l[c]) / 7
        recency = (last_l[c] - first_l[c]) / 7
        expected = round(counts_l[c] / max(age, 1) * 52, 2)
        clv = round(expected * spend[c] * p_alive[c], 2)
        nxt = text.dates[min(last_l[c] + 14, p2.DAYS + 30)]
        r, f, m = scores[c]
        yield (
            f"{c + 1}\t{text.dates[first_l[c]]}\t{text.dates[last_l[c]]}\t{counts_l[c] - 1}"
            f"\t{recency:.2f}\t{age:.2f}\t{spend[c]}\t{p_alive[c]}\t{expected}"
            f"\t{round(expected * spend[c], 2)}\t{clv}\t{nxt}\t\\N\tt\t{r}\t{f}\t{m}"
            f"\t{QUADRANTS[quadrant[c]]}\t{run_id}"
        )


VALUE_COLUMNS = (
    "customer_id, first_purchase, last_purchase, frequency, recency_weeks, age_weeks, "
    "average_spend, p_alive, expected_purchases, expected_spend, clv, expected_next_purchase, "
    "overdue_on, is_consumable_buyer, recency_score, frequency_score, monetary_score, "
    "quadrant, run_id"
)


def generate(run_dir: str) -> None:
    _django()
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from kept.customers.models import Customer
    from kept.value.models import ValueRun

    started = time.perf_counter()
    p2.CUSTOMERS, p2.ORDERS, p2.PRODUCTS = CUSTOMERS, ORDERS, PRODUCTS
    p2.BIG_TABLES = BIG_TABLES
    rng = np.random.default_rng(SEED)
    today = p2._today()
    first = today - timedelta(days=p2.DAYS - 1)
    ref = _reference(rng)
    orders = p2._orders(rng, ref)
    lines = p2._lines(rng, orders)
    versions = p2._versions(rng, lines)
    deliveries = p2._deliveries(rng, orders, lines, versions)
    subs = _subscriptions(rng, ref, orders, lines)
    run = ValueRun.objects.create(
        status="done", as_of=today, customers=CUSTOMERS, finished_at=timezone.now(),
        fit={"horizon_months": 12},
    )  # fmt: skip
    generated = time.perf_counter()
    text = p2._Text(first)
    connection.ensure_connection()
    raw = connection.connection  # psycopg, autocommit as Django leaves it
    with raw.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("SELECT set_config('TimeZone', %s, false)", [settings.TIME_ZONE])
    counts = {"customers": p2._copy(raw, "customers_customer", CUSTOMER_COLUMNS,
                                    _customer_rows(rng, text, ref))}  # fmt: skip
    with raw.cursor() as cursor:
        drops, creates = p2._constraints_and_indexes(cursor)
        for statement in drops:
            cursor.execute(statement)
    tables = {
        "contacts": ("customers_contact", CONTACT_COLUMNS, _contact_rows(rng, ref)),
        "tags": ("customers_customer_tags", "id, customer_id, tag_id", _tag_rows(rng, ref)),
        "interactions": (
            "customers_interaction", INTERACTION_COLUMNS, _interaction_rows(rng, text, ref)
        ),
        "orders": ("promising_order", p2.ORDER_COLUMNS, p2._order_rows(text, ref, orders)),
        "lines": (
            "promising_orderline", p2.LINE_COLUMNS,
            p2._line_rows(text, ref, orders, lines, versions),
        ),
        "versions": (
            "promising_promiseversion", p2.VERSION_COLUMNS,
            p2._version_rows(text, orders, lines, versions),
        ),
        "commitments": (
            "promising_commitment", COMMITMENT_COLUMNS,
            _commitment_rows(text, ref, lines, versions, deliveries),
        ),
        "deliveries": (
            "fulfilment_delivery", p2.DELIVERY_COLUMNS, p2._delivery_rows(text, deliveries)
        ),
        "subscriptions": (
            "replenishment_subscription", SUBSCRIPTION_COLUMNS,
            _subscription_rows(text, ref, subs),
        ),
        "readings": ("replenishment_reading", READING_COLUMNS, _reading_rows(rng, text, ref, subs)),
        "tickets": ("servicedesk_ticket", TICKET_COLUMNS, _ticket_rows(rng, text, ref, orders)),
        "surveys": ("feedback_survey", SURVEY_COLUMNS, _survey_rows(rng, text, ref, orders)),
        "values": (
            "value_customervalue", VALUE_COLUMNS, _value_rows(rng, text, ref, orders, run.pk)
        ),
    }  # fmt: skip
    for name, table in tables.items():
        counts[name] = p2._copy(raw, *table)
        print(f"  {name}: {counts[name]:,} rows", flush=True)  # noqa: T201
    copied = time.perf_counter()
    with raw.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'UTC'")
        for statement in creates:
            cursor.execute(statement)
        for table in (*BIG_TABLES, "customers_customer", "replenishment_subscription"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"  # noqa: S608 (fixed names)
                if table != "value_customervalue"
                else "SELECT 1"
            )
    indexed = time.perf_counter()
    with raw.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    done = time.perf_counter()
    order_counts = np.bincount(orders["customer"], minlength=CUSTOMERS)
    result = {
        "today": today.isoformat(),
        "customers": Customer.objects.count(),
        "products": PRODUCTS,
        **counts,
        "orders_per_customer": {
            "median": int(np.median(order_counts)),
            "p99": int(np.percentile(order_counts, 99)),
            "max": int(order_counts.max()),
            "heavy_min": int(order_counts[ref["heavy"]].min()),
        },
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


def password() -> None:
    """Give the manager P5_PASSWORD (a reused database keeps the last run's otherwise)."""
    _django()
    from django.contrib.auth import get_user_model

    manager = get_user_model().objects.get(username=MANAGER)
    manager.set_password(os.environ["P5_PASSWORD"])
    manager.save(update_fields=["password"])


# Targets -------------------------------------------------------------------------------------

HEAVIEST = 20


def _list_urls() -> list[str]:
    from django.contrib.auth import get_user_model

    from kept.customers.models import CustomerGroup, Region

    owner = get_user_model().objects.get(username="owner03").pk
    groups = list(CustomerGroup.objects.values_list("code", flat=True))
    regions = list(Region.objects.values_list("code", flat=True))
    return [
        "/customers/",
        "/customers/?page=2",
        "/customers/?page=800",  # 50 a page: the middle of 98 k active customers
        "/customers/?page=1900",
        "/customers/?q=Wang",
        "/customers/?q=Noodle",
        "/customers/?q=C04711",
        "/customers/?q=1391",  # a phone fragment
        "/customers/?q=Contact%20Min%2012",  # a contact's name
        "/customers/?q=nobody-has-this",
        f"/customers/?group={groups[1]}",
        f"/customers/?group={groups[0]}&page=300",
        f"/customers/?region={regions[3]}",
        f"/customers/?owner={owner}",
        "/customers/?kind=internal",
        "/customers/?tag=tag07",
        f"/customers/?tag=tag03&region={regions[5]}&group={groups[0]}",
    ]


def targets(run_dir: str) -> None:
    _django()
    from django.db.models import Count

    from kept.customers.models import Customer

    rng = np.random.default_rng([SEED, 5])
    codes = list(Customer.objects.order_by("id").values_list("code", flat=True))
    uniform = [codes[i] for i in rng.choice(len(codes), min(20000, len(codes)), replace=False)]
    heavy = list(
        Customer.objects.annotate(n=Count("orders"))
        .order_by("-n", "id")
        .values_list("code", flat=True)[:HEAVIEST]
    )
    paths = {
        "uniform": [f"/customers/{code}/" for code in uniform],
        "heavy": [f"/customers/{code}/" for code in heavy],
        "list": _list_urls(),
    }
    for name, found in paths.items():
        Path(run_dir, f"paths_{name}.txt").write_text("\n".join(found) + "\n")
        print(f"  {name}: {len(found)} paths")  # noqa: T201


# Queries per page, in process ----------------------------------------------------------------


def _client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=MANAGER))
    return client


def queries(run_dir: str) -> None:
    _django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client()
    found = {}
    for name in ("uniform", "heavy", "list"):
        paths = Path(run_dir, f"paths_{name}.txt").read_text().split()
        rows = []
        for path in paths[:20]:
            client.get(path)  # warm
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(path)
                took = time.perf_counter() - start
            assert response.status_code == 200, (path, response.status_code)  # noqa: S101
            slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
            rows.append((path, len(captured), took, float(slowest["time"]), slowest["sql"]))
        counts = sorted({r[1] for r in rows})
        worst = max(rows, key=lambda r: r[2])
        found[name] = {"queries": counts, "worst_ms": round(worst[2] * 1000, 1),
                       "worst_path": worst[0]}  # fmt: skip
        print(  # noqa: T201
            f"{name:8} queries per page {counts[0]}–{counts[-1]}; slowest page"
            f" {worst[2] * 1000:.0f} ms ({worst[0]}); its slowest query"
            f" {worst[3] * 1000:.0f} ms: {worst[4][:300]}"
        )
    Path(run_dir, "queries.json").write_text(json.dumps(found, indent=1))


def explain(run_dir: str) -> None:
    """The statements of the heaviest notebook and the list pages, slowest first."""
    _django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client()
    for name in ("heavy", "list"):
        for path in Path(run_dir, f"paths_{name}.txt").read_text().split()[:3]:
            client.get(path)
            with CaptureQueriesContext(connection) as captured:
                client.get(path)
            print(f"== {path}: {len(captured)} queries")  # noqa: T201
            for q in sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:4]:
                print(f"  {float(q['time']) * 1000:7.1f} ms  {q['sql'][:400]}")  # noqa: T201


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {
        "generate": generate,
        "password": password,
        "targets": targets,
        "queries": queries,
        "explain": explain,
    }[command](*args)
