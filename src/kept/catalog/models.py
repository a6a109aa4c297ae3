from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kept.catalog.choices import MovementReason, ReceiptStatus
from kept.customers.models import code_validator

QUANTITY = {"max_digits": 14, "decimal_places": 3}
MONEY = {"max_digits": 14, "decimal_places": 2}


class Product(models.Model):
    sku = models.CharField(_("SKU"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=16, help_text=_("e.g. kg, bag, bottle"))
    price = models.DecimalField(_("price"), **MONEY, validators=[MinValueValidator(0)])
    cost = models.DecimalField(_("cost"), **MONEY, validators=[MinValueValidator(0)])
    sellable = models.BooleanField(_("sellable"), default=True)
    grade = models.CharField(_("quality grade or spec"), max_length=100, blank=True)
    delivery_lead_days = models.PositiveSmallIntegerField(_("delivery lead time (days)"), default=0)
    replenishment_lead_days = models.PositiveSmallIntegerField(
        _("replenishment lead time (days)"),
        null=True,
        blank=True,
        help_text=_("Days to procure more; empty if it cannot be procured on demand."),
    )
    consumable = models.BooleanField(
        _("consumable"),
        default=False,
        help_text=_("Used up and refilled regularly (rice, oil, water)."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["sku"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"


class StockLevel(models.Model):
    """On-hand quantity of one product: changed only by recording a movement.

    The row is also the lock that serialises every stock and promise change of its product.
    """

    product = models.OneToOneField(
        Product,
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        related_name="stock",
        primary_key=True,
    )
    on_hand = models.DecimalField(_("on hand"), **QUANTITY, default=Decimal("0"))
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")

    def __str__(self) -> str:
        return f"{self.product.sku}: {self.on_hand}"


class StockMovement(models.Model):
    """One change of on-hand stock. Rows are appended, never edited or deleted."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="movements"
    )
    quantity = models.DecimalField(
        _("quantity"), **QUANTITY, help_text=_("Positive in, negative out.")
    )
    reason = models.CharField(_("reason"), max_length=16, choices=MovementReason)
    note = models.CharField(_("note"), max_length=500, blank=True)
    balance_after = models.DecimalField(_("on hand after"), **QUANTITY)
    receipt = models.ForeignKey(
        "Receipt",
        verbose_name=_("receipt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="movements",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="movement_quantity_not_zero"),
        ]
        indexes = [models.Index(fields=["product", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.product.sku} {self.quantity:+} {self.get_reason_display()}"


class Receipt(models.Model):
    """Stock expected from a supplier on a date."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="receipts"
    )
    quantity = models.DecimalField(
        _("quantity"), **QUANTITY, validators=[MinValueValidator(Decimal("0.001"))]
    )
    expected_date = models.DateField(_("expected date"))
    status = models.CharField(
        _("status"), max_length=16, choices=ReceiptStatus, default=ReceiptStatus.SCHEDULED
    )
    reference = models.CharField(
        _("reference"), max_length=64, blank=True, help_text=_("Supplier or PO number.")
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["expected_date", "id"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="receipt_quantity_positive")
        ]
        indexes = [models.Index(fields=["product", "status", "expected_date"])]

    def __str__(self) -> str:
        return f"{self.product.sku} {self.quantity} @ {self.expected_date}"

    def is_open(self) -> bool:
        return self.status == ReceiptStatus.SCHEDULED

    def is_overdue(self, today=None) -> bool:
        """Still expected, and its date (a business date) has passed."""
        return self.is_open() and self.expected_date < (today or timezone.localdate())
