"""Deliveries import (all or nothing, through record_delivery) and export."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest

from kept.catalog.models import StockLevel
from kept.core.transfer import export_entity, import_file
from kept.fulfilment.models import Delivery

pytestmark = pytest.mark.django_db
HEADER = ["line", "quantity", "delivered_at", "quality_ok", "defect", "note"]


def csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode()


@pytest.fixture
def promised(make_product, customer, line):
    from kept.promising import actions

    rice = make_product("RICE", on_hand="50")
    order, _ = actions.promise_order(customer, [line(rice, "10", 1), line(rice, "4", 2)])
    return order


def test_import_deliveries_then_export_them(manager, promised, today):
    n, yesterday = promised.number, today - timedelta(days=1)
    data = csv_bytes(
        [
            HEADER,
            [f"{n}/1", "6", f"{yesterday} 09:30", "yes", "", "first drop"],
            [f"{n}/1", "4", str(yesterday), "no", "damaged", ""],
            [f"{n}/2", "4", "", "", "", ""],
        ]
    )
    report = import_file("deliveries", data, "deliveries.csv", dry_run=False, actor=manager)
    assert report.ok and report.written, report.errors
    rows = list(Delivery.objects.order_by("id"))
    assert [(d.quantity, d.quality_ok, d.defect) for d in rows] == [
        (Decimal(6), True, ""),
        (Decimal(4), False, "damaged"),
        (Decimal(4), True, ""),
    ]
    assert rows[0].delivered_on == yesterday and rows[0].created_by == manager
    assert rows[2].delivered_on == today  # no time given: now
    assert StockLevel.objects.get(product__sku="RICE").on_hand == Decimal(36)
    exported, _type, _name = export_entity("deliveries", "csv", user=manager)
    text = exported.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(HEADER)
    assert f"{n}/1,6.000," in text and ",no,damaged," in text


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"line": "SO-999999/1"}, "line", "There is no order line 'SO-999999/1'."),
        ({"quantity": "11"}, "quantity", "Only 3.000 is left to deliver"),
        ({"quantity": "-1"}, "quantity", "more than zero"),
        ({"quantity": "abc"}, "quantity", "is not a number"),
        ({"quality_ok": "no"}, "defect", "Say what was wrong"),
        ({"defect": "melted"}, "defect", "is not one of"),
        ({"delivered_at": "next tuesday"}, "delivered_at", "is not a date"),
        ({"line": ""}, "line", "This cell is empty"),
    ],
)
def test_broken_rows_write_nothing(manager, promised, cells, column, message):
    good = dict(zip(HEADER, [f"{promised.number}/2", "1", "", "", "", ""], strict=True))
    bad = {**good, **cells}
    data = csv_bytes([HEADER, list(good.values()), list(bad.values())])
    report = import_file("deliveries", data, "deliveries.csv", dry_run=False, actor=manager)
    assert not report.ok and not report.written
    assert [(e.row, e.column) for e in report.errors] == [(3, column)], report.errors
    assert message in report.errors[0].problem
    assert not Delivery.objects.exists()
    assert StockLevel.objects.get(product__sku="RICE").on_hand == Decimal(50)


def test_staff_may_not_import_deliveries(staff, promised):
    from django.core.exceptions import PermissionDenied

    data = csv_bytes([HEADER, [f"{promised.number}/1", "1", "", "", "", ""]])
    with pytest.raises(PermissionDenied):
        import_file("deliveries", data, "deliveries.csv", dry_run=False, actor=staff)
