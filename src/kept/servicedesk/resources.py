"""Import and export columns of tickets (django-import-export, via ``kept.core.transfer``).

Each imported row opens a ticket through ``kept.servicedesk.actions.open_ticket``, so the
desk's rules hold (a hand-off names an internal department, the SLA policy is matched). An
import only creates tickets (key: none); ``created_at`` may date a ticket brought over from
another system. Status, deadlines and SLA states are exported, not imported. A file is all
or nothing.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from kept.core.transfer.resource import column
from kept.core.transfer.widgets import ChoiceWidget, LookupWidget, TextWidget
from kept.customers.models import Customer
from kept.fulfilment.resources import DeliveredAtWidget
from kept.receivables.resources import AppendOnlyResource
from kept.servicedesk import actions
from kept.servicedesk.choices import Channel, Priority, SlaState, TicketKind, TicketStatus
from kept.servicedesk.models import Ticket


class TicketResource(AppendOnlyResource):
    number = column("number", TextWidget(), readonly=True)
    customer = column("customer", LookupWidget(Customer, "code"))
    subject = column("subject", TextWidget())
    description = column("description", TextWidget())
    kind = column("kind", ChoiceWidget(TicketKind), default=TicketKind.REQUEST)
    priority = column("priority", ChoiceWidget(Priority), default=Priority.NORMAL)
    channel = column("channel", ChoiceWidget(Channel), default=Channel.PHONE)
    assignee = column("assignee", LookupWidget(get_user_model(), "username"))
    department = column("department", LookupWidget(Customer, "code"))
    created_at = column("created_at", DeliveredAtWidget())
    status = column("status", ChoiceWidget(TicketStatus), readonly=True)
    first_responded_at = column("first_responded_at", TextWidget(), readonly=True)
    resolved_at = column("resolved_at", TextWidget(), readonly=True)
    first_response_state = column("first_response_state", ChoiceWidget(SlaState), readonly=True)
    resolution_state = column("resolution_state", ChoiceWidget(SlaState), readonly=True)

    readonly_columns = (
        "number",
        "status",
        "first_responded_at",
        "resolved_at",
        "first_response_state",
        "resolution_state",
    )
    clean_exclude = ("created_at", "status", "policy")
    filled = ("customer", "subject")

    class Meta:
        model = Ticket
        fields = (
            "number", "customer", "subject", "description", "kind", "priority", "channel",
            "assignee", "department", "created_at", "status", "first_responded_at",
            "resolved_at", "first_response_state", "resolution_state",
        )  # fmt: skip
        export_order = fields
        import_id_fields = ()
        force_init_instance = True

    def get_export_queryset(self):
        return Ticket.objects.select_related("customer", "assignee", "department").order_by(
            "created_at", "id"
        )

    def do_instance_save(self, instance, is_create):
        ticket = actions.open_ticket(
            instance.customer,
            subject=instance.subject,
            description=instance.description or "",
            kind=instance.kind or TicketKind.REQUEST,
            priority=instance.priority or Priority.NORMAL,
            channel=instance.channel or Channel.PHONE,
            assignee=instance.assignee,
            department=instance.department,
            actor=self.actor,
            now=instance.created_at,
        )
        instance.pk = ticket.pk
