"""Deliveries against order lines, and the service-level tolerances of customer groups."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kept.catalog.models import QUANTITY
from kept.customers.models import CustomerGroup
from kept.fulfilment.choices import Defect
from kept.promising.models import OrderLine


class Delivery(models.Model):
    """Goods handed to the customer for one order line. Append-only: a wrong delivery is
    corrected by recording what really happened, never by editing this row."""

    line = models.ForeignKey(
        OrderLine, verbose_name=_("order line"), on_delete=models.PROTECT, related_name="deliveries"
    )
    quantity = models.DecimalField(
        _("quantity"), **QUANTITY, validators=[MinValueValidator(Decimal("0.001"))]
    )
    delivered_at = models.DateTimeField(_("delivered at"), default=timezone.now)
    # the business date of delivered_at, kept so that reports compare dates in SQL
    delivered_on = models.DateField(_("delivered on"), editable=False)
    quality_ok = models.BooleanField(_("quality OK"), default=True)
    defect = models.CharField(_("defect"), max_length=16, choices=Defect, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["line", "delivered_at", "id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(fields=["line", "delivered_on"]),
            models.Index(fields=["delivered_on"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="delivery_positive"),
            models.CheckConstraint(
                condition=models.Q(quality_ok=True, defect="") | models.Q(quality_ok=False),
                name="delivery_defect_only_when_not_ok",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line}: {self.quantity} @ {self.delivered_on}"


class ServiceTolerance(models.Model):
    """How strictly a customer group's lines are scored; the row without a group is the
    default for everyone else (SPEC 2.4: early 0, late 0, 0 % short)."""

    group = models.OneToOneField(
        CustomerGroup,
        verbose_name=_("customer group"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="service_tolerance",
    )
    early_days = models.PositiveSmallIntegerField(
        _("days early still on time"), default=0, validators=[MaxValueValidator(60)]
    )
    late_days = models.PositiveSmallIntegerField(
        _("days late still on time"), default=0, validators=[MaxValueValidator(60)]
    )
    short_percent = models.DecimalField(
        _("short still in full (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0), MaxValueValidator(Decimal("99.99"))],
    )

    class Meta:
        verbose_name = _("service-level tolerance")
        verbose_name_plural = _("service-level tolerances")
        constraints = [
            # one row per group and one default (no group): NULL reads as 0 here
            models.UniqueConstraint(Coalesce("group", 0), name="one_service_tolerance_per_group"),
        ]

    def __str__(self) -> str:
        return str(self.group) if self.group_id else str(_("Default"))


# Service level as stored scores (kept.fulfilment.scores): derived from the ledger and the
# deliveries, rewritten whenever either changes, read by the reports. Never edited by hand.
# No foreign-key constraints in the database: checking millions of them at commit doubled
# the time to score a big book; deleting an order still deletes its scores (Django cascades).

BASES = [("promise", "promise"), ("request", "request")]


class ScoredLine(models.Model):
    """One order line scored against its promise or its request, without today: the line is
    pending while it is not ``completed`` and today is at most ``window_end``. Flags are 0/1."""

    basis = models.CharField(max_length=7, choices=BASES)
    line = models.ForeignKey(
        OrderLine, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    order = models.ForeignKey(
        "promising.Order",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    target_date = models.DateField()
    target_quantity = models.DecimalField(**QUANTITY)
    window_end = models.DateField()
    completed = models.SmallIntegerField()
    on_time = models.SmallIntegerField()
    in_full = models.SmallIntegerField()
    quality_ok = models.SmallIntegerField()
    filled = models.SmallIntegerField()
    fill_units = models.DecimalField(**QUANTITY)

    class Meta:
        constraints = [models.UniqueConstraint("line", "basis", name="one_score_per_line_basis")]
        indexes = [
            models.Index(fields=["order"]),
            models.Index(fields=["basis", "target_date"]),
            models.Index(fields=["customer", "basis", "target_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.basis} {self.line_id}"


class ScoredOrder(models.Model):
    """The scored lines of one order, basis and month of their target date, summed: one row
    for the lines completed, and one per window end for the lines not completed (pending
    until ``window_end``, then failed). ``single``: the order has only this row for the basis,
    so the report takes its order-level figures from it without grouping."""

    basis = models.CharField(max_length=7, choices=BASES)
    order = models.ForeignKey(
        "promising.Order",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    month = models.DateField()  # its first day
    window_end = models.DateField()
    open = models.SmallIntegerField()
    single = models.SmallIntegerField()
    lines = models.IntegerField()
    otif = models.IntegerField()
    on_time = models.IntegerField()
    in_full = models.IntegerField()
    quality_ok = models.IntegerField()
    filled = models.IntegerField()
    perfect = models.IntegerField()
    fill_units = models.DecimalField(max_digits=18, decimal_places=3)
    target_units = models.DecimalField(max_digits=18, decimal_places=3)

    class Meta:
        indexes = [
            models.Index(fields=["order"]),
            models.Index(fields=["basis", "month"]),
            models.Index(fields=["customer", "basis", "month"]),
        ]

    def __str__(self) -> str:
        return f"{self.basis} {self.order_id} {self.month:%Y-%m}"


class ScoreQueue(models.Model):
    """Orders whose scores are out of date: written with the change, cleared by the next
    report (or ``kept rescore``)."""

    order_id = models.BigIntegerField()
    queued_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return str(self.order_id)


class ScoredCustomer(models.Model):
    """The customer group each customer's lines were scored with (its tolerances): a customer
    moved to another group is scored again."""

    customer = models.OneToOneField(
        "customers.Customer",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        db_constraint=False,
    )
    group_id = models.BigIntegerField(null=True)

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.group_id}"
