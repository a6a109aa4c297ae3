"""Import and export columns of leads (django-import-export, via ``kept.core.transfer``).

Each imported row creates a lead through ``kept.pipeline.actions.create_lead``, so the
funnel's rules hold: the lead enters the first stage and every stage up to ``stage`` at
``created_at`` (a lead brought over from another system keeps its date, which decides its
cohort), and a lead reaches the won stage only by being won. Rows only create (key: none).
Whether a lead was lost or won, and its customer, are exported, not imported. A file is
all or nothing.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from kept.core.transfer.resource import column
from kept.core.transfer.widgets import ChoiceWidget, LookupWidget, TextWidget
from kept.customers.models import Customer
from kept.fulfilment.resources import DeliveredAtWidget
from kept.pipeline import actions
from kept.pipeline.choices import Channel
from kept.pipeline.models import Lead, Stage
from kept.receivables.resources import AppendOnlyResource


class LeadResource(AppendOnlyResource):
    name = column("name", TextWidget())
    phone = column("phone", TextWidget())
    email = column("email", TextWidget())
    channel = column("channel", ChoiceWidget(Channel), default=Channel.OTHER)
    owner = column("owner", LookupWidget(get_user_model(), "username"))
    stage = column("stage", LookupWidget(Stage, "name"))
    note = column("note", TextWidget())
    created_at = column("created_at", DeliveredAtWidget())
    lost_at = column("lost_at", TextWidget(), readonly=True)
    lost_reason = column("lost_reason", TextWidget(), readonly=True)
    customer = column("customer", LookupWidget(Customer, "code"), readonly=True)

    readonly_columns = ("lost_at", "lost_reason", "customer")
    # create_lead puts a lead without a stage in the first one, and dates it now
    clean_exclude = ("stage", "created_at")
    filled = ("name",)

    class Meta:
        model = Lead
        fields = (
            "name", "phone", "email", "channel", "owner", "stage", "note", "created_at",
            "lost_at", "lost_reason", "customer",
        )  # fmt: skip
        export_order = fields
        import_id_fields = ()
        force_init_instance = True

    def get_export_queryset(self):
        return Lead.objects.select_related("owner", "stage", "customer").order_by(
            "created_at", "id"
        )

    def do_instance_save(self, instance, is_create):
        values = {name: getattr(instance, name) for name in actions.LEAD_FIELDS}
        lead = actions.create_lead(
            {**values, "channel": instance.channel or Channel.OTHER},
            actor=self.actor,
            stage=instance.stage if instance.stage_id else None,
            now=instance.created_at,
        )
        instance.pk = lead.pk
