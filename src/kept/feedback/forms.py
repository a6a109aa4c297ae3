from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kept.core import dates
from kept.feedback.actions import MAX_COMMENT
from kept.feedback.choices import ResultsBy, Scope
from kept.feedback.queries import DEFAULT_DAYS


class AnswerForm(forms.Form):
    """The public survey: CSAT (required), NPS and a comment (optional)."""

    csat = forms.TypedChoiceField(
        label=_("How satisfied are you with us?"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    nps = forms.TypedChoiceField(
        label=_("How likely are you to recommend us to a friend or colleague?"),
        choices=[(n, str(n)) for n in range(11)],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    # stored exactly as written: no trimming
    comment = forms.CharField(
        label=_("Anything you would like to tell us?"),
        required=False,
        strip=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ResultsForm(forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    by = forms.ChoiceField(
        label=pgettext_lazy("group the figures by", "By"), choices=ResultsBy.choices, required=False
    )
    scope = forms.ChoiceField(label=_("Who answered"), choices=Scope.choices, required=False)

    def clean(self):
        data = super().clean()
        try:
            start, end = dates.period(
                data.get("start"), data.get("end"), today=timezone.localdate(),
                default_days=DEFAULT_DAYS,
            )  # fmt: skip
        except dates.PeriodError as error:
            raise forms.ValidationError(error.message) from error
        data.update(
            start=start,
            end=end,
            by=data.get("by") or ResultsBy.MONTH,
            scope=data.get("scope") or Scope.EXTERNAL,
        )
        return data

    def period(self) -> dict:
        """The period asked for, or the defaults (the last 90 days, by month, customers)."""
        if self.is_valid():
            return self.cleaned_data
        fallback = ResultsForm({})
        fallback.is_valid()
        return fallback.cleaned_data


class SendForm(forms.Form):
    customer = forms.CharField(label=_("Customer code"), max_length=32)
