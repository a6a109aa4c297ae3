"""The demo's deliveries: consistent with the promises, and telling the service-level story
(a late route, short picks on two products, damaged bags on one)."""

import random
from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.db.models import OuterRef, Subquery, Sum
from django.utils import timezone

from kept.demo import deliveries
from kept.demo.context import DemoContext
from kept.fulfilment.metrics import service_level
from kept.fulfilment.models import Delivery, ServiceTolerance
from kept.promising.choices import LineStatus
from kept.promising.models import OrderLine, PromiseVersion

SHANGHAI = ZoneInfo("Asia/Shanghai")
SKUS = ["RICE-NE-10", "RICE-NE-5", "RICE-TH-5", "OIL-SB-20", "OIL-RS-5"]


@pytest.fixture
def small_demo(shared_demo):
    return shared_demo[0]


@pytest.fixture
def today(shared_demo):
    return shared_demo[1]


@pytest.mark.django_db
def test_deliveries_never_exceed_the_latest_promise_nor_reach_today(small_demo, today):
    latest = PromiseVersion.objects.filter(line=OuterRef("pk")).order_by("-number")
    lines = OrderLine.objects.annotate(
        delivered=Sum("deliveries__quantity"), promised=Subquery(latest.values("quantity")[:1])
    ).filter(delivered__isnull=False)
    assert lines.count() > 1000
    for line in lines:
        assert line.status == LineStatus.PROMISED and not line.order.cancelled_by
        assert 0 < line.delivered <= line.promised
    assert small_demo.deliveries == Delivery.objects.count()
    for delivery in Delivery.objects.all():
        assert delivery.delivered_on < today
        assert timezone.localdate(delivery.delivered_at) == delivery.delivered_on
        assert delivery.created_at > delivery.delivered_at
        assert delivery.quality_ok == (delivery.defect == "")
        assert delivery.created_by.username == "warehouse"


@pytest.mark.django_db
def test_every_past_promise_is_delivered_but_a_few(small_demo, today):
    past = OrderLine.objects.filter(
        status=LineStatus.PROMISED, governing_date__lt=today - timedelta(days=7)
    )
    undelivered = past.filter(deliveries__isnull=True).count()
    assert 0 < undelivered < 0.02 * past.count()
    assert small_demo.undelivered_lines >= undelivered


@pytest.mark.django_db
def test_the_late_route_slips_saturdays_to_monday(small_demo):
    slipped = Delivery.objects.filter(note=deliveries.LATE_SATURDAY).select_related(
        "line__order__customer__region"
    )
    assert slipped.exists()
    for delivery in slipped:
        assert delivery.line.order.customer.region.code == deliveries.LATE_REGION
        assert delivery.delivered_on.isoweekday() in (7, 1)  # Sunday or Monday


@pytest.mark.django_db
def test_tolerances_and_service_level_over_two_years(small_demo, today):
    tolerances = {t.group.code if t.group else None: t for t in ServiceTolerance.objects.all()}
    assert set(tolerances) == {None, "household", "institution"} and small_demo.tolerances == 3
    assert tolerances["household"].late_days == 1 and tolerances[None].late_days == 0
    start, end = today - timedelta(days=730), today - timedelta(days=1)
    promise = service_level(start, end, by="month", against="promise", today=today)[1].rates()
    request = service_level(start, end, by="month", against="request", today=today)[1].rates()
    assert 0.85 <= promise["otif"] <= 0.98
    assert 0.95 <= promise["quality"] < 1
    assert request["otif"] < promise["otif"]
    assert promise["perfect_order_rate"] < promise["otif"]


# The courier alone, on many made-up promises: the story in numbers, for a fixed seed.


def _plans(count: int, today: date) -> list:
    rng = random.Random(11)
    plans = []
    for number in range(count):
        day = today - timedelta(days=rng.randint(5, 700))
        region = rng.choice([1, 2, 3, 4])
        customer = SimpleNamespace(region_id=region, window_start=time(8), window_end=time(10))
        product = SimpleNamespace(sku=SKUS[number % len(SKUS)], unit="袋")
        version = SimpleNamespace(parts=((Decimal(rng.randint(1, 4)), day, False),), date=day)
        row = SimpleNamespace(pk=number, line=SimpleNamespace(product=product), promised=version)
        plans.append(
            SimpleNamespace(
                buyer=SimpleNamespace(customer=customer),
                at=datetime.combine(day - timedelta(days=3), time(10), tzinfo=SHANGHAI),
                delivered=lambda row=row: [row],
            )
        )
    return plans


@pytest.fixture
def courier_story():
    today = date(2026, 11, 25)
    ctx = DemoContext(seed=1, scale=1, today=today, tz=SHANGHAI)
    ctx.regions = {deliveries.LATE_REGION: SimpleNamespace(pk=1)}
    ctx.users = {"warehouse": None}
    courier = deliveries._Courier(ctx)
    plans = _plans(20_000, today)
    rows = {plan.delivered()[0].pk: (plan, []) for plan in plans}
    for plan in plans:
        for row in courier.deliver(plan):
            rows[row.line_id][1].append(row)
    return list(rows.values()), courier, today


def _share(pairs, failed) -> float:
    return sum(failed(plan, rows) for plan, rows in pairs) / len(pairs)


def _late(plan, rows) -> bool:
    due = plan.delivered()[0].promised.date
    return not rows or max(row.delivered_on for row in rows) > due


def test_the_late_region_is_late_far_more_often(courier_story):
    pairs, _courier, _today = courier_story
    pairs = [
        p for p in pairs if p[0].delivered()[0].line.product.sku not in deliveries.SHORT_PICKED
    ]
    late_region = [p for p in pairs if p[0].buyer.customer.region_id == 1]
    elsewhere = [p for p in pairs if p[0].buyer.customer.region_id != 1]
    assert _share(late_region, _late) > 0.12
    assert _share(elsewhere, _late) < 0.06
    saturdays = [p for p in late_region if p[0].delivered()[0].promised.date.isoweekday() == 6]
    assert _share(saturdays, _late) > 0.5


def test_short_picks_and_damage_concentrate_on_their_products(courier_story):
    pairs, _courier, _today = courier_story

    def by_sku(sku):
        return [p for p in pairs if p[0].delivered()[0].line.product.sku == sku]

    def short(plan, rows) -> bool:
        return (
            len(rows) > 1
            or sum(r.quantity for r in rows) < plan.delivered()[0].promised.parts[0][0]
        )

    def damaged(_plan, rows) -> bool:
        return any(row.defect == "damaged" for row in rows)

    assert _share(by_sku("RICE-TH-5"), short) > 0.08 > 0.02 > _share(by_sku("RICE-NE-5"), short)
    assert _share(by_sku("OIL-SB-20"), short) > 0.08
    assert (
        _share(by_sku("RICE-NE-10"), damaged) > 0.04 > 0.01 > _share(by_sku("RICE-NE-5"), damaged)
    )
    defects = Counter(row.defect for _plan, rows in pairs for row in rows)
    assert defects["wrong_item"] and defects["expired"]


def test_the_courier_never_delivers_today_or_more_than_promised(courier_story):
    pairs, courier, today = courier_story
    for plan, rows in pairs:
        promised = plan.delivered()[0].promised.parts[0][0]
        assert sum((row.quantity for row in rows), Decimal(0)) <= promised
        assert all(row.delivered_on < today for row in rows)
        assert all(row.delivered_at.tzinfo is not None for row in rows)
        assert all(time(8) <= row.delivered_at.time() < time(10) for row in rows)
    assert 0 < courier.undelivered < 0.01 * len(pairs)
