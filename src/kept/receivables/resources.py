"""Import and export columns of invoices and payments (django-import-export resources).

Every row is written through ``kept.receivables.actions``, so the rules of the pages hold:
an invoice without a number gets the next INV-000123, its due date defaults to the issue
date + the customer's payment terms; a payment is allocated oldest due invoice first (rows
in file order) and the rest stays as credit; both are audited. Rows only ever create:
invoices and payments are append-only. Used through ``kept.core.transfer``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from kept.core.transfer.resource import KeptResource, column
from kept.core.transfer.widgets import (
    ChoiceWidget,
    DateWidget,
    DecimalWidget,
    LookupWidget,
    TextWidget,
)
from kept.customers.models import Customer
from kept.receivables import actions
from kept.receivables.choices import Allocate, InvoiceStatus, PaymentMethod
from kept.receivables.models import Invoice, Payment, cents


def _check_filled(instance, names: tuple[str, ...], errors: dict) -> dict:
    """A blank required cell is reported as such (not as "Enter a valid date.")."""
    empty = _("This cell is empty, but a value is required.")
    for name in names:
        if name not in errors and getattr(instance, name, None) in (None, ""):
            errors[name] = [ValidationError(empty)]
    return errors


class MoneyWidget(DecimalWidget):
    """Sums come from the database unrounded on SQLite; money always has two places."""

    def render(self, value, obj=None, **kwargs):
        return super().render(None if value is None else cents(value), obj, **kwargs)


class AppendOnlyResource(KeptResource):
    #: Cells that must be filled in every row.
    filled: tuple[str, ...] = ()

    action_validates = True

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        errors = _check_filled(instance, self.filled, errors)
        if errors:
            raise ValidationError(errors)


class InvoiceResource(AppendOnlyResource):
    number = column("number", TextWidget())
    customer = column("customer", LookupWidget(Customer, "code"))
    issue_date = column("issue_date", DateWidget())
    due_date = column("due_date", DateWidget())
    amount = column("amount", DecimalWidget())
    order_number = column("order_number", TextWidget())
    note = column("note", TextWidget())
    open_amount = column("open_amount", MoneyWidget(), readonly=True)
    status = column("status", ChoiceWidget(InvoiceStatus), readonly=True)

    readonly_columns = ("open_amount", "status")
    clean_exclude = ("number", "due_date")  # issue_invoice fills them in when blank
    filled = ("customer", "issue_date", "amount")

    class Meta:
        model = Invoice
        fields = (
            "number",
            "customer",
            "issue_date",
            "due_date",
            "amount",
            "order_number",
            "note",
            "open_amount",
            "status",
        )
        export_order = fields
        import_id_fields = ()
        force_init_instance = True

    def get_export_queryset(self):
        invoices = Invoice.objects.with_status(timezone.localdate()).select_related("customer")
        return invoices.order_by("issue_date", "id")

    def do_instance_save(self, instance, is_create):
        invoice = actions.issue_invoice(
            instance.customer,
            instance.amount,
            instance.issue_date,
            number=instance.number,
            due_date=instance.due_date,
            order_number=instance.order_number,
            note=instance.note,
            actor=self.actor,
        )
        instance.pk, instance.number, instance.due_date = (
            invoice.pk,
            invoice.number,
            invoice.due_date,
        )


class PaymentResource(AppendOnlyResource):
    customer = column("customer", LookupWidget(Customer, "code"))
    received_on = column("received_on", DateWidget())
    amount = column("amount", DecimalWidget())
    method = column("method", ChoiceWidget(PaymentMethod))
    reference = column("reference", TextWidget())
    allocated_amount = column("allocated_amount", MoneyWidget(), readonly=True)

    readonly_columns = ("allocated_amount",)
    filled = ("customer", "received_on", "amount", "method")

    class Meta:
        model = Payment
        fields = ("customer", "received_on", "amount", "method", "reference", "allocated_amount")
        export_order = fields
        import_id_fields = ()
        force_init_instance = True

    def get_export_queryset(self):
        payments = Payment.objects.with_amounts().select_related("customer")
        return payments.order_by("received_on", "id")

    def do_instance_save(self, instance, is_create):
        payment = actions.record_payment(
            instance.customer,
            instance.amount,
            instance.received_on,
            method=instance.method,
            reference=instance.reference,
            allocate=Allocate.OLDEST,
            actor=self.actor,
        )
        instance.pk = payment.pk
