"""Forms of the scorecards: a rater's scores of one person (1/0 and a note per item), and a
behaviour item as managers keep it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kept.team.actions import Entry
from kept.team.choices import DefaultItem
from kept.team.models import ITEM_MAX_LENGTH, NOTE_MAX_LENGTH, BehaviourItem

VALUE_CHOICES = [("1", _("1 · yes")), ("0", _("0 · not yet"))]


class PersonScoresForm(forms.Form):
    """One card of the rater's page: every active item for one person. An item left
    without a value is not scored (nothing is written for it)."""

    def __init__(self, *args, person, items, given: dict, **kwargs):
        kwargs.setdefault("prefix", f"p{person.pk}")
        initial = {}
        for item in items:
            score = given.get((person.pk, item.pk))
            if score is not None:
                initial[f"value_{item.pk}"] = str(score.value)
                initial[f"note_{item.pk}"] = score.note
        super().__init__(*args, initial=initial, **kwargs)
        self.person, self.items = person, items
        for item in items:
            self.fields[f"value_{item.pk}"] = forms.ChoiceField(
                label=item.display_text,
                choices=VALUE_CHOICES,
                widget=forms.RadioSelect,
                required=False,
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("Note"), max_length=NOTE_MAX_LENGTH, required=False
            )

    def rows(self):
        """(item, value field, note field) per item, for the template."""
        return [(i, self[f"value_{i.pk}"], self[f"note_{i.pk}"]) for i in self.items]

    def entries(self) -> list[Entry]:
        data = self.cleaned_data
        return [
            Entry(self.person.pk, item.pk, int(data[f"value_{item.pk}"]), data[f"note_{item.pk}"])
            for item in self.items
            if data.get(f"value_{item.pk}") in ("0", "1")
        ]


class ItemForm(forms.ModelForm):
    class Meta:
        model = BehaviourItem
        fields = ["text", "position", "retired"]
        widgets = {"text": forms.TextInput(attrs={"maxlength": ITEM_MAX_LENGTH})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.key:  # a default: empty shows its translated text
            default = DefaultItem(self.instance.key).label
            self.fields["text"].widget.attrs["placeholder"] = default
        else:
            self.fields["text"].required = True
