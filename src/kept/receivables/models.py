"""Invoices, payments and the allocations that match one with the other.

Append-only: an invoice's or a payment's amount is never edited once an allocation refers
to it, and allocations are never deleted. Corrections through credit notes (a negative
document allocated against the invoice) are out of scope for now; until they exist a
wrong invoice is corrected before any payment is allocated to it (``correct_invoice``).

An invoice's status is derived, never stored: *paid* when its allocations cover its
amount, else *overdue* once its due date (a business date) has passed, else *open*.

``Invoice.paid_amount`` and ``Payment.allocated_amount`` are the running Σ of their
allocations, kept by the one action that writes allocations, in the same transaction and
under the same row locks (like Saleor's ``Order.total_charged``). Reports then read plain
columns instead of summing allocations per invoice again and again (an ageing report over
100,000 invoices went from seconds to tens of milliseconds), and check constraints make
the database refuse any allocation beyond either amount. ``queries.total_drift`` proves
the running sums match the allocations.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kept.customers.models import Customer, code_validator
from kept.receivables.choices import InvoiceStatus, PaymentMethod

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
# SQLite keeps decimals as floating point, so 60.05 + 40.05 may not equal 100.10 exactly;
# anything under half a cent left open is paid (on PostgreSQL the sums are exact anyway).
HALF_CENT = Decimal("0.005")
POSITIVE_MONEY = [MinValueValidator(CENT)]


def cents(value: Decimal | None) -> Decimal:
    """A sum from the database as money: SQLite answers expressions unrounded (and as floats)."""
    return (value or ZERO).quantize(CENT)


def money(expression) -> Coalesce:
    """A money expression in SQL: never NULL, two decimal places."""
    return Coalesce(expression, Value(ZERO), output_field=models.DecimalField(**MONEY))


class InvoiceQuerySet(models.QuerySet):
    def with_amounts(self) -> InvoiceQuerySet:
        """Annotate ``open_amount`` = amount − Σ allocations (``paid_amount``)."""
        return self.annotate(open_amount=money(F("amount") - F("paid_amount")))

    def with_status(self, today) -> InvoiceQuerySet:
        """``with_amounts`` plus ``status``: paid, overdue (due before ``today``) or open."""
        return self.with_amounts().annotate(
            status=Case(
                When(open_amount__lt=HALF_CENT, then=Value(InvoiceStatus.PAID.value)),
                When(due_date__lt=today, then=Value(InvoiceStatus.OVERDUE.value)),
                default=Value(InvoiceStatus.OPEN.value),
                output_field=models.CharField(),
            )
        )

    def unpaid(self) -> InvoiceQuerySet:
        """Invoices with money still owed (call after ``with_amounts``)."""
        return self.filter(open_amount__gte=HALF_CENT)


class PaymentQuerySet(models.QuerySet):
    def with_amounts(self) -> PaymentQuerySet:
        """Annotate ``unallocated_amount`` = amount − Σ allocations: the customer's credit."""
        return self.annotate(unallocated_amount=money(F("amount") - F("allocated_amount")))

    def with_credit(self) -> PaymentQuerySet:
        """Payments with part of their amount not yet allocated (call after ``with_amounts``)."""
        return self.filter(unallocated_amount__gte=HALF_CENT)


def _created_by():
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class Invoice(models.Model):
    number = models.CharField(_("number"), max_length=32, unique=True, validators=[code_validator])
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="invoices"
    )
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount"), **MONEY, validators=POSITIVE_MONEY)
    paid_amount = models.DecimalField(
        _("paid"), **MONEY, default=ZERO, editable=False, help_text=_("Σ of its allocations.")
    )
    # Becomes a link to the order once orders exist in their own app.
    order_number = models.CharField(_("order"), max_length=32, null=True, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = _created_by()

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-issue_date", "-id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="invoice_amount_positive"),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("issue_date")),
                name="invoice_due_after_issue",
                violation_error_message=_("The due date cannot be before the issue date."),
            ),
            models.CheckConstraint(
                condition=Q(paid_amount__gte=0, paid_amount__lte=F("amount")),
                name="invoice_paid_within_amount",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "due_date"]),
            models.Index(fields=["issue_date"]),
            models.Index(fields=["due_date"]),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("receivables:invoice", args=[self.number])


class Payment(models.Model):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="payments"
    )
    received_on = models.DateField(_("received on"))
    amount = models.DecimalField(_("amount"), **MONEY, validators=POSITIVE_MONEY)
    allocated_amount = models.DecimalField(
        _("allocated"), **MONEY, default=ZERO, editable=False, help_text=_("Σ of its allocations.")
    )
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod)
    reference = models.CharField(
        _("reference"),
        max_length=64,
        blank=True,
        help_text=_("Bank or wallet transaction number, receipt number."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = _created_by()

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(allocated_amount__gte=0, allocated_amount__lte=F("amount")),
                name="payment_allocated_within_amount",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "received_on"]),
            models.Index(fields=["received_on"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.received_on:%Y-%m-%d} {self.amount}"

    def get_absolute_url(self) -> str:
        return reverse("receivables:payment", args=[self.pk])


class Allocation(models.Model):
    """Part of a payment applied to an invoice (of the same customer).

    Σ over a payment ≤ the payment's amount and Σ over an invoice ≤ the invoice's amount:
    checked by the actions under row locks on both, and by the check constraints on the
    running sums (``Payment.allocated_amount``, ``Invoice.paid_amount``) as a last line.
    """

    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="allocations"
    )
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="allocations"
    )
    amount = models.DecimalField(_("amount"), **MONEY, validators=POSITIVE_MONEY)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = _created_by()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(fields=["payment", "invoice"], name="allocation_once_per_pair"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} → {self.invoice_id}"


class NumberSequence(models.Model):
    """The last number handed out in a series ("invoice"); its row lock makes numbering safe."""

    name = models.CharField(_("name"), max_length=32, primary_key=True)
    last_value = models.PositiveBigIntegerField(_("last value"), default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self) -> str:
        return f"{self.name}: {self.last_value}"
