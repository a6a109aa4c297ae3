"""Forms of the catalog pages: they check input and say clearly what is wrong; actions write."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kept.catalog.actions import PRODUCT_FIELDS
from kept.catalog.choices import MANUAL_REASONS, NOTE_REQUIRED_REASONS, ReceiptStatus
from kept.catalog.models import QUANTITY, Product, Receipt, StockMovement

SMALLEST_QUANTITY = Decimal(1).scaleb(-QUANTITY["decimal_places"])
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ANY_STATUS = "any"


class ProductChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value and "\x00" in str(value):  # never a SKU, and PostgreSQL refuses NUL in text
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


def product_choice(**kwargs) -> forms.ModelChoiceField:
    return ProductChoiceField(
        queryset=Product.objects.only("sku", "name").order_by("sku"),
        to_field_name="sku",
        label=_("Product"),
        error_messages={"invalid_choice": _("Choose a product from the list.")},
        **kwargs,
    )


def quantity_field(**kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=kwargs.pop("label", _("Quantity")),
        max_digits=QUANTITY["max_digits"],
        decimal_places=QUANTITY["decimal_places"],
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        **kwargs,
    )


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Show an action's ValidationError on the form: on its field when the form has one."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ["sku", *PRODUCT_FIELDS]

    def __init__(self, *args, show_cost: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["sku"]  # the SKU names the product everywhere; it never changes
        if not show_cost:
            del self.fields["cost"]


class MovementForm(forms.Form):
    product = product_choice()
    quantity = quantity_field(help_text=_("Positive adds stock, negative takes it out."))
    reason = forms.ChoiceField(
        label=_("Reason"), choices=[(r.value, r.label) for r in MANUAL_REASONS]
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=StockMovement._meta.get_field("note").max_length,
        required=False,
        help_text=_("Required for write-offs, damage and count corrections."),
    )

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity == 0:
            raise ValidationError(_("Enter a quantity other than zero."))
        return quantity

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") in NOTE_REQUIRED_REASONS and not cleaned.get("note", "").strip():
            self.add_error(
                "note",
                _("Say why: a note is required for write-offs, damage and count corrections."),
            )
        return cleaned


def _today_or_later(form: forms.Form) -> None:
    """Let the date picker offer only business dates from today on."""
    form.fields["expected_date"].widget.attrs["min"] = timezone.localdate().isoformat()


def _not_in_past(value):
    if value < timezone.localdate():
        raise ValidationError(_("The expected date cannot be in the past."))
    return value


class ReceiptForm(forms.Form):
    product = product_choice()
    quantity = quantity_field(min_value=SMALLEST_QUANTITY)
    expected_date = forms.DateField(label=_("Expected date"), widget=DATE_INPUT)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=Receipt._meta.get_field("reference").max_length,
        required=False,
        help_text=_("Supplier or PO number."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _today_or_later(self)

    def clean_expected_date(self):
        return _not_in_past(self.cleaned_data["expected_date"])


class ReceiveForm(forms.Form):
    quantity = quantity_field(
        label=_("Quantity received"),
        required=False,
        min_value=SMALLEST_QUANTITY,
        help_text=_("Leave empty if the expected quantity arrived."),
    )


class RescheduleForm(forms.Form):
    expected_date = forms.DateField(label=_("New expected date"), widget=DATE_INPUT)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def clean_expected_date(self):
        return _not_in_past(self.cleaned_data["expected_date"])


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it cancelled?"),
        max_length=500,
        error_messages={"required": _("Say why the receipt is cancelled.")},
    )


# Filters: invalid values are reported and ignored, never a server error ------------------


class ProductFilterForm(forms.Form):
    YES_NO = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]

    q = forms.CharField(label=_("Search"), required=False, max_length=100, widget=forms.SearchInput)
    sellable = forms.ChoiceField(label=_("Sellable"), choices=YES_NO, required=False)
    consumable = forms.ChoiceField(label=_("Consumable"), choices=YES_NO, required=False)

    def flag(self, name: str) -> bool | None:
        value = self.cleaned_data.get(name) if self.is_valid() else ""
        return {"yes": True, "no": False}.get(value)


class MovementFilterForm(forms.Form):
    product = forms.CharField(label=_("SKU"), required=False, max_length=32)
    reason = forms.ChoiceField(label=_("Reason"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reasons = StockMovement._meta.get_field("reason").choices
        self.fields["reason"].choices = [("", _("Any reason")), *reasons]


class ReceiptFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[(ANY_STATUS, _("Any status")), *ReceiptStatus.choices],
    )
    product = forms.CharField(label=_("SKU"), required=False, max_length=32)
    date_from = forms.DateField(label=_("Expected from"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("Expected to"), required=False, widget=DATE_INPUT)
