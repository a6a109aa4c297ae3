"""Writes for products, stock and receipts. On-hand changes only through record_movement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kept.catalog.choices import (
    MANUAL_REASONS,
    NOTE_REQUIRED_REASONS,
    MovementReason,
    ReceiptStatus,
)
from kept.catalog.models import QUANTITY, Product, Receipt, StockLevel, StockMovement
from kept.core import audit

PRODUCT_FIELDS = [
    "name",
    "unit",
    "price",
    "cost",
    "sellable",
    "grade",
    "delivery_lead_days",
    "replenishment_lead_days",
    "consumable",
]
NOTE_MAX_LENGTH = StockMovement._meta.get_field("note").max_length
# Largest on-hand the column can hold (max_digits 14, 3 places → 11 whole digits).
QUANTITY_LIMIT = Decimal(10) ** (QUANTITY["max_digits"] - QUANTITY["decimal_places"])


@transaction.atomic
def create_product(data: dict[str, Any], *, actor=None) -> Product:
    product = Product(**data)
    product.full_clean()
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError as exc:
        # Two people creating the same SKU at once: the unique index decides.
        raise ValidationError(
            {"sku": _("A product with SKU %(sku)s already exists.") % {"sku": product.sku}}
        ) from exc
    StockLevel.objects.create(product=product)
    audit.record(actor, "product.create", product)
    return product


@transaction.atomic
def update_product(product: Product, data: dict[str, Any], *, actor=None) -> Product:
    changes = audit.diff(product, PRODUCT_FIELDS, data)
    for name in PRODUCT_FIELDS:
        if name in data:
            setattr(product, name, data[name])
    product.full_clean()
    product.save(update_fields=[name for name in PRODUCT_FIELDS if name in data])
    if changes.keys() & {"price", "cost", "sellable"}:
        audit.record(actor, "product.update", product, changes=changes)
    return product


def lock_stock(product: Product) -> StockLevel:
    """Lock the product's stock row for the rest of the transaction (creates it if missing)."""
    StockLevel.objects.get_or_create(product=product)
    return StockLevel.objects.select_for_update().get(product=product)


def checked_quantity(value: Any, field: str = "quantity") -> Decimal:
    """The value as a Decimal that fits a quantity column, or a ValidationError on ``field``."""
    try:
        quantity = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not quantity.is_finite():
        raise ValidationError({field: _("Enter a finite number.")})
    try:
        DecimalValidator(QUANTITY["max_digits"], QUANTITY["decimal_places"])(quantity)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    return quantity


@transaction.atomic
def record_movement(
    product: Product,
    quantity: Decimal,
    reason: str,
    *,
    actor=None,
    note: str = "",
    receipt: Receipt | None = None,
    allow_negative: bool = False,
) -> StockMovement:
    """Append a movement and change on-hand by it, under the product's stock lock.

    On-hand may not go below zero unless ``allow_negative`` (a count correction that
    must record what is physically there).
    """
    quantity = checked_quantity(quantity)
    if quantity == 0:
        raise ValidationError(
            {"quantity": _("A movement must change the stock; the quantity is zero.")}
        )
    if reason not in MovementReason.values:
        raise ValidationError({"reason": _("Unknown reason %(reason)s.") % {"reason": reason}})
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"note": _("Keep the note under %(limit)s characters.") % {"limit": NOTE_MAX_LENGTH}}
        )
    stock = lock_stock(product)
    balance = stock.on_hand + quantity
    _check_balance(product, stock, quantity, balance, allow_negative)
    now = timezone.now()
    stock.on_hand = balance
    stock.updated_at = now
    stock.save(update_fields=["on_hand", "updated_at"])
    movement = StockMovement.objects.create(
        product=product,
        quantity=quantity,
        reason=reason,
        note=note,
        balance_after=balance,
        receipt=receipt,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=now,
    )
    if reason in NOTE_REQUIRED_REASONS:
        audit.record(
            actor, f"stock.{reason}", product, reason=note, changes={"quantity": str(quantity)}
        )
    return movement


