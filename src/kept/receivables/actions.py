"""Writes for receivables: issue invoices, record payments, allocate payments to invoices.

Allocation rule: Σ allocations of a payment ≤ its amount, and Σ allocations of an invoice
≤ its amount. Every allocation is written with the payment's and the invoices' rows locked
(``select_for_update``), always in the same order (payment, then invoices by id) so two
payments for the same customer queue instead of deadlocking. The locked rows carry the
running sums (``allocated_amount``, ``paid_amount``) as the previous lock holder left them;
the allocation and both running sums are written together, before the locks are released.

Every write is audited: ``invoice.issue``, ``invoice.correct``, ``payment.record``,
``payment.allocate``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kept.core import audit
from kept.customers.models import Customer
from kept.receivables.choices import Allocate, PaymentMethod
from kept.receivables.models import (
    CENT,
    MONEY,
    ZERO,
    Allocation,
    Invoice,
    NumberSequence,
    Payment,
)

INVOICE_SERIES = "invoice"
INVOICE_PREFIX = "INV-"
INVOICE_DIGITS = 6


class OverAllocation(ValidationError):
    """An allocation larger than what is left on the payment or the invoice; carries the figures."""

    def __init__(self, message: str, figures: dict[str, str]):
        super().__init__({"amount": [message]})
        self.figures = figures


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def checked_money(value: Any, field: str = "amount") -> Decimal:
    """A positive amount of money with at most 2 decimal places, or a ValidationError."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("Enter an amount of money.")}) from None
    if not amount.is_finite():
        raise ValidationError({field: _("Enter an amount of money.")})
    try:
        DecimalValidator(MONEY["max_digits"], MONEY["decimal_places"])(amount)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None
    if amount < CENT:
        raise ValidationError({field: _("The amount must be more than zero.")})
    return amount.quantize(CENT)


def checked_date(value: Any, field: str, *, not_after: date | None = None) -> date:
    """A business date (not a datetime), optionally no later than ``not_after``."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError({field: _("Enter a valid date.")})
    if not_after is not None and value > not_after:
        raise ValidationError(
            {field: _("The date cannot be after %(day)s.") % {"day": not_after.isoformat()}}
        )
    return value


def next_invoice_number() -> str:
    """The next free "INV-000123" number. Call inside a transaction: the series row stays
    locked until it commits, so two invoices never get the same number (and a rolled-back
    invoice gives its number back). Numbers already taken (imported) are skipped."""
    NumberSequence.objects.get_or_create(name=INVOICE_SERIES)
    series = NumberSequence.objects.select_for_update().get(name=INVOICE_SERIES)
    while True:
        series.last_value += 1
        number = f"{INVOICE_PREFIX}{series.last_value:0{INVOICE_DIGITS}d}"
        if not Invoice.objects.filter(number=number).exists():
            break
    series.save(update_fields=["last_value"])
    return number


@transaction.atomic
def issue_invoice(
    customer: Customer,
    amount: Decimal,
    issue_date: date,
    *,
    number: str | None = None,
    due_date: date | None = None,
    order_number: str | None = "",
    note: str = "",
    actor=None,
) -> Invoice:
    """Issue an invoice; the due date defaults to the issue date + the customer's terms."""
    amount = checked_money(amount)
    today = timezone.localdate()
    issue_date = checked_date(issue_date, "issue_date", not_after=today)
    if due_date is None:
        due_date = issue_date + timedelta(days=customer.payment_terms_days)
    invoice = Invoice(
        number=(number or "").strip() or next_invoice_number(),
        customer=customer,
        issue_date=issue_date,
        due_date=checked_date(due_date, "due_date"),
        amount=amount,
        order_number=(order_number or "").strip() or None,
        note=(note or "").strip(),
        created_by=_user(actor),
    )
    invoice.full_clean()
    _save_new_invoice(invoice)
    audit.record(
        actor,
        "invoice.issue",
        invoice,
        changes={"customer": customer.code, "amount": str(amount), "due_date": str(due_date)},
    )
    return invoice


