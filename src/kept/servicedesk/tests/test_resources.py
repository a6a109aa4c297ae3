"""Tickets import (through open_ticket, all or nothing) and export."""

import csv
import io

import pytest

from kept.core.transfer import export_entity, import_file
from kept.customers.models import Customer
from kept.servicedesk.models import Ticket

pytestmark = pytest.mark.django_db
HEADER = ["customer", "subject", "description", "kind", "priority", "channel", "assignee",
          "department", "created_at"]  # fmt: skip


def csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode()


def test_import_opens_tickets_with_their_sla_and_export_writes_them(staff, office, customer):
    Customer.objects.create(code="D-CS", name="客服", kind="internal")
    Customer.objects.create(code="D-WH", name="仓库", kind="internal")
    data = csv_bytes([
        HEADER,
        [customer.code, "米袋破了", "撒了一半", "complaint", "urgent", "wechat", staff.username,
         "", "2026-11-23 09:00"],
        ["D-CS", "Re-pick SO-1", "", "handoff", "", "", "", "D-WH", ""],
    ])  # fmt: skip
    report = import_file("tickets", data, "t.csv", dry_run=False, actor=staff)
    assert report.ok and report.created == 2, report.errors
    torn = Ticket.objects.get(subject="米袋破了")
    assert torn.kind == "complaint" and torn.assignee == staff and torn.policy is not None
    assert torn.created_at.isoformat().startswith("2026-11-23")
    assert torn.first_response_target is not None and hasattr(torn, "complaint")
    exported, _type, _name = export_entity("tickets", "csv", user=staff)
    lines = exported.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("number,customer,subject") and len(lines) == 3


def test_a_broken_file_writes_nothing(staff, office, customer):
    data = csv_bytes([
        HEADER,
        [customer.code, "fine", "", "", "", "", "", "", ""],
        ["NOPE", "unknown customer", "", "", "", "", "", "", ""],
        [customer.code, "", "", "", "", "", "", "", ""],
        [customer.code, "bad kind", "", "gripe", "", "", "", "", ""],
        [customer.code, "handoff to nobody", "", "handoff", "", "", "", "", ""],
    ])  # fmt: skip
    report = import_file("tickets", data, "t.csv", dry_run=False, actor=staff)
    assert not report.ok
    assert {error.row for error in report.errors} >= {3, 4, 5, 6}
    assert Ticket.objects.count() == 0


def test_viewers_may_export_but_not_import(viewer, office, customer):
    from django.core.exceptions import PermissionDenied

    data = csv_bytes([HEADER, [customer.code, "x", "", "", "", "", "", "", ""]])
    with pytest.raises(PermissionDenied):
        import_file("tickets", data, "t.csv", dry_run=False, actor=viewer)
    export_entity("tickets", "csv", user=viewer)
