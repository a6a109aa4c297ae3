from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from kept.core.choices import Role
from kept.core.people import person_name
from kept.customers.choices import CustomerKind
from kept.customers.models import Customer
from kept.fulfilment.choices import Defect
from kept.servicedesk.choices import (
    Channel,
    Priority,
    Remedy,
    RootCause,
    SlaState,
    TicketKind,
    TicketStatus,
)

DESK_ROLES = (Role.MANAGER, Role.STAFF, Role.WAREHOUSE)
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _people():
    """Who can take a ticket: active users of a role that works the desk (not viewers)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=DESK_ROLES)
        .distinct()
        .order_by("username")
    )


def _departments():
    return Customer.objects.filter(kind=CustomerKind.INTERNAL, is_active=True).order_by("name")


class QueueForm(forms.Form):
    STATUS = [("open", _("Any open status")), ("all", _("All")), *TicketStatus.choices]
    SLA = [
        ("", _("Any SLA state")),
        (SlaState.AT_RISK, SlaState.AT_RISK.label),
        (SlaState.BREACHED, SlaState.BREACHED.label),
        ("paused", _("Paused")),
    ]
    SCOPE = [("", _("All customers")), ("external", _("External")), ("internal", _("Internal"))]

    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Number, subject, customer")}
        ),
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Any kind")), *TicketKind.choices], required=False
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=[("", _("Any priority")), *Priority.choices], required=False
    )
    sla = forms.ChoiceField(label=_("SLA"), choices=SLA, required=False)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    scope = forms.ChoiceField(label=_("Customers"), choices=SCOPE, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = [(str(u.pk), person_name(u)) for u in _people()]
        mine = [("me", _("Mine"))] if user is not None else []
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            *mine,
            ("none", _("Unassigned")),
            *people,
        ]


class TicketForm(forms.Form):
    customer = forms.CharField(label=_("Customer code"), max_length=32)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=TicketKind.choices, initial="request")
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial="normal")
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial="phone")
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=None, required=False)
    department = forms.ModelChoiceField(
        label=_("Hand off to department"), queryset=None, required=False
    )
    order = forms.CharField(
        label=_("Order number"),
        max_length=32,
        required=False,
        help_text=_("Optional: the order the ticket is about."),
    )
    line = forms.IntegerField(label=_("Line"), min_value=1, required=False)
    delivery = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _people()
        self.fields["department"].queryset = _departments()


class DeliveryChoice(forms.ModelChoiceField):
    def label_from_instance(self, delivery) -> str:
        line = delivery.line
        return (
            f"{delivery.delivered_on:%Y-%m-%d} · {line.order.number}/{line.number} "
            f"{line.product.name} × {delivery.quantity}"
        )


def deliveries_of(customer, line=None):
    """The deliveries a ticket may be about: the line's, else the customer's latest 30."""
    from kept.fulfilment.models import Delivery

    found = Delivery.objects.select_related("line__order", "line__product")
    if line is not None:
        return found.filter(line=line).order_by("-delivered_at")
    ids = list(
        found.filter(line__order__customer=customer)
        .order_by("-delivered_at")
        .values_list("pk", flat=True)[:30]
    )
    return found.filter(pk__in=ids).order_by("-delivered_at")


class EditForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=TicketKind.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=None, required=False)
    department = forms.ModelChoiceField(
        label=_("Hand off to department"), queryset=None, required=False
    )
    delivery = DeliveryChoice(
        label=_("About the delivery"),
        queryset=None,
        required=False,
        help_text=_("A confirmed quality complaint marks this delivery not OK."),
    )

    def __init__(self, *args, ticket=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _people()
        self.fields["department"].queryset = _departments()
        self.fields["delivery"].queryset = deliveries_of(ticket.customer, ticket.order_line)


class ReplyForm(forms.Form):
    MODES = [
        ("public", _("Public reply (emailed to the customer)")),
        ("note", _("Internal note")),
        ("customer", _("The customer said")),
    ]
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}))
    mode = forms.ChoiceField(
        label=_("As"), choices=MODES, initial="public", widget=forms.RadioSelect
    )
    status = forms.ChoiceField(
        label=_("Then set status"),
        choices=[("", _("Keep the status")), *TicketStatus.choices],
        required=False,
    )
    minutes_spent = forms.IntegerField(
        label=_("Time spent (minutes)"), min_value=0, max_value=24 * 60, required=False
    )

    def __init__(self, *args, statuses=None, **kwargs):
        super().__init__(*args, **kwargs)
        if statuses is not None:  # only the moves the workflow allows from here
            self.fields["status"].choices = [
                ("", _("Keep the status")),
                *[(s.value, s.label) for s in statuses],
            ]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=TicketStatus.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class ComplaintForm(forms.Form):
    what_happened = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3})
    )
    customer_wants = forms.CharField(
        label=_("What the customer wants"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    root_cause = forms.ChoiceField(
        label=_("Root cause"), choices=[("", "—"), *RootCause.choices], required=False
    )
    remedy = forms.ChoiceField(
        label=_("Remedy"), choices=[("", "—"), *Remedy.choices], required=False
    )
    remedy_cost = forms.DecimalField(
        label=_("Remedy cost"), min_value=0, max_digits=12, decimal_places=2, required=False
    )
    follow_up_on = forms.DateField(label=_("Follow up on"), required=False, widget=DATE)

    def __init__(self, *args, financials: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not financials:  # staff never see cost (SPEC 1); a manager prices the remedy
            del self.fields["remedy_cost"]


class ConfirmForm(forms.Form):
    reason = forms.CharField(label=_("How was it confirmed?"), max_length=500)
    defect = forms.ChoiceField(
        label=_("Defect (quality complaints on a delivery)"),
        choices=[("", "—"), *Defect.choices],
        required=False,
    )
