"""Two people taking the same stock at once: the stock row lock lets only one through."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from kept.catalog import actions
from kept.catalog.models import Product, StockLevel

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _take(product_id: int, quantity: str, barrier: threading.Barrier, outcomes: list) -> None:
    from django.db import connection as thread_connection

    try:
        product = Product.objects.get(pk=product_id)
        barrier.wait()
        actions.record_movement(product, Decimal(quantity), "adjustment")
        outcomes.append("taken")
    except ValidationError:
        outcomes.append("refused")
    finally:
        thread_connection.close()


def test_concurrent_withdrawals_never_oversell():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to test")
    product = actions.create_product(
        {"sku": "RACE", "name": "Race", "unit": "kg", "price": 1, "cost": 1}
    )
    actions.record_movement(product, Decimal("10"), "opening")
    barrier, outcomes = threading.Barrier(4), []

    threads = [
        threading.Thread(target=_take, args=(product.pk, "-6", barrier, outcomes)) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused", "refused", "refused", "taken"]
    assert StockLevel.objects.get(product=product).on_hand == 4
    balances = list(product.movements.order_by("id").values_list("balance_after", flat=True))
    assert balances == [10, 4]
