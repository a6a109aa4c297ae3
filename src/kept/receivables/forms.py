"""Forms of the receivables pages: they check input and say what is wrong; actions write."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kept.customers.models import Customer, CustomerGroup
from kept.receivables.choices import Allocate, PaymentMethod, StatusFilter
from kept.receivables.models import CENT, MONEY, Invoice, Payment

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Show an action's ValidationError on the form: on its field when the form has one."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


def money_field(**kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=kwargs.pop("label", _("Amount")),
        max_digits=MONEY["max_digits"],
        decimal_places=MONEY["decimal_places"],
        min_value=CENT,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        **kwargs,
    )


class CustomerCodeField(forms.CharField):
    """A customer typed by code; cleans to the Customer, or says no such customer exists."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Customer code"))
        super().__init__(max_length=32, **kwargs)

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        customer = None if "\x00" in code else Customer.objects.filter(code=code).first()
        if customer is None:
            raise ValidationError(_("No customer with code %(code)s.") % {"code": code})
        return customer


def _not_after_today(form: forms.Form, name: str) -> None:
    form.fields[name].widget.attrs["max"] = timezone.localdate().isoformat()


class InvoiceForm(forms.Form):
    customer = CustomerCodeField()
    amount = money_field()
    issue_date = forms.DateField(label=_("Issue date"), widget=DATE_INPUT)
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Leave empty: the issue date plus the customer's payment terms."),
    )
    number = forms.CharField(
        label=_("Number"),
        max_length=32,
        required=False,
        help_text=_("Leave empty for the next number (INV-000123)."),
    )
    order_number = forms.CharField(label=_("Order"), max_length=32, required=False)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("issue_date", timezone.localdate())
        super().__init__(*args, **kwargs)
        _not_after_today(self, "issue_date")


class PaymentForm(forms.Form):
    """A payment; with ``open_invoices`` it also offers an amount field per open invoice."""

    customer = CustomerCodeField()
    amount = money_field()
    received_on = forms.DateField(label=_("Received on"), widget=DATE_INPUT)
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=Payment._meta.get_field("reference").max_length,
        required=False,
        help_text=Payment._meta.get_field("reference").help_text,
    )
    allocate = forms.ChoiceField(
        label=_("Allocate"),
        choices=Allocate.choices,
        initial=Allocate.OLDEST,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, open_invoices=(), **kwargs):
        kwargs.setdefault("initial", {}).setdefault("received_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        _not_after_today(self, "received_on")
        self.open_invoices = list(open_invoices)
        for invoice in self.open_invoices:
            self.fields[self.field_name(invoice)] = money_field(
                label=invoice.number, required=False
            )

    @staticmethod
    def field_name(invoice: Invoice) -> str:
        return f"invoice_{invoice.pk}"

    def invoice_fields(self) -> list[tuple[Invoice, forms.BoundField]]:
        return [(invoice, self[self.field_name(invoice)]) for invoice in self.open_invoices]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("allocate") != Allocate.MANUAL:
            return cleaned
        chosen = {
            invoice: cleaned[self.field_name(invoice)]
            for invoice in self.open_invoices
            if cleaned.get(self.field_name(invoice))
        }
        if not chosen:
            raise ValidationError(_("Enter the amount to allocate to at least one invoice."))
        customer = cleaned.get("customer")
        if customer is not None and any(i.customer_id != customer.pk for i in chosen):
            raise ValidationError(_("Show the open invoices of this customer, then allocate."))
        cleaned["allocations"] = chosen
        return cleaned

    def allocation(self):
        """What to pass as ``allocate`` to ``record_payment``."""
        choice = self.cleaned_data["allocate"]
        if choice == Allocate.MANUAL:
            return self.cleaned_data["allocations"]
        return None if choice == Allocate.NONE else Allocate.OLDEST


class CreditChoiceField(forms.ModelChoiceField):
    """A payment of the customer, shown with what is left of it (``with_amounts``)."""

    def label_from_instance(self, payment):
        left = getattr(payment, "unallocated_amount", None)
        if left is None:
            return f"#{payment.pk}"
        return _("#%(id)s received %(day)s: %(left)s not yet allocated") % {
            "id": payment.pk,
            "day": payment.received_on.isoformat(),
            "left": left,
        }


class AllocateForm(forms.Form):
    payment = CreditChoiceField(
        label=_("Payment"),
        queryset=Payment.objects.none(),
        error_messages={"invalid_choice": _("Choose a payment that still has credit.")},
    )
    amount = money_field()

    def __init__(self, *args, payments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if payments is not None:
            self.fields["payment"].queryset = payments


# Filters: invalid values are reported and ignored, never a server error ------------------


class InvoiceFilterForm(forms.Form):
    number = forms.CharField(
        label=_("Number"), required=False, max_length=32, widget=forms.SearchInput
    )
    customer = forms.CharField(label=_("Customer code"), required=False, max_length=32)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *StatusFilter.choices]
    )
    date_from = forms.DateField(label=_("Issued from"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("Issued to"), required=False, widget=DATE_INPUT)


class PaymentFilterForm(forms.Form):
    customer = forms.CharField(label=_("Customer code"), required=False, max_length=32)
    method = forms.ChoiceField(
        label=_("Method"), required=False, choices=[("", _("Any method")), *PaymentMethod.choices]
    )
    date_from = forms.DateField(label=_("Received from"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("Received to"), required=False, widget=DATE_INPUT)


class CodeChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value and "\x00" in str(value):  # never a code, and PostgreSQL refuses NUL in text
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class AgeingFilterForm(forms.Form):
    group = CodeChoiceField(
        label=_("Group"),
        required=False,
        queryset=CustomerGroup.objects.order_by("name"),
        to_field_name="code",
        empty_label=_("All groups"),
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        required=False,
        queryset=get_user_model()
        .objects.filter(owned_customers__isnull=False)
        .distinct()
        .order_by("username"),
        empty_label=_("All owners"),
    )


def valid_filters(form: forms.Form) -> dict:
    """The filter values that are valid (invalid ones are shown as errors and ignored)."""
    form.is_valid()
    return {name: value for name, value in form.cleaned_data.items() if value not in (None, "")}
