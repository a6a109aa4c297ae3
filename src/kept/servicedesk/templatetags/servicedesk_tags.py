"""``{% load servicedesk_tags %}``: an SLA target's badge with its live countdown, and the
notebook's ticket section (``{% customer_tickets customer %}``)."""

from __future__ import annotations

from django import template

from kept.servicedesk import queries

register = template.Library()

STATE_CLASS = {"on_track": "good", "met": "good", "at_risk": "warn", "breached": "bad"}


@register.inclusion_tag("kept/servicedesk/_sla.html")
def sla_target(evaluation, label: str = ""):
    return {
        "e": evaluation,
        "label": label,
        "css": STATE_CLASS.get(evaluation.state, "") if evaluation else "",
        "business_left": business_time(evaluation.remaining) if evaluation else "",
    }


@register.filter
def business_time(delta) -> str:
    """3h 05m, or 2d 4h for long spans (business time, so a 'd' is 24 counted hours)."""
    if delta is None:
        return ""
    minutes = max(0, int(delta.total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        days, hours = divmod(hours, 24)
        return f"{days}d {hours}h"
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"


@register.inclusion_tag("kept/servicedesk/_notebook_tickets.html", takes_context=True)
def customer_tickets(context, customer):
    user = context["request"].user
    allowed = user.has_perm("servicedesk.view_ticket")
    tickets, total, live = [], 0, {}
    if allowed:
        tickets, total = queries.for_customer(customer)
        live = queries.live(tickets)
    return {
        "allowed": allowed,
        "customer": customer,
        "rows": [(ticket, live.get(ticket.pk)) for ticket in tickets],
        "total": total,
        "perms": context.get("perms"),
    }
