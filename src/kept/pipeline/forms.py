"""Forms of the funnel pages: a new lead, the moves, the filters and the stages' settings."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kept.core.choices import Role
from kept.core.dates import OUT_OF_RANGE, in_range
from kept.core.people import person_name
from kept.pipeline.choices import Breakdown, Channel
from kept.pipeline.models import Lead, Stage

MAX_POSITION = 9999
MAX_DAYS = 3 * 366


def owners():
    """The people who work leads: managers and staff."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[Role.MANAGER, Role.STAFF])
        .distinct()
        .order_by("username")
    )


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_name(obj)


def open_stages():
    """Stages a new lead may start at: before the won stage (a customer is made by winning)."""
    won = Stage.objects.filter(is_won=True).values_list("position", flat=True).first()
    found = Stage.objects.order_by("position")
    return found if won is None else found.filter(position__lt=won)


class LeadForm(forms.ModelForm):
    stage = forms.ModelChoiceField(queryset=Stage.objects.none(), label=_("stage"))
    owner = OwnerChoiceField(queryset=get_user_model().objects.none(), required=False,
                             label=_("owner"))  # fmt: skip

    class Meta:
        model = Lead
        fields = ["name", "phone", "email", "channel", "owner", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = open_stages()
        self.fields["stage"].initial = open_stages().first()
        self.fields["owner"].queryset = owners()

    def _post_clean(self):
        # the stage is the action's to set; validate the rest of the lead without it
        self.instance.stage = self.cleaned_data.get("stage") or open_stages().first()
        super()._post_clean()


class LeadFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    stage = forms.ModelChoiceField(Stage.objects.order_by("position"), required=False,
                                   label=_("stage"))  # fmt: skip
    channel = forms.ChoiceField(choices=[("", _("All channels")), *Channel.choices],
                                required=False, label=_("channel"))  # fmt: skip
    owner = OwnerChoiceField(get_user_model().objects.none(), required=False, label=_("owner"))
    state = forms.ChoiceField(
        choices=[("", _("All")), ("open", _("Open")), ("won", _("Won")), ("lost", _("Lost"))],
        required=False,
        label=_("state"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners()


class MoveForm(forms.Form):
    stage = forms.ModelChoiceField(Stage.objects.order_by("position"), label=_("to stage"))


class LoseForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=300)


class WinForm(forms.Form):
    code = forms.CharField(
        label=_("customer code"),
        max_length=32,
        required=False,
        help_text=_("Empty: L and the lead's number."),
    )


def default_period(today: date) -> tuple[date, date]:
    """The last twelve whole months and this one."""
    start = (today.replace(day=1) - timedelta(days=365)).replace(day=1)
    return start, today


class FunnelFilterForm(forms.Form):
    start = forms.DateField(label=_("from"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    end = forms.DateField(label=_("to"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    by = forms.ChoiceField(choices=Breakdown.choices, required=False, label=_("per"))
    channel = forms.ChoiceField(choices=[("", _("All channels")), *Channel.choices],
                                required=False, label=_("channel"))  # fmt: skip
    owner = OwnerChoiceField(get_user_model().objects.none(), required=False, label=_("owner"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners()

    def clean(self):
        data = super().clean()
        start, end = default_period(timezone.localdate())
        data["start"], data["end"] = data.get("start") or start, data.get("end") or end
        data["by"] = data.get("by") or Breakdown.MONTH
        if not in_range(data["start"], data["end"]):
            raise forms.ValidationError(OUT_OF_RANGE)
        if data["start"] > data["end"]:
            raise forms.ValidationError(_("The start is after the end."))
        if (data["end"] - data["start"]).days > MAX_DAYS:
            raise forms.ValidationError(_("Ask for three years at most."))
        return data


class StageForm(forms.ModelForm):
    position = forms.IntegerField(label=_("position"), min_value=0,
                                  validators=[MaxValueValidator(MAX_POSITION)])  # fmt: skip

    class Meta:
        model = Stage
        fields = ["name", "position", "monthly_target", "target_percent", "is_won"]

    def validate_unique(self):
        pass  # positions and the won flag are checked across the whole set (StageFormSet)

    def _get_validation_exclusions(self):
        # Not against the rows as stored: moving the won flag or swapping two positions
        # would collide with the row not saved yet. StageFormSet.clean checks the new set.
        return super()._get_validation_exclusions() | {"is_won", "position"}


class BaseStageFormSet(forms.BaseModelFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [f.cleaned_data for f in self.forms if f.cleaned_data]
        positions = [data["position"] for data in kept]
        if len(set(positions)) != len(positions):
            raise forms.ValidationError(_("Two stages have the same position."))
        names = [data["name"] for data in kept]
        if len(set(names)) != len(names):
            raise forms.ValidationError(_("Two stages have the same name."))
        if sum(1 for data in kept if data.get("is_won")) != 1:
            raise forms.ValidationError(_("Mark exactly one stage as the won stage."))


StageFormSet = forms.modelformset_factory(
    Stage, form=StageForm, formset=BaseStageFormSet, extra=1, can_delete=False
)
