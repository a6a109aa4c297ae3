"""Forms of the retention and lapsing pages: the period of the retention report, and whose
customers the lapsing list shows."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kept.core.dates import OUT_OF_RANGE, in_range

MAX_MONTHS = 60  # five years of cohorts is already a wide table
MINE, EVERYONE = "mine", "everyone"


def yesterday() -> date:
    """Reports end yesterday: today's deliveries are still being made."""
    return timezone.localdate() - timedelta(days=1)


def months_back(day: date, months: int) -> date:
    """The first day of the month ``months`` before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


class PeriodForm(forms.Form):
    """The retention report's period: by default the last 12 calendar months (this month
    so far included) up to yesterday."""

    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if not in_range(*(day for day in (data.get("start"), data.get("end")) if day)):
            raise forms.ValidationError(OUT_OF_RANGE)  # before the defaults count back from it
        end = data.get("end") or yesterday()
        start = data.get("start") or months_back(end, 11)
        if start > end:
            raise forms.ValidationError(_("The start is after the end."))
        if not in_range(start, end):
            raise forms.ValidationError(OUT_OF_RANGE)
        if start < months_back(end, MAX_MONTHS - 1):
            raise forms.ValidationError(_("Ask for five years at most."))
        data.update(start=start, end=end)
        return data

    def period(self) -> tuple[date, date]:
        """The period asked for, or the defaults when the input is wrong."""
        found = self.cleaned_data if self.is_valid() else PeriodForm._defaults()
        return found["start"], found["end"]

    @staticmethod
    def _defaults() -> dict:
        fallback = PeriodForm({})
        fallback.is_valid()
        return fallback.cleaned_data


def owners():
    """The users who own at least one active customer, for the owner filter."""
    return (
        get_user_model()
        .objects.filter(owned_customers__is_active=True)
        .distinct()
        .order_by("username")
    )


class OwnerForm(forms.Form):
    """Whose customers the lapsing list shows: mine, everyone's, or one owner's."""

    who = forms.ChoiceField(label=_("Customers of"), required=False)

    def __init__(self, *args, default: str = EVERYONE, **kwargs):
        super().__init__(*args, **kwargs)
        self.default = default
        choices = [(MINE, _("Mine")), (EVERYONE, _("Everyone"))]
        choices += [(str(user.pk), user.get_username()) for user in owners()]
        self.fields["who"].choices = choices

    def owner_id(self, user) -> int | None:
        """The owner to keep (None: everyone); an unknown choice falls back to the default."""
        who = self.cleaned_data.get("who") if self.is_valid() else None
        who = who or self.default
        if who == MINE:
            return user.pk
        return None if who == EVERYONE else int(who)

    def chosen(self) -> str:
        return (self.cleaned_data.get("who") if self.is_valid() else None) or self.default