def _save_new_invoice(invoice: Invoice) -> None:
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError as error:
        # Two people giving the same number at once: the unique index decides.
        raise ValidationError(
            {"number": _("Invoice %(number)s already exists.") % {"number": invoice.number}}
        ) from error


@transaction.atomic
def correct_invoice(
    invoice: Invoice, values: Mapping[str, Any], *, reason: str, actor=None
) -> Invoice:
    """Correct due date, order, note, or (while nothing is allocated to it) the amount."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the invoice is corrected.")})
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    fields = [name for name in ("amount", "due_date", "order_number", "note") if name in values]
    values = dict(values)
    if "amount" in values:
        values["amount"] = checked_money(values["amount"])
    if "order_number" in values:
        values["order_number"] = (values["order_number"] or "").strip() or None
    changes = audit.diff(locked, fields, values)
    if "amount" in changes and locked.paid_amount:
        raise ValidationError(
            {"amount": _("Payments are allocated to this invoice; its amount is final.")}
        )
    for name in fields:
        setattr(locked, name, values[name])
    locked.full_clean()
    locked.save(update_fields=fields)
    audit.record(actor, "invoice.correct", locked, reason=reason.strip(), changes=changes)
    return locked


@transaction.atomic
def record_payment(
    customer: Customer,
    amount: Decimal,
    received_on: date,
    *,
    method: str,
    reference: str = "",
    allocate: str | Mapping[Invoice, Decimal] | None = Allocate.OLDEST,
    actor=None,
) -> Payment:
    """Record money received and allocate it.

    ``allocate``: "oldest" (default) pays the customer's invoices oldest due date first;
    a mapping {invoice: amount} allocates exactly that; ``None`` or "none" allocates
    nothing. Whatever is not allocated stays on the payment as the customer's credit.
    """
    if method not in PaymentMethod.values:
        raise ValidationError({"method": _("Choose a payment method from the list.")})
    payment = Payment(
        customer=customer,
        received_on=checked_date(received_on, "received_on", not_after=timezone.localdate()),
        amount=checked_money(amount),
        method=method,
        reference=(reference or "").strip(),
        created_by=_user(actor),
    )
    payment.full_clean()
    payment.save()
    allocations = _allocate_new(payment, allocate, actor)
    audit.record(
        actor,
        "payment.record",
        payment,
        changes={
            "customer": customer.code,
            "amount": str(payment.amount),
            "method": method,
            "allocated": {a.invoice.number: str(a.amount) for a in allocations},
        },
    )
    return payment


def _allocate_new(payment: Payment, allocate, actor) -> list[Allocation]:
    if allocate is None or allocate == Allocate.NONE:
        return []
    if isinstance(allocate, Mapping):
        return _allocate_chosen(payment, allocate, actor)
    if allocate == Allocate.OLDEST:
        return allocate_oldest_first(payment, actor=actor)
    raise ValidationError({"allocate": _("Allocate to the oldest invoices, chosen ones or none.")})


def _lock_payment(payment: Payment) -> tuple[Payment, Decimal]:
    """Lock the payment's row; answer it with what is left of it to allocate."""
    locked = Payment.objects.select_for_update().get(pk=payment.pk)
    return locked, locked.amount - locked.allocated_amount


def _lock_invoices(ids: Iterable[int]) -> list[Invoice]:
    """Lock the invoices in id order; each gets ``open_amount`` from its locked row."""
    invoices = list(Invoice.objects.select_for_update().filter(pk__in=set(ids)).order_by("pk"))
    for invoice in invoices:
        invoice.open_amount = invoice.amount - invoice.paid_amount
    return invoices


