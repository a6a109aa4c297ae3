from __future__ import annotations

import re

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from kept.customers.actions import CREDIT_FIELDS, EDITABLE_FIELDS, MANAGE_CREDIT
from kept.customers.choices import LOGGABLE_KINDS, InteractionKind, Weekday
from kept.customers.models import Contact, Customer


class CustomerForm(forms.ModelForm):
    preferred_days = forms.TypedMultipleChoiceField(
        label=_("preferred delivery days"),
        choices=Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tags_text = forms.CharField(
        label=_("tags"),
        required=False,
        max_length=500,
        help_text=_("Separate tags with commas (, or ，)."),
    )
    reason = forms.CharField(
        label=_("reason for the credit change"),
        required=False,
        max_length=500,
        help_text=_("Kept in the audit log when credit, terms or blocking change."),
    )

    class Meta:
        model = Customer
        fields = ["code", *EDITABLE_FIELDS]
        widgets = {
            "window_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "window_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "address": forms.Textarea(attrs={"rows": 2}),
            "preferences": forms.Textarea(attrs={"rows": 3}),
            "blocked_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, groups__name__in=["manager", "staff"])
            .distinct()
            .order_by("username")
        )
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["tags_text"].initial = ", ".join(
                tag.name for tag in self.instance.tags.all()
            )
        if user is None or not user.has_perm(MANAGE_CREDIT):
            for name in CREDIT_FIELDS:
                self.fields[name].disabled = True
            del self.fields["reason"]

    def tag_names(self) -> list[str]:
        text = self.cleaned_data.get("tags_text", "")
        return [name.strip() for name in re.split(r"[,，、]", text) if name.strip()]

    def clean(self):
        data = super().clean()
        if data.get("is_blocked") and not (data.get("blocked_reason") or "").strip():
            self.add_error("blocked_reason", _("Give the reason for blocking this customer."))
        return data


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "role", "phone", "email", "is_primary", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}


class InteractionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("kind"),
        choices=[(kind.value, kind.label) for kind in map(InteractionKind, LOGGABLE_KINDS)],
    )
    summary = forms.CharField(
        label=_("what happened"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
