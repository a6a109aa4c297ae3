"""Fixtures for the import/export tests: files in memory, reference data, a census of rows."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone


@pytest.fixture
def make_csv():
    """make_csv(rows, encoding="utf-8") → the bytes of a CSV file."""

    def make(rows, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n", delimiter=delimiter).writerows(rows)
        return buffer.getvalue().encode(encoding)

    return make


@pytest.fixture
def make_xlsx():
    """make_xlsx(rows) → the bytes of a one-sheet workbook (dates and numbers stay native)."""

    def make(rows) -> bytes:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        for row in rows:
            sheet.append(list(row))
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    return make


@pytest.fixture
def census(db):
    """census() → the number of rows of every table an import may write, and all on-hand."""
    from kept.catalog.models import Product, Receipt, StockLevel, StockMovement
    from kept.core.models import AuditEntry
    from kept.customers.models import Contact, Customer, Tag

    def count() -> dict:
        models = (Customer, Contact, Tag, Product, StockLevel, StockMovement, Receipt, AuditEntry)
        counts = {model.__name__: model.objects.count() for model in models}
        counts["on_hand"] = dict(StockLevel.objects.values_list("product__sku", "on_hand"))
        counts["customer_names"] = sorted(Customer.objects.values_list("name", flat=True))
        counts["prices"] = dict(Product.objects.values_list("sku", "price"))
        return counts

    return count


@pytest.fixture
def lookups(db):
    """Groups and regions that customer files refer to by code."""
    from kept.customers.models import CustomerGroup, Region

    return {
        "retail": CustomerGroup.objects.create(code="RETAIL", name="零售"),
        "horeca": CustomerGroup.objects.create(code="HORECA", name="餐饮"),
        "east": Region.objects.create(code="EAST", name="东区"),
    }


@pytest.fixture
def rice(db):
    """Rice, 5 kg bag, with 10 bags on hand."""
    from kept.catalog import actions

    product = actions.create_product(
        {
            "sku": "RICE5",
            "name": "东北大米 5kg",
            "unit": "bag",
            "price": Decimal("40.00"),
            "cost": Decimal("30.00"),
        }
    )
    actions.record_movement(product, Decimal("10"), "opening")
    return product


@pytest.fixture
def oil(db):
    from kept.catalog import actions

    return actions.create_product(
        {
            "sku": "OIL1",
            "name": "花生油 1L",
            "unit": "bottle",
            "price": Decimal("25.50"),
            "cost": Decimal("18.20"),
            "consumable": True,
            "replenishment_lead_days": 3,
        }
    )


@pytest.fixture
def soon():
    """A date a week ahead: receipts may not be scheduled in the past."""
    return timezone.localdate() + timedelta(days=7)


@pytest.fixture
def english():
    """Messages in English, whatever KEPT_LANGUAGE is (use with pytest.mark.usefixtures)."""
    from django.utils import translation

    with translation.override("en"):
        yield
