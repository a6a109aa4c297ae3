"""Settings of the desk: business calendars, SLA policies with their targets. Tickets are
worked on the desk's own pages; admin only lists them."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kept.core import audit
from kept.servicedesk import clock
from kept.servicedesk.choices import OPEN_STATUSES
from kept.servicedesk.models import (
    BusinessCalendar,
    Holiday,
    SlaPolicy,
    SlaTarget,
    Ticket,
    WorkingInterval,
)


class IntervalFormSet(forms.BaseInlineFormSet):
    """The week must make a calendar the clock can use: each interval ends after it starts
    (00:00 is the end of the day), a day's intervals do not overlap, and a calendar that is
    not around the clock has some working time."""

    def clean(self):
        super().clean()
        week: dict[int, list] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or data.get("weekday") is None:
                continue
            if data.get("start") is None or data.get("end") is None:
                continue
            week.setdefault(data["weekday"], []).append((data["start"], data["end"]))
        try:
            clock.Calendar("UTC", week)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        if not week and not self.instance.around_the_clock:
            raise forms.ValidationError(
                _("Give the calendar working intervals, or make it around the clock.")
            )


class IntervalInline(admin.TabularInline):
    model = WorkingInterval
    formset = IntervalFormSet
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "around_the_clock"]
    inlines = [IntervalInline, HolidayInline]

    def save_related(self, request, form, formsets, change):
        # after the inlines are saved, so that the entry holds their changes too
        super().save_related(request, form, formsets, change)
        audit.record(request.user, "sla.calendar", form.instance, changes=_changed(form, formsets))


class TargetInline(admin.TabularInline):
    model = SlaTarget
    extra = 0


def _changed(form, formsets=()) -> dict:
    """The changed fields of the form, and of the inline rows under "intervals", "targets"..."""
    changes = {name: [None, audit.plain(form.cleaned_data.get(name))] for name in form.changed_data}
    for formset in formsets:
        rows = {}
        for row in formset.forms:
            if formset.can_delete and formset._should_delete_form(row):
                rows[str(row.instance)] = {"deleted": [False, True]}
            elif row.has_changed():
                rows[str(row.instance)] = {
                    name: [audit.plain(row.initial.get(name)), audit.plain(row.cleaned_data[name])]
                    for name in row.changed_data
                }
        if rows:
            changes[formset.prefix] = rows
    return changes


class SlaPolicyForm(forms.ModelForm):
    pause_statuses = forms.MultipleChoiceField(
        label=_("pause statuses"),
        choices=[(s.value, s.label) for s in OPEN_STATUSES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Statuses in which the clock stops."),
    )

    class Meta:
        model = SlaPolicy
        fields = [
            "name", "position", "is_active", "customer_group", "customer_scope", "kind",
            "priority", "calendar", "pause_statuses",
        ]  # fmt: skip


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    form = SlaPolicyForm
    list_display = [
        "position",
        "name",
        "is_active",
        "customer_scope",
        "customer_group",
        "kind",
        "priority",
        "calendar",
    ]
    list_display_links = ["name"]
    list_editable = ["position", "is_active"]
    inlines = [TargetInline]

    def save_related(self, request, form, formsets, change):
        # after the targets are saved (also called for the list's editable columns)
        super().save_related(request, form, formsets, change)
        audit.record(request.user, "sla.policy", form.instance, changes=_changed(form, formsets))


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["__str__", "customer", "kind", "priority", "status", "assignee", "created_at"]
    list_filter = ["status", "kind", "priority"]
    search_fields = ["subject", "customer__name", "customer__code"]
    list_select_related = ["customer", "assignee"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
