from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kept.core import dates
from kept.fulfilment.choices import Defect, GroupBy

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    by = forms.ChoiceField(
        label=pgettext_lazy("group the figures by", "By"), choices=GroupBy.choices, required=False
    )

    def clean(self):
        data = super().clean()
        try:
            start, end = dates.period(
                data.get("start"), data.get("end"), today=timezone.localdate(), default_days=365
            )
        except dates.PeriodError as error:
            raise forms.ValidationError(error.message) from error
        data.update(start=start, end=end, by=data.get("by") or GroupBy.MONTH)
        return data

    def clean_and_get(self) -> dict:
        """The defaults (the last year, by month) when the submitted period was not valid."""
        self.is_valid()
        return self.cleaned_data


class DeliveryForm(forms.Form):
    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=14, decimal_places=3, min_value=0.001
    )
    quality_ok = forms.BooleanField(label=_("Quality OK"), required=False, initial=True)
    defect = forms.ChoiceField(
        label=_("What was wrong"), choices=[("", "—"), *Defect.choices], required=False
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
