"""The running sums (paid, allocated) always equal Σ of the allocations, and the database
refuses any allocation beyond an invoice's or a payment's amount."""

import contextlib
import random
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from kept.receivables import actions, queries
from kept.receivables.models import Invoice, Payment


def test_running_sums_match_allocations_after_random_work(make_customer, issue, pay):
    rng = random.Random(20250101)
    customers = [make_customer() for _ in range(3)]
    for _ in range(60):
        customer = rng.choice(customers)
        amount = str(Decimal(rng.randint(1, 50_000)) / 100)
        step = rng.random()
        if step < 0.4:
            issue(customer, amount, rng.randint(0, 120))
        elif step < 0.7:
            pay(customer, amount, allocate=rng.choice(["oldest", None]))
        else:
            _allocate_some_credit(customer, rng)

    assert queries.total_drift() == queries.Drift([], [])
    for invoice in Invoice.objects.with_amounts():
        assert 0 <= invoice.paid_amount <= invoice.amount
    for payment in Payment.objects.with_amounts():
        assert 0 <= payment.allocated_amount <= payment.amount


def _allocate_some_credit(customer, rng):
    payment = queries.payments_with_credit(customer.pk).first()
    invoice = queries.open_invoices(customer.pk).first()
    if payment is None or invoice is None:
        return
    share = Decimal(rng.randint(1, 20_000)) / 100
    with contextlib.suppress(ValidationError):  # more than is left: refused, nothing written
        actions.allocate_payment(payment, invoice, share)


def test_drift_is_found(hand_case):
    invoice = hand_case["overdue"]
    Invoice.objects.filter(pk=invoice.pk).update(paid_amount=Decimal("1.00"))  # around actions

    assert queries.total_drift().invoices == [invoice.number]


@pytest.mark.parametrize(
    ("model", "field", "total"),
    [(Invoice, "paid_amount", "amount"), (Payment, "allocated_amount", "amount")],
)
def test_database_refuses_more_than_the_amount(hand_case, model, field, total):
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.update(**{field: F(total) + Decimal("0.01")})
