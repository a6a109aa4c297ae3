"""Writes for products, stock and receipts. On-hand changes only through record_movement."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kept.catalog.choices import MovementReason, ReceiptStatus
from kept.catalog.models import Product, Receipt, StockLevel, StockMovement
from kept.core import audit

PRODUCT_FIELDS = [
    "name", "unit", "price", "cost", "sellable", "grade",
    "delivery_lead_days", "replenishment_lead_days", "consumable",
]


@transaction.atomic
def create_product(data: dict[str, Any], *, actor=None) -> Product:
    product = Product(**data)
    product.full_clean()
    product.save()
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
    quantity = Decimal(quantity)
    if quantity == 0:
        raise ValidationError({"quantity": _("A movement must change the stock; the quantity is zero.")})
    if reason not in MovementReason.values:
        raise ValidationError({"reason": _("Unknown reason %(reason)s.") % {"reason": reason}})
    stock = lock_stock(product)
    balance = stock.on_hand + quantity
    if balance < 0 and not allow_negative:
        raise ValidationError(
            {"quantity": _("Only %(on_hand)s %(unit)s on hand; cannot take out %(quantity)s.")
             % {"on_hand": stock.on_hand, "unit": product.unit, "quantity": -quantity}}
        )
    now = timezone.now()
    stock.on_hand = balance
    stock.updated_at = now
    stock.save(update_fields=["on_hand", "updated_at"])
    movement = StockMovement.objects.create(
        product=product, quantity=quantity, reason=reason, note=note, balance_after=balance,
        receipt=receipt, created_by=actor, created_at=now,
    )
    if reason in {MovementReason.WRITE_OFF, MovementReason.DAMAGE, MovementReason.COUNT}:
        audit.record(actor, f"stock.{reason}", product, reason=note, changes={"quantity": str(quantity)})
    return movement


@transaction.atomic
def schedule_receipt(
    product: Product, quantity: Decimal, expected_date, *, reference: str = "", actor=None
) -> Receipt:
    receipt = Receipt(product=product, quantity=quantity, expected_date=expected_date, reference=reference)
    receipt.full_clean()
    receipt.save()
    return receipt


def _lock_open_receipt(receipt: Receipt) -> Receipt:
    locked = Receipt.objects.select_for_update().get(pk=receipt.pk)
    if not locked.is_open():
        raise ValidationError(
            _("This receipt is already %(status)s.") % {"status": locked.get_status_display()}
        )
    return locked


@transaction.atomic
def reschedule_receipt(receipt: Receipt, expected_date, *, actor=None, reason: str = "") -> Receipt:
    locked = _lock_open_receipt(receipt)
    old = locked.expected_date
    locked.expected_date = expected_date
    locked.save(update_fields=["expected_date"])
    audit.record(actor, "receipt.reschedule", locked, reason=reason,
                 changes={"expected_date": [str(old), str(expected_date)]})
    return locked


@transaction.atomic
def receive_receipt(receipt: Receipt, *, quantity: Decimal | None = None, actor=None) -> Receipt:
    """Book the receipt into stock (the quantity actually received, default the expected one)."""
    locked = _lock_open_receipt(receipt)
    received = locked.quantity if quantity is None else Decimal(quantity)
    if received <= 0:
        raise ValidationError({"quantity": _("The received quantity must be more than zero.")})
    record_movement(locked.product, received, MovementReason.RECEIPT, actor=actor,
                    note=locked.reference, receipt=locked)
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
