"""Export → import gives back the same data, for every entity, in CSV and in XLSX."""

from __future__ import annotations

import csv
import io
from datetime import time, timedelta
from decimal import Decimal

import pytest

from kept.catalog import actions as catalog
from kept.catalog.models import Product, Receipt, StockLevel, StockMovement
from kept.core.transfer import export_entity, import_file
from kept.customers import actions as customers
from kept.customers.models import Contact, Customer

pytestmark = pytest.mark.usefixtures("english")
FORMATS = ["csv", "xlsx"]
# Written when the movement is re-recorded, so they differ after a round trip by design.
MOVEMENT_HISTORY_COLUMNS = {"created_at", "created_by"}


def table(entity: str, user, *, leave_out=frozenset()) -> list[dict]:
    """The entity's CSV export as a list of rows (column → text)."""
    data, _content_type, _name = export_entity(entity, "csv", user=user)
    assert data.startswith(b"\xef\xbb\xbf"), "CSV exports start with a UTF-8 BOM for Excel"
    rows = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    return [{key: value for key, value in row.items() if key not in leave_out} for row in rows]


def round_trip(entity: str, fmt: str, user, wipe) -> tuple:
    data, _content_type, filename = export_entity(entity, fmt, user=user)
    wipe()
    return import_file(entity, data, filename, dry_run=False, actor=user), data, filename


@pytest.fixture
def notebook(lookups, manager, staff):
    """Two customers with every column filled in, Chinese text and formula-like values."""
    first = customers.create_customer(
        {
            "code": "C001",
            "name": "张三米店",
            "alias": "Zhang San Rice",
            "kind": "external",
            "customer_type": "intermediary",
            "group": lookups["retail"],
            "owner": staff,
            "phone": "+86 138 0013 8000",
            "email": "zhang@example.cn",
            "language": "zh-hans",
            "address": "上海市浦东新区\n世纪大道 100 号",
            "region": lookups["east"],
            "route": "R1",
            "size": 5,
            "size_unit": "people",
            "preferences": "喜欢周末送货",
            "preferred_days": [1, 3, 5],
            "window_start": time(9, 0),
            "window_end": time(11, 30),
            "credit_limit": Decimal("5000.00"),
            "payment_terms_days": 30,
            "is_blocked": True,
            "blocked_reason": "逾期未付",
        },
        actor=manager,
        tags=["VIP", "老客户"],
    )
    second = customers.create_customer(
        {
            "code": "C002",
            "name": '=HYPERLINK("http://x")',
            "owner": manager,
            "kind": "internal",
            "preferences": "-not a number",
            "customer_type": "end_consumer",
        },
        actor=manager,
    )
    return [first, second]


@pytest.mark.parametrize("fmt", FORMATS)
def test_customers_round_trip(notebook, manager, fmt):
    before = table("customers", manager)

    report, data, filename = round_trip("customers", fmt, manager, Customer.objects.all().delete)

    assert report.ok, report.errors
    assert (report.rows_total, report.created, report.updated) == (2, 2, 0)
    assert table("customers", manager) == before
    assert Customer.objects.get(code="C002").name == '=HYPERLINK("http://x")'
    again = import_file("customers", data, filename, dry_run=False, actor=manager)
    assert (again.created, again.updated) == (0, 2)
    assert table("customers", manager) == before


@pytest.mark.parametrize("fmt", FORMATS)
def test_contacts_round_trip(notebook, manager, fmt):
    customers.save_contact(
        notebook[0],
        {
            "name": "王经理",
            "role": "店长",
            "phone": "021-5555",
            "is_primary": True,
            "notes": "只在上午接电话",
        },
    )
    customers.save_contact(notebook[0], {"name": "小李", "email": "li@example.cn"})
    customers.save_contact(notebook[1], {"name": "Mr. Chen", "role": "buyer"})
    before = table("contacts", manager)

    report, _data, _name = round_trip("contacts", fmt, manager, Contact.objects.all().delete)

    assert report.ok, report.errors
    assert (report.created, report.updated) == (3, 0)
    assert table("contacts", manager) == before


@pytest.mark.parametrize("fmt", FORMATS)
def test_products_round_trip(oil, manager, fmt):
    catalog.create_product(
        {
            "sku": "WATER-19L",
            "name": "桶装水 19L",
            "unit": "桶",
            "price": Decimal("18"),
            "cost": Decimal("9.99"),
            "sellable": False,
            "grade": "GB 19298",
            "delivery_lead_days": 1,
        }
    )
    before = table("products", manager)

    report, _data, _name = round_trip("products", fmt, manager, Product.objects.all().delete)

    assert report.ok, report.errors
    assert (report.created, report.updated) == (2, 0)
    assert table("products", manager) == before
    assert StockLevel.objects.filter(product__sku__in=["OIL1", "WATER-19L"]).count() == 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_stock_movements_round_trip(rice, warehouse, fmt):
    catalog.record_manual_movement(rice, Decimal("-2"), "damage", note="破袋")
    catalog.record_manual_movement(rice, Decimal("5.5"), "adjustment", note="盘点后补录")
    catalog.record_manual_movement(rice, Decimal("1"), "return")
    before = table("stock_movements", warehouse, leave_out=MOVEMENT_HISTORY_COLUMNS)

    def wipe():
        StockMovement.objects.all().delete()
        StockLevel.objects.update(on_hand=0)

    report, _data, _name = round_trip("stock_movements", fmt, warehouse, wipe)

    assert report.ok, report.errors
    assert report.created == 4
    assert table("stock_movements", warehouse, leave_out=MOVEMENT_HISTORY_COLUMNS) == before
    assert StockLevel.objects.get(product=rice).on_hand == Decimal("14.5")


@pytest.mark.parametrize("fmt", FORMATS)
def test_receipts_round_trip(rice, oil, warehouse, soon, fmt):
    catalog.schedule_receipt(rice, Decimal("50"), soon, reference="PO-2025-001")
    catalog.schedule_receipt(oil, Decimal("12.5"), soon + timedelta(days=3))
    cancelled = catalog.schedule_receipt(rice, Decimal("5"), soon, reference="供应商取消")
    catalog.cancel_receipt(cancelled)
    before = table("receipts", warehouse)

    report, _data, _name = round_trip("receipts", fmt, warehouse, Receipt.objects.all().delete)

    assert report.ok, report.errors
    assert report.created == 3
    assert table("receipts", warehouse) == before
