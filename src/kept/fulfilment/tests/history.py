"""Past sales written straight to the tables, as an import of history leaves them: for tests
that need a customer's purchases without going through the promise engine."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from kept.fulfilment.models import Delivery
from kept.promising.models import Order, OrderLine


def delivered_line(
    customer,
    product,
    day: date,
    quantity=1,
    *,
    price=None,
    cost=None,
    number: str | None = None,
    note: str = "",
    hour: int = 0,
) -> Delivery:
    """One order of one line, committed for ``day`` and delivered in full that day at
    ``hour`` (business time), at ``price`` and ``cost`` (default: the product's). The order is
    dated at the delivery, as the past it stands for."""
    at = timezone.make_aware(datetime.combine(day, time(hour)))
    order = Order.objects.create(
        number=number or f"H-{Order.objects.count() + 1}",
        customer=customer,
        note=note,
        decision="commit",
        created_at=at,
    )
    line = OrderLine.objects.create(
        order=order,
        number=1,
        product=product,
        requested_quantity=quantity,
        requested_date=day,
        unit_price=Decimal(str(product.price if price is None else price)),
        unit_cost=Decimal(str(product.cost if cost is None else cost)),
        decision="commit",
        status="promised",
        governing_quantity=quantity,
        governing_date=day,
    )
    return Delivery.objects.create(line=line, quantity=quantity, delivered_at=at, delivered_on=day)
