"""Forms of the manager pages of customer value: the period of the P&L and the settings.
They check what a browser sends; the rules themselves live in ``actions``."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kept.core.dates import OUT_OF_RANGE, in_range
from kept.value.actions import SETTINGS_FIELDS, STRATEGY_MAX
from kept.value.choices import DEFAULT_STRATEGY, QUADRANT_MEANING, QuadrantKey
from kept.value.models import ValueSettings

MAX_YEARS = 3
MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0")}


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier (28 February for a 29th that year lacks)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last twelve months up to yesterday: yesterday is the last complete day."""
    end = (today or timezone.localdate()) - timedelta(days=1)
    return years_before(end, 1) + timedelta(days=1), end


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=_date_input())
    end = forms.DateField(label=_("To"), required=False, widget=_date_input())

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if not in_range(*(day for day in (data.get("start"), data.get("end")) if day)):
            raise forms.ValidationError(OUT_OF_RANGE)  # before the defaults count back from it
        start, end = default_period()
        end = data.get("end") or end
        start = data.get("start") or years_before(end, 1) + timedelta(days=1)
        if not in_range(start, end):
            raise forms.ValidationError(OUT_OF_RANGE)
        if start > end:
            raise forms.ValidationError(_("The start is after the end."))
        if start <= years_before(end, MAX_YEARS):
            raise forms.ValidationError(_("Ask for three years at most."))
        data.update(start=start, end=end)
        return data


class RatesForm(forms.ModelForm):
    """The activity rates and the CLV settings (one row)."""

    class Meta:
        model = ValueSettings
        fields = list(SETTINGS_FIELDS)


class QuadrantsForm(forms.Form):
    """A name and a service strategy for each of the four quadrants; empty keeps the
    translated default, shown as the placeholder."""

    def __init__(self, *args, strategies: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for key in QuadrantKey.values:
            stored = strategies[key]
            self.fields[f"{key}_name"] = forms.CharField(
                label=_("Name"),
                required=False,
                max_length=60,
                initial=stored.name,
                widget=forms.TextInput(attrs={"placeholder": QuadrantKey(key).label}),
            )
            self.fields[f"{key}_strategy"] = forms.CharField(
                label=_("Service strategy"),
                required=False,
                max_length=STRATEGY_MAX,
                initial=stored.strategy,
                widget=forms.Textarea(
                    attrs={"rows": 3, "placeholder": DEFAULT_STRATEGY[QuadrantKey(key)]}
                ),
            )

    def quadrants(self) -> list[dict]:
        """Each quadrant with its meaning and its two fields, for the template."""
        return [
            {
                "key": key,
                "label": QuadrantKey(key).label,
                "meaning": QUADRANT_MEANING[QuadrantKey(key)],
                "name": self[f"{key}_name"],
                "strategy": self[f"{key}_strategy"],
            }
            for key in QuadrantKey.values
        ]

    def values(self) -> dict[str, dict]:
        data = self.cleaned_data
        return {
            key: {"name": data[f"{key}_name"], "strategy": data[f"{key}_strategy"]}
            for key in QuadrantKey.values
        }


class SpendForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    acquisition = forms.DecimalField(label=_("Acquisition spend"), **MONEY)
    retention = forms.DecimalField(label=_("Retention spend"), **MONEY)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class VipForm(forms.Form):
    customer = forms.CharField(label=_("Customer code"), max_length=32)
    description = forms.CharField(label=_("What is given"), max_length=200)
    started_on = forms.DateField(label=_("From"), widget=_date_input())
    ended_on = forms.DateField(label=_("Until"), required=False, widget=_date_input())


class EndVipForm(forms.Form):
    ended_on = forms.DateField(label=_("Ended on"), required=False, widget=_date_input())
