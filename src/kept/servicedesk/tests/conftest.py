# ruff: noqa: F811 (the imported fixtures are used as fixtures here)
from datetime import UTC, datetime, time, timedelta

import pytest

from kept.promising.tests.conftest import customer, line, make_product, today  # noqa: F401

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday, 09:00 UTC


@pytest.fixture
def office(db):
    """The only policy: Monday–Friday 09:00–12:00 and 13:00–17:00 UTC, no holidays; normal
    priority answers in 2 business hours and resolves in 8, urgent in 1 and 4."""
    from kept.servicedesk.models import BusinessCalendar, SlaPolicy, SlaTarget, WorkingInterval

    SlaPolicy.objects.all().delete()
    calendar = BusinessCalendar.objects.create(name="Test office", time_zone="UTC")
    for day in range(5):
        WorkingInterval.objects.create(calendar=calendar, weekday=day, start=time(9), end=time(12))
        WorkingInterval.objects.create(calendar=calendar, weekday=day, start=time(13), end=time(17))
    policy = SlaPolicy.objects.create(name="Office", position=10, calendar=calendar)
    SlaTarget.objects.create(
        policy=policy,
        priority="normal",
        first_response=timedelta(hours=2),
        resolution=timedelta(hours=8),
    )
    SlaTarget.objects.create(
        policy=policy,
        priority="urgent",
        first_response=timedelta(hours=1),
        resolution=timedelta(hours=4),
    )
    return policy


@pytest.fixture
def at():
    """at(hours) → MONDAY + hours (wall clock)."""

    def moment(hours: float = 0, days: int = 0) -> datetime:
        return MONDAY + timedelta(days=days, hours=hours)

    return moment


@pytest.fixture
def delivered(make_product, customer, line):
    from decimal import Decimal

    from django.utils import timezone

    from kept.fulfilment import actions
    from kept.promising import actions as promising

    rice = make_product("RICE", on_hand="50")
    order, _ = promising.promise_order(customer, [line(rice, "10", 0)])
    return actions.record_delivery(order.lines.get(), Decimal(10), delivered_at=timezone.now())
