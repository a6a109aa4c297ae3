"""Forms of the promise pages: they check input and say clearly what is wrong; actions write."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from kept.catalog.forms import DATE_INPUT, SMALLEST_QUANTITY, quantity_field
from kept.catalog.models import MONEY
from kept.promising.choices import CancelledBy, Decision, VersionKind
from kept.promising.queries import business_today

MAX_LINES = 50
REASON_LENGTH = 2000


def _reason(required: bool, label=None) -> forms.CharField:
    return forms.CharField(
        label=label or _("Reason"),
        required=required,
        max_length=REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason.")},
    )


class DeskForm(forms.Form):
    """The order as a whole; its lines are a LineFormSet."""

    customer = forms.CharField(max_length=32, required=False)
    ship_complete = forms.BooleanField(
        label=_("Ship complete: one delivery for the whole order"), required=False
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class LineForm(forms.Form):
    """One line of the desk. A line without a product is blank and ignored."""

    product = forms.ChoiceField(label=_("Product"), required=False)
    quantity = quantity_field(required=False, min_value=SMALLEST_QUANTITY)
    requested_date = forms.DateField(label=_("Wanted on"), required=False, widget=DATE_INPUT)
    accept_partial = forms.BooleanField(label=_("Accepts part now, rest later"), required=False)
    unit_price = forms.DecimalField(
        label=_("Unit price"),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        **MONEY,
    )

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [("", _("Choose a product")), *products]
        self.fields["requested_date"].initial = business_today() + timedelta(days=1)
        self.fields["unit_price"].widget.attrs["placeholder"] = _("list price")

    def clean(self):
        data = super().clean()
        if data.get("product"):
            if data.get("quantity") is None and "quantity" not in self.errors:
                self.add_error("quantity", _("Say how many."))
            if data.get("requested_date") is None and "requested_date" not in self.errors:
                self.add_error("requested_date", _("Give the date the customer wants."))
        return data

    def is_deleted(self) -> bool:
        return bool(self["DELETE"].data) if "DELETE" in self.fields else False


LineFormSet = forms.formset_factory(
    LineForm,
    extra=0,
    min_num=1,
    can_delete=True,
    max_num=MAX_LINES,
    absolute_max=MAX_LINES,
    validate_max=True,
)


class AcceptForm(forms.Form):
    line = forms.IntegerField(min_value=1, max_value=1000)
    offer = forms.IntegerField(min_value=1, max_value=100_000)


class ReasonForm(forms.Form):
    reason = _reason(required=True)


class ChangeForm(forms.Form):
    quantity = quantity_field(min_value=SMALLEST_QUANTITY)
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    kind = forms.ChoiceField(
        label=_("Who decided"),
        choices=[
            (VersionKind.AGREED, VersionKind.AGREED.label),
            (VersionKind.UNILATERAL, VersionKind.UNILATERAL.label),
        ],
        initial=VersionKind.AGREED,
        widget=forms.RadioSelect,
    )
    reason = _reason(required=True, label=_("Why the promise changes"))


class CancelForm(forms.Form):
    by = forms.ChoiceField(
        label=_("Cancelled by"),
        choices=CancelledBy.choices,
        initial=CancelledBy.CUSTOMER,
        widget=forms.RadioSelect,
    )
    reason = _reason(required=False)


class OrderFilterForm(forms.Form):
    q = forms.CharField(label=_("Customer or order"), required=False, max_length=100)
    decision = forms.ChoiceField(
        label=_("Decision"), required=False, choices=[("", _("All")), *Decision.choices]
    )

    def clean_q(self) -> str:
        return self.cleaned_data["q"].replace("\x00", "").strip()


def error_text(form: forms.Form) -> str:
    """A form's errors in one line, for a message after a redirect."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        text = " ".join(str(e) for e in errors)
        parts.append(f"{label}: {text}" if label else text)
    return "; ".join(parts)


def decimal_or_none(value: str) -> Decimal | None:
    try:
        number = Decimal(value)
    except (ArithmeticError, TypeError, ValueError):
        return None
    return number if number.is_finite() else None