def _check_balance(product, stock, quantity, balance, allow_negative) -> None:
    if balance < 0 and not allow_negative:
        raise ValidationError(
            {
                "quantity": _("Only %(on_hand)s %(unit)s on hand; cannot take out %(quantity)s.")
                % {"on_hand": stock.on_hand, "unit": product.unit, "quantity": -quantity}
            }
        )
    if abs(balance) >= QUANTITY_LIMIT:
        raise ValidationError(
            {"quantity": _("On hand would exceed the largest quantity Kept can store.")}
        )


@transaction.atomic
def record_manual_movement(
    product: Product, quantity: Decimal, reason: str, *, note: str = "", actor=None
) -> StockMovement:
    """A movement a person records by hand: only the manual reasons, and a why for losses."""
    note = (note or "").strip()
    if reason not in MANUAL_REASONS:
        raise ValidationError(
            {"reason": _("%(reason)s cannot be recorded by hand.") % {"reason": reason}}
        )
    if reason in NOTE_REQUIRED_REASONS and not note:
        raise ValidationError(
            {"note": _("Say why: a note is required for write-offs, damage and count corrections.")}
        )
    return record_movement(product, quantity, reason, actor=actor, note=note)


def _check_expected_date(expected_date) -> None:
    if not isinstance(expected_date, date):
        raise ValidationError({"expected_date": _("Enter a valid date.")})
    if expected_date < timezone.localdate():
        raise ValidationError({"expected_date": _("The expected date cannot be in the past.")})


@transaction.atomic
def schedule_receipt(
    product: Product, quantity: Decimal, expected_date, *, reference: str = "", actor=None
) -> Receipt:
    _check_expected_date(expected_date)
    receipt = Receipt(
        product=product,
        quantity=checked_quantity(quantity),
        expected_date=expected_date,
        reference=reference,
    )
    receipt.full_clean()
    receipt.save()
    audit.record(actor, "receipt.schedule", receipt)
    return receipt


def _lock_open_receipt(receipt: Receipt) -> Receipt:
    locked = (
        Receipt.objects.select_for_update(of=("self",)).select_related("product").get(pk=receipt.pk)
    )
    if not locked.is_open():
        raise ValidationError(
            _("This receipt is no longer open (status: %(status)s).")
            % {"status": locked.get_status_display()}
        )
    return locked


@transaction.atomic
def reschedule_receipt(receipt: Receipt, expected_date, *, actor=None, reason: str = "") -> Receipt:
    _check_expected_date(expected_date)
    locked = _lock_open_receipt(receipt)
    old = locked.expected_date
    locked.expected_date = expected_date
    locked.save(update_fields=["expected_date"])
    audit.record(
        actor,
        "receipt.reschedule",
        locked,
        reason=reason,
        changes={"expected_date": [str(old), str(expected_date)]},
    )
    return locked


@transaction.atomic
def receive_receipt(receipt: Receipt, *, quantity: Decimal | None = None, actor=None) -> Receipt:
    """Book the receipt into stock (the quantity actually received, default the expected one)."""
    locked = _lock_open_receipt(receipt)
    received = locked.quantity if quantity is None else checked_quantity(quantity)
    if received <= 0:
        raise ValidationError({"quantity": _("The received quantity must be more than zero.")})
    record_movement(
        locked.product,
        received,
        MovementReason.RECEIPT,
        actor=actor,
        note=locked.reference,
        receipt=locked,
    )
    locked.status = ReceiptStatus.RECEIVED
    locked.received_at = timezone.now()
    locked.save(update_fields=["status", "received_at"])
    return locked


@transaction.atomic
def cancel_receipt(receipt: Receipt, *, actor=None, reason: str = "") -> Receipt:
    locked = _lock_open_receipt(receipt)
    locked.status = ReceiptStatus.CANCELLED
    locked.save(update_fields=["status"])
    audit.record(actor, "receipt.cancel", locked, reason=reason)
    return locked
