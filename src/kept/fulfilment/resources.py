"""Import and export columns of deliveries (django-import-export, via ``kept.core.transfer``).

Each row goes through ``kept.fulfilment.actions.record_delivery``, so an import obeys the
warehouse page's rules: no over-delivery, nothing on cancelled or unpromised lines, a
defect only when quality is not OK; the stock goes out and commitments shrink. Rows only
create: deliveries are append-only. A file is all or nothing.
"""

from __future__ import annotations

from datetime import datetime, time

from django.utils import timezone
from django.utils.translation import gettext as _

from kept.core.transfer.resource import column
from kept.core.transfer.widgets import (
    BooleanWidget,
    ChoiceWidget,
    DateTimeWidget,
    DecimalWidget,
    TextWidget,
    as_text,
    brief,
    is_blank,
    parse_date,
)
from kept.fulfilment import actions, queries
from kept.fulfilment.choices import Defect
from kept.fulfilment.models import Delivery
from kept.receivables.resources import AppendOnlyResource


class LineWidget(TextWidget):
    """An order line as ``SO-000123/1``."""

    def hint(self) -> str:
        return _("order number / line number, e.g. SO-000123/1")

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        line = queries.line_by_reference(as_text(value))
        if line is None:
            raise ValueError(_("There is no order line '%(value)s'.") % {"value": brief(value)})
        return line

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else f"{value.order.number}/{value.number}"


class DeliveredAtWidget(DateTimeWidget):
    """``YYYY-MM-DD HH:MM`` (or a date alone: noon) in the business time zone."""

    def hint(self) -> str:
        return _("date and time, YYYY-MM-DD HH:MM (a date alone means noon)")

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        if isinstance(value, datetime):
            moment = value
        else:
            text = as_text(value)
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                moment = datetime.combine(parse_date(text), time(12))
        return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class DeliveryResource(AppendOnlyResource):
    line = column("line", LineWidget())
    quantity = column("quantity", DecimalWidget())
    delivered_at = column("delivered_at", DeliveredAtWidget())
    quality_ok = column("quality_ok", BooleanWidget())
    defect = column("defect", ChoiceWidget(Defect))
    note = column("note", TextWidget())

    filled = ("line", "quantity")
    clean_exclude = ("delivered_on", "delivered_at", "quality_ok", "defect")

    class Meta:
        model = Delivery
        fields = ("line", "quantity", "delivered_at", "quality_ok", "defect", "note")
        export_order = fields
        import_id_fields = ()
        force_init_instance = True

    def get_export_queryset(self):
        return Delivery.objects.select_related("line__order").order_by("delivered_at", "id")

    def do_instance_save(self, instance, is_create):
        delivery = actions.record_delivery(
            instance.line,
            instance.quantity,
            delivered_at=instance.delivered_at,
            quality_ok=True if instance.quality_ok is None else instance.quality_ok,
            defect=instance.defect or "",
            note=instance.note or "",
            actor=self.actor,
        )
        instance.pk = delivery.pk
