"""The notebook's value section, for managers only:
``{% load value_notebook %}{% customer_value customer %}``.

A fixed number of queries whatever the customer's history: their value with its refit,
the quadrant names, the settings, and one aggregate per kind of activity for the P&L.
Callers without the financials permission get nothing and cost no query."""

from django import template
from django.utils import timezone

from kept.core.roles import can_see_financials
from kept.value import queries, queries_profit
from kept.value.choices import DRIVER_LABELS
from kept.value.models import ValueSettings

register = template.Library()


@register.inclusion_tag("kept/value/_notebook.html", takes_context=True)
def customer_value(context, customer) -> dict:
    """The customer's quadrant, CLV and predictions at the last refit, and their P&L over the
    last 12 months with cost-to-serve by driver."""
    user = context.get("user")
    if user is None or not can_see_financials(user):
        return {"allowed": False}
    today = timezone.localdate()
    start = queries_profit.year_before(today)
    found = queries.customer_value(customer)
    pnl = queries_profit.customer_profit(customer, start, today)
    return {
        "allowed": True,
        "customer": customer,
        "value": found,
        "quadrant": queries.quadrant_strategies()[found.quadrant] if found else None,
        "horizon_months": _horizon(found),
        "is_overdue": bool(found and found.overdue_on and found.overdue_on < today),
        "pnl": pnl,
        "drivers": [(DRIVER_LABELS.get(name, name), cost) for name, cost in pnl.drivers.items()],
        "start": start,
        "end": today,
    }


def _horizon(found) -> int | None:
    if found is None:
        return None
    return found.run.fit.get("horizon_months") or ValueSettings.current().clv_horizon_months


@register.filter
def probability(value) -> str:
    """A probability (0–1) as a whole percentage."""
    if value is None:
        return "—"
    return f"{round(value * 100)} %"
