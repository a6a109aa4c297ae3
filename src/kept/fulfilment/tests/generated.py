"""A generated book of orders, promises and deliveries, written straight to the database,
and the same book scored by the pure core (to compare with the SQL)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from kept.catalog.models import Product
from kept.customers.models import Customer, CustomerGroup, Region
from kept.fulfilment import scoring
from kept.fulfilment.models import Delivery, ServiceTolerance
from kept.promising.ledger import governing_fields
from kept.promising.models import Order, OrderLine, PromiseVersion

KINDS = ["initial", "unilateral", "agreed"]


def build(seed: int, today: date, orders: int = 120) -> None:
    rng = random.Random(seed)
    user = get_user_model().objects.create(username=f"owner{seed}")
    groups = [CustomerGroup.objects.create(code=f"G{n}", name=f"group {n}") for n in range(2)]
    regions = [Region.objects.create(code=f"R{n}", name=f"region {n}") for n in range(2)]
    ServiceTolerance.objects.create(group=None, late_days=1)
    ServiceTolerance.objects.create(group=groups[0], early_days=1, short_percent=Decimal(5))
    customers = [
        Customer.objects.create(
            code=f"C{n}",
            name=f"customer {n}",
            group=rng.choice([None, *groups]),
            region=rng.choice([None, *regions]),
            owner=rng.choice([None, user]),
        )
        for n in range(6)
    ]
    products = [
        Product.objects.create(sku=f"P{n}", name=f"product {n}", unit="bag", price=10, cost=8)
        for n in range(3)
    ]
    for number in range(orders):
        _order(rng, number, today, customers, products)


def _order(rng, number, today, customers, products) -> None:
    cancelled = rng.random() < 0.08
    order = Order.objects.create(
        number=f"G-{number}",
        customer=rng.choice(customers),
        decision="commit",
        cancelled_by=rng.choice(["customer", "supplier"]) if cancelled else "",
    )
    for line_number in range(1, rng.randint(1, 3) + 1):
        requested = today + timedelta(days=rng.randint(-70, 6))
        quantity = Decimal(rng.randint(1, 20))
        promised = rng.random() < 0.92
        versions = _versions(rng, requested, quantity) if promised else []
        line = OrderLine.objects.create(
            order=order,
            number=line_number,
            product=rng.choice(products),
            requested_quantity=quantity,
            requested_date=requested,
            unit_price=10,
            unit_cost=8,
            decision="commit" if promised else "decline",
            status="promised" if promised else "declined",
            **governing_fields(versions),
        )
        for version in versions:
            version.line = line
        PromiseVersion.objects.bulk_create(versions)
        if promised:
            _deliveries(rng, line, versions[-1], today)


def _versions(rng, requested, quantity) -> list[PromiseVersion]:
    day = requested + timedelta(days=rng.choice([0, 0, 0, 1, 2]))
    versions = [PromiseVersion(number=1, kind="initial", quantity=quantity, date=day, parts=[])]
    for number in range(2, rng.choice([1, 1, 2, 3]) + 1):
        day += timedelta(days=rng.randint(-1, 3))
        quantity = max(Decimal(1), quantity - rng.randint(0, 2))
        kind = rng.choice(KINDS[1:])
        versions.append(
            PromiseVersion(number=number, kind=kind, quantity=quantity, date=day, parts=[])
        )
    return versions


def _deliveries(rng, line, latest, today) -> None:
    left = latest.quantity
    for _ in range(rng.choice([0, 1, 1, 1, 2, 3])):
        if left <= 0:
            break
        quantity = min(left, Decimal(rng.randint(1, 12)) + Decimal(rng.choice(["0", "0.5"])))
        on = min(today, latest.date + timedelta(days=rng.randint(-3, 4)))
        at = timezone.make_aware(timezone.datetime.combine(on, timezone.datetime.min.time()))
        bad = rng.random() < 0.07
        Delivery.objects.create(
            line=line,
            quantity=quantity,
            delivered_at=at + timedelta(hours=rng.randint(8, 18)),
            delivered_on=on,
            quality_ok=not bad,
            defect="damaged" if bad else "",
        )
        left -= quantity


def _period(day: date, by: str) -> str:
    if by == "day":
        return day.isoformat()
    if by == "week":
        return (day - timedelta(days=day.weekday())).isoformat()
    return day.strftime("%Y-%m")


def _key(line: OrderLine, target_day: date, by: str) -> str:
    customer = line.order.customer
    if by in ("day", "week", "month"):
        return _period(target_day, by)
    return {
        "customer": customer.code,
        "group": customer.group.name if customer.group else "",
        "product": line.product.sku,
        "region": customer.region.name if customer.region else "",
        "owner": customer.owner.username if customer.owner else "",
        "total": "total",
    }[by]


def _tolerance(customer) -> scoring.Tolerance:
    rows = {t.group_id: t for t in ServiceTolerance.objects.all()}
    row = rows.get(customer.group_id) or rows.get(None)
    if row is None:
        return scoring.Tolerance()
    return scoring.Tolerance(row.early_days, row.late_days, row.short_percent)


def scores(start: date, end: date, by: str, against: str, today: date) -> list:
    """(key, LineScore) of every line whose target date is in [start, end]."""
    pairs = []
    lines = OrderLine.objects.select_related(
        "order__customer__group", "order__customer__region", "order__customer__owner", "product"
    ).prefetch_related("versions", "deliveries")
    for line in lines:
        facts = scoring.Line(
            line.pk,
            line.order_id,
            line.requested_quantity,
            line.requested_date,
            tuple(
                scoring.Version(v.number, v.kind, v.quantity, v.date) for v in line.versions.all()
            ),
            tuple(
                scoring.Delivery(d.quantity, d.delivered_on, d.quality_ok, d.pk)
                for d in line.deliveries.all()
            ),
            customer_cancelled=line.order.cancelled_by == "customer",
        )
        target = scoring.target_of(facts, against)
        if target is None or not start <= target.date <= end:
            continue
        score = scoring.score_line(facts, _tolerance(line.order.customer), today, against)
        pairs.append((_key(line, target.date, by), score))
    return pairs


def pure(start: date, end: date, by: str, against: str, today: date) -> dict:
    """The pure core's metrics per key over the same lines the SQL reads."""
    return scoring.summarise(scores(start, end, by, against, today))