@transaction.atomic
def allocate_oldest_first(payment: Payment, *, actor=None) -> list[Allocation]:
    """Allocate what is left of ``payment`` to its customer's unpaid invoices, oldest due
    date first (then oldest issued, then lowest id). The rest stays as credit."""
    payment, left = _lock_payment(payment)
    unpaid = Invoice.objects.filter(customer_id=payment.customer_id).with_amounts().unpaid()
    invoices = _lock_invoices(unpaid.values_list("pk", flat=True))
    invoices.sort(key=lambda invoice: (invoice.due_date, invoice.issue_date, invoice.pk))
    allocations = []
    for invoice in invoices:
        share = min(left, invoice.open_amount)
        if share < CENT:
            continue
        allocations.append(_add_allocation(payment, invoice, share, actor))
        left -= share
    return allocations


def _allocate_chosen(
    payment: Payment, chosen: Mapping[Invoice, Decimal], actor
) -> list[Allocation]:
    amounts = {invoice.pk: checked_money(amount) for invoice, amount in chosen.items()}
    payment, left = _lock_payment(payment)
    requested = sum(amounts.values(), ZERO)
    if requested > left:
        raise _payment_too_small(payment, left, requested)
    allocations = []
    for invoice in _lock_invoices(amounts):
        _check_fits(payment, invoice, amounts[invoice.pk])
        allocations.append(_add_allocation(payment, invoice, amounts[invoice.pk], actor))
    return allocations


@transaction.atomic
def allocate_payment(payment: Payment, invoice: Invoice, amount: Decimal, *, actor=None):
    """Allocate ``amount`` of the payment to the invoice (the customer's credit, used later)."""
    amount = checked_money(amount)
    payment, left = _lock_payment(payment)
    if amount > left:
        raise _payment_too_small(payment, left, amount)
    (locked,) = _lock_invoices([invoice.pk])
    _check_fits(payment, locked, amount)
    allocation = _add_allocation(payment, locked, amount, actor)
    audit.record(
        actor,
        "payment.allocate",
        payment,
        changes={"invoice": locked.number, "amount": str(amount)},
    )
    return allocation


def _check_fits(payment: Payment, invoice: Invoice, amount: Decimal) -> None:
    if invoice.customer_id != payment.customer_id:
        raise ValidationError(
            {
                "invoice": _("Invoice %(number)s belongs to another customer.")
                % {"number": invoice.number}
            }
        )
    if amount > invoice.open_amount:
        message = _(
            "Only %(open)s is still open on invoice %(number)s; cannot allocate %(amount)s."
        ) % {"open": invoice.open_amount, "number": invoice.number, "amount": amount}
        figures = {
            "invoice": invoice.number,
            "open_amount": str(invoice.open_amount),
            "requested": str(amount),
        }
        raise OverAllocation(message, figures)


def _payment_too_small(payment: Payment, left: Decimal, requested: Decimal) -> OverAllocation:
    message = _(
        "Only %(left)s of payment #%(payment)s is not yet allocated; cannot allocate %(amount)s."
    ) % {"left": left, "payment": payment.pk, "amount": requested}
    figures = {"payment": str(payment.pk), "unallocated": str(left), "requested": str(requested)}
    return OverAllocation(message, figures)


def _add_allocation(payment: Payment, invoice: Invoice, amount: Decimal, actor) -> Allocation:
    """Both rows are locked: add to the pair's allocation (or create it) and to both sums.

    The sums are written as exact values computed from the locked rows, not as F() + amount:
    SQLite would add them as floating point, and 0.1 + 0.2 is not 0.3 there."""
    payment.allocated_amount += amount
    invoice.paid_amount += amount
    invoice.open_amount = invoice.amount - invoice.paid_amount
    payment.save(update_fields=["allocated_amount"])
    invoice.save(update_fields=["paid_amount"])
    existing = Allocation.objects.filter(payment=payment, invoice=invoice).first()
    if existing is None:
        return Allocation.objects.create(
            payment=payment, invoice=invoice, amount=amount, created_by=_user(actor)
        )
    existing.amount += amount
    existing.save(update_fields=["amount"])
    existing.invoice = invoice
    return existing
