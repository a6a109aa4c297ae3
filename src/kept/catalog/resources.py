"""Import and export columns of products, stock movements and receipts.

Rows are written through ``kept.catalog.actions`` so the same rules hold as on the
pages: a product gets its stock row and price changes are audited, every stock
change is a movement under the product's lock (and may not take stock below zero),
receipts are scheduled (or cancelled) like any other. Used through
``kept.core.transfer``.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kept.catalog import actions
from kept.catalog.choices import MANUAL_REASONS, MovementReason, ReceiptStatus
from kept.catalog.models import Product, Receipt, StockMovement
from kept.core.transfer.resource import KeptResource, column
from kept.core.transfer.widgets import (
    BooleanWidget,
    ChoiceWidget,
    DateTimeWidget,
    DateWidget,
    DecimalWidget,
    IntegerWidget,
    LookupWidget,
    TextWidget,
)

# Stock goes in for these reasons and out for these; the others may go either way.
INWARD_REASONS = {MovementReason.OPENING, MovementReason.RETURN}
OUTWARD_REASONS = {MovementReason.DAMAGE, MovementReason.WRITE_OFF}


class ProductResource(KeptResource):
    sku = column("sku", TextWidget())
    name = column("name", TextWidget())
    unit = column("unit", TextWidget())
    price = column("price", DecimalWidget())
    cost = column("cost", DecimalWidget())
    sellable = column("sellable", BooleanWidget(), default=True)
    grade = column("grade", TextWidget())
    delivery_lead_days = column("delivery_lead_days", IntegerWidget(), default=0)
    replenishment_lead_days = column("replenishment_lead_days", IntegerWidget())
    consumable = column("consumable", BooleanWidget(), default=False)

    financial_columns = ("cost",)

    action_validates = True

    class Meta:
        model = Product
        fields = ("sku", *actions.PRODUCT_FIELDS)
        export_order = fields
        import_id_fields = ("sku",)

    def do_instance_save(self, instance, is_create):
        data = {name: getattr(instance, name) for name in actions.PRODUCT_FIELDS}
        if is_create:
            instance.pk = actions.create_product({"sku": instance.sku, **data}, actor=self.actor).pk
        else:
            # A fresh copy, so the action sees (and audits) what actually changes.
            actions.update_product(Product.objects.get(pk=instance.pk), data, actor=self.actor)


class StockMovementResource(KeptResource):
    product = column("product", LookupWidget(Product, "sku"))
    quantity = column("quantity", DecimalWidget())
    reason = column("reason", ChoiceWidget(MovementReason, allowed=MANUAL_REASONS))
    note = column("note", TextWidget())
    balance_after = column("balance_after", DecimalWidget(), readonly=True)
    created_at = column("created_at", DateTimeWidget(), readonly=True)
    created_by = column("created_by", LookupWidget(get_user_model(), "username"), readonly=True)

    readonly_columns = ("balance_after", "created_at", "created_by")
    clean_exclude = ("balance_after",)

    class Meta:
        model = StockMovement
        fields = (
            "product",
            "quantity",
            "reason",
            "note",
            "balance_after",
            "created_at",
            "created_by",
        )
        export_order = fields
        import_id_fields = ()
        force_init_instance = True

    def get_export_queryset(self):
        return StockMovement.objects.select_related("product", "created_by").order_by(
            "created_at", "id"
        )

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "quantity" not in errors and "reason" not in errors:
            problem = _direction_problem(instance.quantity, instance.reason)
            if problem:
                errors["quantity"] = [ValidationError(problem)]
        if errors:
            raise ValidationError(errors)

    def do_instance_save(self, instance, is_create):
        movement = actions.record_manual_movement(
            instance.product,
            instance.quantity,
            instance.reason,
            actor=self.actor,
            note=instance.note,
        )
        instance.pk = movement.pk
        instance.balance_after = movement.balance_after
        instance.created_at = movement.created_at
        instance.created_by = movement.created_by


def _direction_problem(quantity: Decimal | None, reason: str | None) -> str | None:
    if quantity is None or reason is None:
        return None
    if quantity == 0:
        return _("A movement must change the stock; the quantity is zero.")
    label = MovementReason(reason).label
    if reason in INWARD_REASONS and quantity < 0:
        return _("%(reason)s brings stock in; the quantity must be positive.") % {"reason": label}
    if reason in OUTWARD_REASONS and quantity > 0:
        return _(
            "%(reason)s takes stock out; write the quantity as negative, e.g. -%(quantity)s."
        ) % {
            "reason": label,
            "quantity": quantity,
        }
    return None


class ImportableStatusWidget(ChoiceWidget):
    """Scheduled or cancelled; receiving books stock, which belongs to the receipts page."""

    def __init__(self):
        super().__init__(ReceiptStatus)

    def clean(self, value, row=None, **kwargs):
        status = super().clean(value, row, **kwargs)
        if status == ReceiptStatus.RECEIVED:
            raise ValueError(
                _(
                    "A receipt is received on the receipts page, which books its stock; "
                    "import it as scheduled or cancelled."
                )
            )
        return status


class ReceiptResource(KeptResource):
    product = column("product", LookupWidget(Product, "sku"))
    quantity = column("quantity", DecimalWidget())
    expected_date = column("expected_date", DateWidget())
    reference = column("reference", TextWidget())
    status = column("status", ImportableStatusWidget(), default=ReceiptStatus.SCHEDULED)

    action_validates = True

    class Meta:
        model = Receipt
        fields = ("product", "quantity", "expected_date", "reference", "status")
        export_order = fields
        import_id_fields = ()
        force_init_instance = True

    def get_export_queryset(self):
        return Receipt.objects.select_related("product").order_by("expected_date", "id")

    def do_instance_save(self, instance, is_create):
        receipt = actions.schedule_receipt(
            instance.product,
            instance.quantity,
            instance.expected_date,
            reference=instance.reference,
            actor=self.actor,
        )
        if instance.status == ReceiptStatus.CANCELLED:
            actions.cancel_receipt(receipt, actor=self.actor, reason=_("Imported as cancelled."))
        instance.pk = receipt.pk
