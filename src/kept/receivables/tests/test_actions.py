"""Issuing, recording and allocating: numbers, defaults, the allocation limits and the audit."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kept.core.models import AuditEntry
from kept.receivables import actions
from kept.receivables.models import Allocation, Invoice, Payment


def allocated(obj) -> list[tuple[str, Decimal]]:
    rows = obj.allocations.order_by("invoice__due_date", "id")
    return [(a.invoice.number, a.amount) for a in rows]


def test_invoice_numbers_run_on_and_skip_taken_ones(customer, issue):
    first = issue(customer, "10.00")
    issue(customer, "10.00", number="INV-000002")  # typed by hand (or imported)
    third = issue(customer, "10.00")

    assert first.number == "INV-000001"
    assert third.number == "INV-000003"


def test_due_date_defaults_to_the_customer_terms(customer, issue, days_ago):
    invoice = issue(customer, "99.50", 5)

    assert invoice.due_date == days_ago(5) + timedelta(days=30)


def test_issue_records_who_and_audits(customer, manager, issue):
    invoice = issue(customer, "120.00", actor=manager, order_number=" SO-7 ", note="rice")

    entry = AuditEntry.objects.get(action="invoice.issue")
    assert (entry.actor, entry.object_id) == (manager, str(invoice.pk))
    assert entry.changes["amount"] == "120.00"
    assert (invoice.created_by, invoice.order_number, invoice.note) == (manager, "SO-7", "rice")


def test_order_number_is_empty_as_null(customer, issue):
    assert issue(customer, "1.00").order_number is None


@pytest.mark.parametrize(
    ("amount", "field"),
    [("0", "amount"), ("-5", "amount"), ("1.005", "amount"), ("1e20", "amount"), ("x", "amount")],
)
def test_bad_amounts_are_refused(customer, today, amount, field):
    with pytest.raises(ValidationError) as error:
        actions.issue_invoice(customer, amount, today)

    assert field in error.value.message_dict
    assert not Invoice.objects.exists()


def test_invoice_dates_are_checked(customer, today):
    with pytest.raises(ValidationError) as future:
        actions.issue_invoice(customer, Decimal("1"), today + timedelta(days=1))
    with pytest.raises(ValidationError) as backwards:
        actions.issue_invoice(customer, Decimal("1"), today, due_date=today - timedelta(days=1))

    assert "issue_date" in future.value.message_dict
    assert "The due date cannot be before the issue date." in backwards.value.messages


def test_duplicate_number_is_refused(customer, issue):
    issue(customer, "1.00", number="X-1")

    with pytest.raises(ValidationError) as error:
        issue(customer, "2.00", number="X-1")

    assert "number" in error.value.message_dict


def test_payment_pays_oldest_due_first_and_keeps_the_rest_as_credit(customer, issue, pay):
    newer = issue(customer, "100.00", 5)
    older = issue(customer, "60.00", 20)

    payment = pay(customer, "200.00")

    assert allocated(payment) == [
        (older.number, Decimal("60.00")),
        (newer.number, Decimal("100.00")),
    ]
    assert Payment.objects.with_amounts().get().unallocated_amount == Decimal("40.00")


def test_partial_payment_pays_part_of_the_oldest(customer, issue, pay):
    older, newer = issue(customer, "100.00", 20), issue(customer, "100.00", 5)

    payment = pay(customer, "130.00")

    assert allocated(payment) == [
        (older.number, Decimal("100.00")),
        (newer.number, Decimal("30.00")),
    ]


def test_oldest_first_only_touches_this_customers_invoices(customer, make_customer, issue, pay):
    other = issue(make_customer(), "50.00", 40)
    mine = issue(customer, "50.00", 1)

    payment = pay(customer, "80.00")

    assert allocated(payment) == [(mine.number, Decimal("50.00"))]
    assert not other.allocations.exists()


def test_payment_with_chosen_allocations(customer, issue, pay):
    older, newer = issue(customer, "100.00", 20), issue(customer, "100.00", 5)

    payment = pay(customer, "70.00", allocate={newer: Decimal("50.00")})

    assert allocated(payment) == [(newer.number, Decimal("50.00"))]
    assert not older.allocations.exists()


def test_payment_without_allocation_is_credit(customer, issue, pay):
    issue(customer, "100.00")

    payment = pay(customer, "70.00", allocate=None)

    assert not payment.allocations.exists()


def test_chosen_allocations_larger_than_the_payment_are_refused(customer, issue, pay):
    a, b = issue(customer, "100.00"), issue(customer, "100.00")

    with pytest.raises(actions.OverAllocation) as error:
        pay(customer, "70.00", allocate={a: Decimal("50.00"), b: Decimal("30.00")})

    assert error.value.figures == {
        "payment": error.value.figures["payment"],
        "unallocated": "70.00",
        "requested": "80.00",
    }
    assert not Payment.objects.exists() and not Allocation.objects.exists()


def test_allocation_larger_than_the_open_amount_is_refused(customer, issue, pay):
    invoice = issue(customer, "100.00")
    pay(customer, "80.00")
    payment = pay(customer, "50.00", allocate=None)

    with pytest.raises(actions.OverAllocation) as error:
        actions.allocate_payment(payment, invoice, Decimal("20.01"))

    assert "Only 20.00 is still open on invoice INV-000001; cannot allocate 20.01." in (
        error.value.messages
    )
    assert error.value.figures["open_amount"] == "20.00"


def test_allocation_to_another_customers_invoice_is_refused(customer, make_customer, issue, pay):
    theirs = issue(make_customer(), "100.00")
    payment = pay(customer, "50.00", allocate=None)

    with pytest.raises(ValidationError) as error:
        actions.allocate_payment(payment, theirs, Decimal("10.00"))

    assert "invoice" in error.value.message_dict


def test_allocating_credit_later_adds_to_the_same_pair(customer, issue, pay, manager):
    invoice = issue(customer, "100.00")
    payment = pay(customer, "90.00", allocate={invoice: Decimal("30.00")})

    actions.allocate_payment(payment, invoice, Decimal("45.00"), actor=manager)

    assert allocated(payment) == [(invoice.number, Decimal("75.00"))]
    entry = AuditEntry.objects.get(action="payment.allocate")
    assert entry.changes == {"invoice": invoice.number, "amount": "45.00"}
    with pytest.raises(actions.OverAllocation):
        actions.allocate_payment(payment, invoice, Decimal("15.01"))


def test_record_payment_audits_the_allocations(customer, issue, pay, manager):
    invoice = issue(customer, "40.00")

    payment = pay(customer, "50.00", actor=manager, reference="WX123", method="wechat_pay")

    entry = AuditEntry.objects.get(action="payment.record")
    assert (entry.actor, entry.object_id) == (manager, str(payment.pk))
    assert entry.changes["allocated"] == {invoice.number: "40.00"}
    assert (payment.method, payment.reference) == ("wechat_pay", "WX123")


@pytest.mark.parametrize(
    ("change", "field"),
    [({"method": "cheque"}, "method"), ({"received_days_ago": -1}, "received_on")],
)
def test_bad_payments_are_refused(customer, pay, change, field):
    with pytest.raises(ValidationError) as error:
        pay(customer, "10.00", **change)

    assert field in error.value.message_dict
    assert not Payment.objects.exists()


def test_correct_invoice_before_any_payment(customer, issue, manager):
    invoice = issue(customer, "100.00")

    actions.correct_invoice(invoice, {"amount": "110.00"}, reason="typo", actor=manager)

    invoice.refresh_from_db()
    assert invoice.amount == Decimal("110.00")
    entry = AuditEntry.objects.get(action="invoice.correct")
    assert entry.changes == {"amount": ["100.00", "110.00"]} and entry.reason == "typo"


def test_amount_is_final_once_a_payment_is_allocated(customer, issue, pay):
    invoice = issue(customer, "100.00")
    pay(customer, "10.00")

    with pytest.raises(ValidationError):
        actions.correct_invoice(invoice, {"amount": "90.00"}, reason="discount")
    actions.correct_invoice(invoice, {"note": "call first"}, reason="note")

    invoice.refresh_from_db()
    assert (invoice.amount, invoice.note) == (Decimal("100.00"), "call first")
