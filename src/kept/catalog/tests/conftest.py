"""Catalog fixtures: a product factory and a product with stock on hand."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone


@pytest.fixture
def make_product(db):
    from kept.catalog import actions

    counter = {"n": 0}

    def make(sku: str | None = None, on_hand: str | None = None, **fields):
        counter["n"] += 1
        values = {
            "sku": sku or f"SKU-{counter['n']:03d}",
            "name": f"Product {counter['n']}",
            "unit": "kg",
            "price": Decimal("10.00"),
            "cost": Decimal("7.25"),
        }
        product = actions.create_product({**values, **fields})
        if on_hand:
            actions.record_movement(product, Decimal(on_hand), "opening")
        return product

    return make


@pytest.fixture
def rice(make_product):
    """Jasmine rice, 5 kg bags: 100 on hand, price 60.00, cost 41.50."""
    return make_product(
        "RICE-5KG",
        on_hand="100",
        name="Jasmine rice 5 kg",
        unit="bag",
        price=Decimal("60.00"),
        cost=Decimal("41.50"),
        consumable=True,
    )


@pytest.fixture
def tomorrow():
    return timezone.localdate() + timedelta(days=1)


@pytest.fixture
def make_receipt(tomorrow):
    from kept.catalog import actions

    def make(product, quantity: str = "40", expected_date=None, reference: str = "PO-1"):
        return actions.schedule_receipt(
            product, Decimal(quantity), expected_date or tomorrow, reference=reference
        )

    return make
