from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kept.replenishment.actions import FIELDS
from kept.replenishment.choices import Outcome
from kept.replenishment.models import Subscription

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
WEEKDAYS = [
    (1, _("Mon")),
    (2, _("Tue")),
    (3, _("Wed")),
    (4, _("Thu")),
    (5, _("Fri")),
    (6, _("Sat")),
    (7, _("Sun")),
]


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(choices=Outcome.choices)
    quantity = forms.DecimalField(required=False, min_value=0, max_digits=12, decimal_places=3)
    postponed_until = forms.DateField(required=False, widget=DATE)
    still_had = forms.DecimalField(required=False, min_value=0, max_digits=12, decimal_places=3)


class SubscriptionForm(forms.ModelForm):
    preferred_days = forms.TypedMultipleChoiceField(
        label=_("Preferred days"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Subscription
        fields = FIELDS
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}
