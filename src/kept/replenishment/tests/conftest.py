# ruff: noqa: F811 (the imported fixtures are used as fixtures here)
from datetime import timedelta
from decimal import Decimal

import pytest

# the promising fixtures (today, make_product, customer, line) serve here too
from kept.promising.tests.conftest import customer, line, make_product, today  # noqa: F401


@pytest.fixture
def fill(today):
    """fill(subscription, days_ago, quantity): a delivered order line of the subscribed
    product, written straight to the tables (history, as an import would leave it)."""
    from kept.fulfilment.tests.history import delivered_line

    def make(subscription, days_ago: int, quantity):
        day = today - timedelta(days=days_ago)
        product, customer = subscription.product, subscription.customer
        return delivered_line(customer, product, day, Decimal(quantity), price=10, cost=8)

    return make


@pytest.fixture
def jar(customer, make_product):
    """A 15 kg rice jar for a household of three."""
    from kept.replenishment.actions import save_subscription

    rice = make_product("RICE-5", on_hand="500", unit="kg")
    return save_subscription(customer, {"product": rice, "capacity": 15, "people": 3})
