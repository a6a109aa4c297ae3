# ruff: noqa: F811 (the imported fixtures are used as fixtures here)
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

# the promising fixtures (today, make_product, customer, line) serve here too
from kept.promising.tests.conftest import customer, line, make_product, today  # noqa: F401


@pytest.fixture
def fill(today):
    """fill(subscription, days_ago, quantity): a delivered order line of the subscribed
    product, written straight to the tables (history, as an import would leave it)."""
    from kept.fulfilment.models import Delivery
    from kept.promising.models import Order, OrderLine

    def make(subscription, days_ago: int, quantity) -> Delivery:
        day = today - timedelta(days=days_ago)
        order = Order.objects.create(
            number=f"H-{Order.objects.count() + 1}", customer=subscription.customer
        )
        row = OrderLine.objects.create(
            order=order,
            number=1,
            product=subscription.product,
            requested_quantity=Decimal(quantity),
            requested_date=day,
            unit_price=10,
            unit_cost=8,
            decision="commit",
            status="promised",
            governing_quantity=Decimal(quantity),
            governing_date=day,
        )
        at = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))
        return Delivery.objects.create(
            line=row, quantity=Decimal(quantity), delivered_at=at, delivered_on=day
        )

    return make


@pytest.fixture
def jar(customer, make_product):
    """A 15 kg rice jar for a household of three."""
    from kept.replenishment.actions import save_subscription

    rice = make_product("RICE-5", on_hand="500", unit="kg")
    return save_subscription(customer, {"product": rice, "capacity": 15, "people": 3})
