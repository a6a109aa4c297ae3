"""The notebook's promises section:
``{% load promising_notebook %}{% customer_promises customer %}``.

Three queries whatever the customer's history: recent orders, their line counts, and
the open promises (one more than shown, to know whether there are more)."""

from __future__ import annotations

from django import template

from kept.promising.models import Commitment, Order
from kept.promising.queries import business_today
from kept.promising.views.orders import attach_line_counts

register = template.Library()

VIEW, PROMISE = "promising.view_order", "promising.add_order"
RECENT_ORDERS = 5
OPEN_PROMISES = 8


@register.inclusion_tag("kept/promising/_notebook_promises.html", takes_context=True)
def customer_promises(context, customer) -> dict:
    """Recent orders (number, date, decision, lines promised/offered/held) and open promises."""
    user = context.get("user")
    if user is None or not user.has_perm(VIEW):
        return {"allowed": False}
    orders = Order.objects.filter(customer=customer).order_by("-created_at", "-id")
    promises = list(
        Commitment.objects.open()
        .filter(line__order__customer=customer)
        .select_related("line__order", "product")
        .order_by("date", "pk")[: OPEN_PROMISES + 1]
    )
    return {
        "allowed": True,
        "customer": customer,
        "orders": attach_line_counts(list(orders[:RECENT_ORDERS])),
        "promises": promises[:OPEN_PROMISES],
        "more_promises": len(promises) > OPEN_PROMISES,
        "today": business_today(),
        "can_promise": user.has_perm(PROMISE),
    }
