"""Reads for fulfilment: lines to deliver, deliveries, and service level per customer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from kept.fulfilment import metrics
from kept.fulfilment.models import Delivery
from kept.promising.choices import LineStatus
from kept.promising.models import OrderLine, PromiseVersion

QUANTITY_FIELD = DecimalField(max_digits=14, decimal_places=3)


def business_today() -> date:
    return timezone.localdate()


def line_by_reference(reference: str) -> OrderLine | None:
    """``SO-000123/1`` (order number / line number), as the API and imports name a line."""
    number, _slash, line = (reference or "").strip().rpartition("/")
    if not number or not line.isdigit():
        return None
    return (
        OrderLine.objects.select_related("order__customer", "product")
        .filter(order__number=number, number=int(line))
        .first()
    )


def with_delivery_state(lines: QuerySet[OrderLine]) -> QuerySet[OrderLine]:
    """Annotate ``delivered`` (Σ deliveries), ``promised_quantity`` and ``promised_date``
    (the current promise: the latest version, unilateral changes included)."""
    latest = PromiseVersion.objects.filter(line=OuterRef("pk")).order_by("-number")
    delivered = (
        Delivery.objects.filter(line=OuterRef("pk"))
        .order_by()
        .values("line")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return lines.annotate(
        delivered=Coalesce(Subquery(delivered, output_field=QUANTITY_FIELD), Value(Decimal(0))),
        promised_quantity=Subquery(latest.values("quantity")[:1], output_field=QUANTITY_FIELD),
        promised_date=Subquery(latest.values("date")[:1]),
    ).annotate(
        remaining=ExpressionWrapper(
            F("promised_quantity") - F("delivered"), output_field=QUANTITY_FIELD
        )
    )


def lines_to_deliver(until: date, search: str = "") -> QuerySet[OrderLine]:
    """Promised lines not yet fully delivered whose current promise is due by ``until``,
    earliest first, by route: the warehouse's list for the day."""
    lines = with_delivery_state(
        OrderLine.objects.filter(status=LineStatus.PROMISED).select_related(
            "order__customer", "product"
        )
    ).filter(promised_date__lte=until)
    if search:
        lines = lines.filter(order__customer__name__icontains=search) | lines.filter(
            order__number__icontains=search
        )
    return lines.exclude(delivered__gte=F("promised_quantity")).order_by(
        "promised_date", "order__customer__route", "order__number", "number"
    )


def deliveries_of_order(order_id: int) -> QuerySet[Delivery]:
    return (
        Delivery.objects.filter(line__order_id=order_id)
        .select_related("line__product", "created_by")
        .order_by("line__number", "delivered_at", "id")
    )


def delivery_list(line: str = "", order: str = "") -> QuerySet[Delivery]:
    deliveries = Delivery.objects.select_related("line__order", "line__product").order_by(
        "-delivered_at", "-id"
    )
    if order:
        deliveries = deliveries.filter(line__order__number=order)
    if line:
        number, _slash, position = line.rpartition("/")
        if position.isdigit():
            deliveries = deliveries.filter(line__order__number=number, line__number=int(position))
        else:
            deliveries = deliveries.none()
    return deliveries


@dataclass(frozen=True)
class CustomerService:
    """A customer's promises kept and broken over the last months (for the notebook)."""

    start: date
    end: date
    total: metrics.Row
    broken: list[tuple[OrderLine, tuple[str, ...]]]


def customer_service(customer_id: int, months: int = 12, limit: int = 10) -> CustomerService:
    today = business_today()
    start, end = today - timedelta(days=30 * months), today
    _rows, total = metrics.service_level(
        start, end, by="month", today=today, customer_id=customer_id
    )
    failed = metrics.failures(start, end, today=today, customer_id=customer_id, limit=limit)
    lines = failed_lines([f.line_id for f in failed])
    broken = [(lines[f.line_id], f.failed) for f in failed if f.line_id in lines]
    return CustomerService(start, end, total, broken)


def failed_lines(ids: list[int]) -> dict[int, OrderLine]:
    return OrderLine.objects.select_related("order__customer", "product").in_bulk(ids)
