"""/api/v1/deliveries and /api/v1/service-level."""

from datetime import date

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from kept.core import dates
from kept.core.api_support import ERRORS, ApiError, Paging, needs
from kept.fulfilment import actions, metrics, queries
from kept.fulfilment.choices import Against, GroupBy
from kept.fulfilment.models import Delivery
from kept.fulfilment.report import as_dict
from kept.fulfilment.schemas import DeliveryIn, DeliveryOut, FailureOut, ServiceLevelOut

router = Router(tags=["fulfilment"])
VIEW, DELIVER = "fulfilment.view_delivery", "fulfilment.add_delivery"


def delivery_out(delivery: Delivery) -> dict:
    line = delivery.line
    return {
        "id": delivery.pk,
        "line": f"{line.order.number}/{line.number}",
        "order": line.order.number,
        "sku": line.product.sku,
        "quantity": delivery.quantity,
        "delivered_at": delivery.delivered_at,
        "delivered_on": delivery.delivered_on,
        "quality_ok": delivery.quality_ok,
        "defect": delivery.defect,
        "note": delivery.note,
    }


@router.post("/deliveries", response={201: DeliveryOut, **ERRORS}, auth=needs(DELIVER))
def record(request: HttpRequest, payload: DeliveryIn):
    """Record goods handed over for a promised line (several per line; partial is fine)."""
    line = queries.line_by_reference(payload.line)
    if line is None:
        raise ApiError(
            422,
            "invalid",
            _("No order line %(line)s.") % {"line": payload.line},
            {"line": payload.line},
        )
    delivery = actions.record_delivery(
        line,
        payload.quantity,
        delivered_at=payload.delivered_at,
        quality_ok=payload.quality_ok,
        defect=payload.defect,
        note=payload.note,
        actor=request.user,
    )
    return Status(201, delivery_out(delivery))


class DeliveryFilter(Schema):
    order: str = ""
    line: str = ""


@router.get("/deliveries", response={200: list[DeliveryOut], **ERRORS}, auth=needs(VIEW))
@paginate(Paging)
def deliveries(request: HttpRequest, filters: Query[DeliveryFilter]):
    return [delivery_out(d) for d in queries.delivery_list(filters.line, filters.order)[:10_000]]


class ServiceLevelQuery(Schema):
    from_: date | None = Field(None, alias="from", description="Default: a year before `to`")
    to: date | None = Field(None, description="Default: today")
    by: GroupBy = GroupBy.MONTH
    against: Against = Against.PROMISE


class FailureQuery(ServiceLevelQuery):
    key: str | None = Field(None, description="Only the failures of this group")


def _period(start: date | None, end: date | None) -> tuple[date, date]:
    try:
        return dates.period(start, end, today=queries.business_today(), default_days=365)
    except dates.PeriodError as error:
        raise ApiError(422, "invalid", error.message, {error.field: [error.message]}) from error


@router.get(
    "/service-level", response={200: ServiceLevelOut, **ERRORS}, auth=needs(VIEW), by_alias=True
)
def service_level(request: HttpRequest, query: Query[ServiceLevelQuery]):
    """Perfect order rate, OTIF, on time, in full, quality and fill rates per group, against
    the promise (kept?) or the customer's request (met?). Lines still in their window are
    pending and not counted; orders cancelled by the customer are left out."""
    start, end = _period(query.from_, query.to)
    rows, total = metrics.service_level(
        start, end, by=query.by, against=query.against, today=queries.business_today()
    )
    return {
        "from": start,
        "to": end,
        "by": query.by,
        "against": query.against,
        "groups": [as_dict(r) for r in rows],
        "total": as_dict(total),
    }


@router.get("/service-level/failures", response={200: list[FailureOut], **ERRORS}, auth=needs(VIEW))
def failures(request: HttpRequest, query: Query[FailureQuery]):
    """The lines that failed (at most 200, newest first) and which component failed."""
    start, end = _period(query.from_, query.to)
    found = metrics.failures(
        start,
        end,
        by=query.by,
        against=query.against,
        key=query.key,
        today=queries.business_today(),
    )
    lines = queries.failed_lines([f.line_id for f in found])
    return [
        {
            "line": f"{line.order.number}/{line.number}",
            "order": line.order.number,
            "customer": line.order.customer.code,
            "sku": line.product.sku,
            "key": f.key,
            "failed": list(f.failed),
        }
        for f in found
        if (line := lines.get(f.line_id)) is not None
    ]
