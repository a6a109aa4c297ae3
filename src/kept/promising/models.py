from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kept.catalog.models import MONEY, QUANTITY, Product
from kept.customers.models import Customer, CustomerGroup
from kept.promising.choices import Action, CancelledBy, Decision, LineStatus, VersionKind

POSITIVE = [MinValueValidator(Decimal("0.001"))]


class PolicyFields(models.Model):
    """Rule parameters; empty means "no limit" (or: inherit, for a customer's override)."""

    min_margin_percent = models.DecimalField(
        _("minimum margin (%)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Price must be at least cost × (1 + this / 100)."),
    )
    min_lead_days = models.PositiveSmallIntegerField(
        _("minimum lead time (days)"),
        null=True,
        blank=True,
        help_text=_("On top of the product's own delivery lead time."),
    )
    max_quantity = models.DecimalField(
        _("largest quantity per line"), **QUANTITY, null=True, blank=True, validators=POSITIVE
    )
    max_quantity_action = models.CharField(
        _("above the largest quantity"),
        max_length=8,
        blank=True,
        choices=[(Action.COUNTER, Action.COUNTER.label), (Action.HOLD, Action.HOLD.label)],
    )
    overdue_amount_limit = models.DecimalField(
        _("overdue amount allowed"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    overdue_days_limit = models.PositiveSmallIntegerField(
        _("oldest overdue invoice allowed (days)"), null=True, blank=True
    )
    overdue_action = models.CharField(
        _("when overdue"),
        max_length=8,
        blank=True,
        choices=[(Action.HOLD, Action.HOLD.label), (Action.DECLINE, Action.DECLINE.label)],
    )

    class Meta:
        abstract = True


class PromisePolicy(PolicyFields):
    """The rules of one customer group; the policy without a group applies to everyone else."""

    group = models.OneToOneField(
        CustomerGroup,
        verbose_name=_("customer group"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="promise_policy",
    )
    excluded_products = models.ManyToManyField(
        Product, verbose_name=_("products not sold to this group"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("promise policy")
        verbose_name_plural = _("promise policies")
        constraints = [
            # One policy per group and exactly one default (no group): NULL reads as 0 here.
            models.UniqueConstraint(Coalesce("group", 0), name="one_policy_per_group"),
        ]

    def __str__(self) -> str:
        return str(self.group) if self.group_id else str(_("Default policy"))


class CustomerPolicy(PolicyFields):
    """One customer's overrides of the group policy (empty fields inherit)."""

    customer = models.OneToOneField(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="promise_policy",
    )
    reason = models.TextField(_("why this customer is different"), blank=True)

    class Meta:
        verbose_name = _("customer policy override")
        verbose_name_plural = _("customer policy overrides")

    def __str__(self) -> str:
        return str(self.customer)


class Order(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="orders"
    )
    ship_complete = models.BooleanField(_("ship complete"), default=False)
    decision = models.CharField(_("decision"), max_length=8, choices=Decision)
    note = models.TextField(_("note"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.CharField(
        _("cancelled by"), max_length=8, choices=CancelledBy, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        permissions = [("approve_hold", _("Can approve or reject held orders"))]
        indexes = [models.Index(fields=["customer", "-created_at"])]

    def __str__(self) -> str:
        return self.number

    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class OrderLine(models.Model):
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines"
    )
    number = models.PositiveSmallIntegerField(_("line"))
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    requested_quantity = models.DecimalField(
        _("requested quantity"), **QUANTITY, validators=POSITIVE
    )
    requested_date = models.DateField(_("requested date"), db_index=True)
    accept_partial = models.BooleanField(_("accepts part now, rest later"), default=False)
    unit_price = models.DecimalField(_("unit price"), **MONEY, validators=[MinValueValidator(0)])
    unit_cost = models.DecimalField(_("unit cost"), **MONEY, validators=[MinValueValidator(0)])
    decision = models.CharField(_("decision"), max_length=8, choices=Decision)
    status = models.CharField(_("status"), max_length=10, choices=LineStatus)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    # What service level measures the line against (SPEC 2.4): the latest version agreed
    # with the customer, else the first promise. Written by the ledger with each version.
    governing_quantity = models.DecimalField(
        _("quantity measured against"), **QUANTITY, null=True, blank=True, editable=False
    )
    governing_date = models.DateField(
        _("date measured against"), null=True, blank=True, editable=False, db_index=True
    )

    class Meta:
        ordering = ["order", "number"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.UniqueConstraint(fields=["order", "number"], name="line_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.order.number}/{self.number}"

    def value(self) -> Decimal:
        return self.requested_quantity * self.unit_price


class PromiseVersion(models.Model):
    """One version of a line's promise. Written once, never edited (the promise ledger)."""

    line = models.ForeignKey(
        OrderLine, verbose_name=_("line"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=10, choices=VersionKind)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    date = models.DateField(_("date"), help_text=_("The date of the last part."))
    parts = models.JSONField(_("parts"), help_text=_('[{"quantity", "date", "to_procure"}]'))
    reason = models.TextField(_("reason"), blank=True)
    figures = models.JSONField(_("figures used"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["line", "number"]
        verbose_name = _("promise version")
        verbose_name_plural = _("promise versions")
        constraints = [
            models.UniqueConstraint(fields=["line", "number"], name="promise_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.line} v{self.number}: {self.quantity} @ {self.date}"


class CommitmentQuerySet(models.QuerySet):
    def open(self):
        return self.filter(is_open=True)


class Commitment(models.Model):
    """Stock held for one part of a promise: what ATP subtracts. Closed, never deleted."""

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="commitments")
    version = models.ForeignKey(
        PromiseVersion, on_delete=models.CASCADE, related_name="commitments"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="commitments")
    date = models.DateField()
    quantity = models.DecimalField(**QUANTITY, validators=POSITIVE)
    to_procure = models.BooleanField(default=False)
    is_open = models.BooleanField(default=True)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["product", "is_open", "date"]),
            # a customer's open promises (the notebook): few open among millions closed
            models.Index(
                fields=["line"], condition=models.Q(is_open=True), name="commitment_open_line"
            ),
            models.Index(
                fields=["date", "id"], condition=models.Q(is_open=True), name="commitment_open_date"
            ),
        ]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")

    def __str__(self) -> str:
        return f"{self.product.sku} {self.quantity} @ {self.date}"


class Offer(models.Model):
    """A counter-offer for a line: reserves nothing, re-checked on acceptance."""

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="offers")
    number = models.PositiveSmallIntegerField()
    parts = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["line", "number"]
        constraints = [
            models.UniqueConstraint(fields=["line", "number"], name="offer_number_unique")
        ]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")

    def __str__(self) -> str:
        return f"{self.line} offer {self.number}"
