"""Receivables fixtures: customers with terms, and short-hands to issue invoices and payments."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone


@pytest.fixture
def today() -> date:
    return timezone.localdate()


@pytest.fixture
def days_ago(today):
    """days_ago(n) → the business date n days before today (negative: in the future)."""
    return lambda n: today - timedelta(days=n)


@pytest.fixture
def make_customer(db):
    from kept.customers import actions

    counter = {"n": 0}

    def make(code: str | None = None, **fields):
        counter["n"] += 1
        data = {"code": code or f"C{counter['n']:03d}", "name": f"Customer {counter['n']}"}
        return actions.create_customer({**data, "payment_terms_days": 30, **fields})

    return make


@pytest.fixture
def customer(make_customer):
    """Wang's restaurant: 30 days' terms."""
    return make_customer("WANG", name="Wang's restaurant")


@pytest.fixture
def issue(days_ago):
    """issue(customer, "100.00", issued_days_ago=0, **kwargs) → an invoice."""
    from kept.receivables import actions

    def make(customer, amount: str, issued_days_ago: int = 0, **kwargs):
        return actions.issue_invoice(customer, Decimal(amount), days_ago(issued_days_ago), **kwargs)

    return make


@pytest.fixture
def pay(days_ago):
    """pay(customer, "50.00", allocate="oldest", received_days_ago=0) → a payment."""
    from kept.receivables import actions

    def make(customer, amount: str, allocate="oldest", received_days_ago: int = 0, **kwargs):
        kwargs.setdefault("method", "bank_transfer")
        return actions.record_payment(
            customer, Decimal(amount), days_ago(received_days_ago), allocate=allocate, **kwargs
        )

    return make


@pytest.fixture
def hand_case(customer, issue, pay, days_ago):
    """Two invoices, one overdue by 45 days, one partly paid, and 50.00 of credit.

    A: 1000.00 issued 75 days ago, due 45 days ago, nothing paid → overdue, bucket 31-60.
    B:  500.00 issued 10 days ago, due in 20 days, 200.00 paid → 300.00 open, current.
    Credit: a payment of 50.00 kept unallocated.
    """
    overdue = issue(customer, "1000.00", 75)
    partly_paid = issue(customer, "500.00", 10)
    pay(customer, "200.00", allocate={partly_paid: Decimal("200.00")})
    pay(customer, "50.00", allocate=None)
    return {"overdue": overdue, "partly_paid": partly_paid}
