"""Subscriptions import (by customer and product, all or nothing) and export."""

import csv
import io

import pytest

from kept.core.transfer import export_entity, import_file
from kept.replenishment.models import Subscription

pytestmark = pytest.mark.django_db
HEADER = [
    "customer",
    "product",
    "capacity",
    "people",
    "fill_policy",
    "fixed_quantity",
    "preferred_days",
    "window",
    "is_active",
    "note",
]


def csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode()


def test_import_creates_then_updates_by_customer_and_product(staff, customer, make_product):
    make_product("RICE-5")
    make_product("OIL-5")
    first = csv_bytes(
        [
            HEADER,
            [customer.code, "RICE-5", "15", "3", "", "", "6,7", "morning", "", ""],
            [customer.code, "OIL-5", "5", "", "fixed", "5", "", "", "", "drum"],
        ]
    )
    report = import_file("subscriptions", first, "s.csv", dry_run=False, actor=staff)
    assert report.ok and report.created == 2, report.errors
    rice = Subscription.objects.get(product__sku="RICE-5")
    assert (rice.capacity, rice.people, rice.preferred_days, rice.window) == (
        15,
        3,
        [6, 7],
        "morning",
    )
    again = csv_bytes([HEADER, [customer.code, "RICE-5", "20", "4", "", "", "", "", "", ""]])
    report = import_file("subscriptions", again, "s.csv", dry_run=False, actor=staff)
    assert report.ok and report.updated == 1, report.errors
    rice.refresh_from_db()
    assert (rice.capacity, rice.people) == (20, 4) and Subscription.objects.count() == 2
    exported, _type, _name = export_entity("subscriptions", "csv", user=staff)
    lines = exported.decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(HEADER) and len(lines) == 3


def test_a_broken_file_writes_nothing(staff, customer, make_product):
    make_product("RICE-5")
    data = csv_bytes(
        [
            HEADER,
            [customer.code, "RICE-5", "15", "3", "", "", "", "", "", ""],
            [customer.code, "NOPE", "15", "3", "", "", "", "", "", ""],
            ["H404", "RICE-5", "15", "", "", "", "", "", "", ""],
            [customer.code, "RICE-5", "-1", "", "fixed", "", "9", "", "", ""],
        ]
    )
    report = import_file("subscriptions", data, "s.csv", dry_run=False, actor=staff)
    assert not report.ok and Subscription.objects.count() == 0
    assert {error.row for error in report.errors} >= {3, 4, 5}
