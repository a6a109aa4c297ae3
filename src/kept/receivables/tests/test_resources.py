"""Import and export of invoices and payments through the transfer engine: all or nothing."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from kept.core.models import AuditEntry
from kept.core.transfer import export_entity, import_file
from kept.receivables.models import Allocation, Invoice, Payment


def csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode()


def census() -> tuple[int, int, int, int]:
    return (
        Invoice.objects.count(),
        Payment.objects.count(),
        Allocation.objects.count(),
        AuditEntry.objects.filter(action__in=["invoice.issue", "payment.record"]).count(),
    )


INVOICE_HEADER = ["number", "customer", "issue_date", "due_date", "amount", "order_number", "note"]


def test_invoices_import(manager, customer, days_ago):
    data = csv_bytes(
        [
            INVOICE_HEADER,
            ["", "WANG", str(days_ago(40)), "", "1,200.50", "SO-1", "rice"],
            ["OLD-7", "WANG", str(days_ago(10)), str(days_ago(5)), "80", "", ""],
        ]
    )

    report = import_file("invoices", data, "invoices.csv", dry_run=False, actor=manager)

    assert report.ok and report.written, report.errors
    auto, typed = Invoice.objects.order_by("issue_date")
    assert (auto.number, auto.amount, auto.due_date, auto.order_number) == (
        "INV-000001",
        Decimal("1200.50"),
        days_ago(10),  # 40 days ago + 30 days' terms
        "SO-1",
    )
    assert (typed.number, typed.due_date, typed.created_by) == ("OLD-7", days_ago(5), manager)
    assert AuditEntry.objects.filter(action="invoice.issue").count() == 2


def test_invoices_dry_run_writes_nothing(manager, customer, days_ago):
    data = csv_bytes([INVOICE_HEADER, ["", "WANG", str(days_ago(1)), "", "5", "", ""]])

    report = import_file("invoices", data, "invoices.csv", dry_run=True, actor=manager)

    assert report.ok and not report.written and report.created == 1
    assert census() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"amount": "12元"}, "amount", "'12元' is not a number."),
        ({"amount": "-3"}, "amount", "The amount must be more than zero."),
        ({"amount": "1.234"}, "amount", "Ensure that there are no more than 2 decimal places."),
        ({"customer": "NOPE"}, "customer", "There is no customer with code 'NOPE'."),
        ({"issue_date": "31/12/2024"}, "issue_date", "'31/12/2024' is not a date"),
        ({"issue_date": ""}, "issue_date", "This cell is empty, but a value is required."),
        ({"due_date": "2000-01-01"}, "", "The due date cannot be before the issue date."),
        ({"number": "OLD-1"}, "number", "already exists"),
    ],
)
def test_broken_invoice_rows_write_nothing(
    manager, customer, issue, days_ago, cells, column, message
):
    issue(customer, "1.00", number="OLD-1")
    before = census()
    good = dict(zip(INVOICE_HEADER, ["", "WANG", str(days_ago(3)), "", "10", "", ""], strict=True))
    bad = {**good, **cells}
    data = csv_bytes([INVOICE_HEADER, list(good.values()), list(bad.values())])

    report = import_file("invoices", data, "invoices.csv", dry_run=False, actor=manager)

    assert not report.ok and not report.written
    assert [(e.row, e.column) for e in report.errors] == [(3, column)], report.errors
    assert message in report.errors[0].problem
    assert census() == before


def test_payments_import_allocates_oldest_first_in_file_order(manager, customer, issue):
    older, newer = issue(customer, "100.00", 20), issue(customer, "100.00", 5)
    data = csv_bytes(
        [
            ["customer", "received_on", "amount", "method", "reference"],
            ["WANG", "2025-01-02", "150", "WeChat Pay", "WX-1"],  # the label works too
            ["WANG", "2025-01-03", "80", "cash", ""],
        ]
    )

    report = import_file("payments", data, "payments.csv", dry_run=False, actor=manager)

    assert report.ok, report.errors
    first, second = Payment.objects.order_by("received_on")
    assert first.method == "wechat_pay"
    assert [(a.invoice, a.amount) for a in first.allocations.order_by("id")] == [
        (older, Decimal("100.00")),
        (newer, Decimal("50.00")),
    ]
    assert [(a.invoice, a.amount) for a in second.allocations.all()] == [(newer, Decimal("50.00"))]
    assert Payment.objects.with_amounts().get(pk=second.pk).unallocated_amount == Decimal("30.00")


@pytest.mark.parametrize(
    ("cells", "column"),
    [
        (["WANG", "2025-01-02", "abc", "cash"], "amount"),
        (["NOPE", "2025-01-02", "10", "cash"], "customer"),
        (["WANG", "yesterday", "10", "cash"], "received_on"),
        (["WANG", "2025-01-02", "10", "cheque"], "method"),
        (["WANG", "2999-01-02", "10", "cash"], "received_on"),
    ],
)
def test_broken_payment_rows_write_nothing(manager, customer, issue, cells, column):
    issue(customer, "100.00")
    before = census()
    data = csv_bytes(
        [
            ["customer", "received_on", "amount", "method"],
            ["WANG", "2025-01-01", "10", "cash"],
            cells,
        ]
    )

    report = import_file("payments", data, "payments.csv", dry_run=False, actor=manager)

    assert [(e.row, e.column) for e in report.errors] == [(3, column)], report.errors
    assert census() == before


def test_export_invoices_and_payments(manager, hand_case):
    invoices, _type, _name = export_entity("invoices", "csv", user=manager)
    payments, _type, _name = export_entity("payments", "xlsx", user=manager)

    rows = list(csv.reader(io.StringIO(invoices.decode("utf-8-sig"))))
    assert rows[0] == [*INVOICE_HEADER, "open_amount", "status"]
    assert rows[1][0] == hand_case["overdue"].number
    assert rows[1][4:] == ["1000.00", "", "", "1000.00", "overdue"]
    assert rows[2][7:] == ["300.00", "open"]
    sheet = openpyxl.load_workbook(io.BytesIO(payments)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == (
        "customer",
        "received_on",
        "amount",
        "method",
        "reference",
        "allocated_amount",
    )
    assert [row[5] for row in values[1:]] == [200, 0]


def test_export_round_trips_into_an_empty_system(manager, hand_case):
    exported, _type, _name = export_entity("invoices", "csv", user=manager)
    Allocation.objects.all().delete()
    Invoice.objects.all().delete()

    report = import_file("invoices", exported, "invoices.csv", dry_run=False, actor=manager)

    assert report.ok, report.errors
    assert sorted(Invoice.objects.values_list("number", "amount")) == [
        (hand_case["overdue"].number, Decimal("1000.00")),
        (hand_case["partly_paid"].number, Decimal("500.00")),
    ]


@pytest.mark.parametrize("role", ["staff", "viewer", "warehouse"])
def test_only_managers_import(make_user, role):
    user = make_user(role)

    for entity in ("invoices", "payments"):
        with pytest.raises(PermissionDenied):
            import_file(entity, b"customer\r\n", "x.csv", dry_run=True, actor=user)


def test_warehouse_cannot_export(warehouse):
    with pytest.raises(PermissionDenied):
        export_entity("invoices", "csv", user=warehouse)
