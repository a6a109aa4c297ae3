"""Payments arriving at once: the row locks keep every allocation within both amounts."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from kept.customers import actions as customers
from kept.receivables import actions
from kept.receivables.models import Allocation, Invoice, Payment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to test")


def _run_at_once(target, arguments: list[tuple]) -> list:
    barrier, outcomes = threading.Barrier(len(arguments)), []

    def run(*args):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            outcomes.append(target(*args))
        except Exception as error:  # the outcome is what the test checks
            outcomes.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=args) for args in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _allocated_to(invoice) -> Decimal:
    return Allocation.objects.filter(invoice=invoice).aggregate(s=Sum("amount"))["s"]


def test_concurrent_payments_never_overpay_an_invoice():
    _needs_postgres()
    customer = customers.create_customer({"code": "RACE", "name": "Race"})
    today = timezone.localdate()
    invoice = actions.issue_invoice(customer, Decimal("100.00"), today)

    def pay(amount):
        return actions.record_payment(
            customer, Decimal(amount), today, method="cash", allocate="oldest"
        ).pk

    outcomes = _run_at_once(pay, [("60.00",)] * 4)

    assert all(isinstance(outcome, int) for outcome in outcomes), outcomes
    assert _allocated_to(invoice) == Decimal("100.00")
    credit = Payment.objects.with_amounts().aggregate(s=Sum("unallocated_amount"))["s"]
    assert credit == Decimal("140.00")  # 4 × 60 received, 100 allocated
    assert Invoice.objects.with_amounts().get().open_amount == 0


def test_concurrent_allocations_of_credit_stay_within_payment_and_invoice():
    _needs_postgres()
    customer = customers.create_customer({"code": "RACE", "name": "Race"})
    today = timezone.localdate()
    first = actions.issue_invoice(customer, Decimal("50.00"), today)
    second = actions.issue_invoice(customer, Decimal("50.00"), today)
    payment = actions.record_payment(
        customer, Decimal("70.00"), today, method="cash", allocate=None
    )

    def allocate(invoice):
        return actions.allocate_payment(payment, invoice, Decimal("40.00")).pk

    outcomes = _run_at_once(allocate, [(first,), (second,), (first,), (second,)])

    refused = [o for o in outcomes if isinstance(o, actions.OverAllocation)]
    assert len(refused) == 3, outcomes  # 70 of credit: only one 40 fits
    assert Allocation.objects.aggregate(s=Sum("amount"))["s"] == Decimal("40.00")


def test_concurrent_invoices_get_distinct_numbers():
    _needs_postgres()
    customer = customers.create_customer({"code": "RACE", "name": "Race"})
    today = timezone.localdate()

    def issue():
        return actions.issue_invoice(customer, Decimal("1.00"), today).number

    numbers = _run_at_once(issue, [()] * 6)

    assert sorted(numbers) == [f"INV-{n:06d}" for n in range(1, 7)], numbers
