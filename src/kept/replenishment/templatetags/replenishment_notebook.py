"""The notebook's containers: ``{% load replenishment_notebook %}{% customer_containers c %}``."""

from datetime import timedelta

from django import template

from kept.replenishment import chart, queries

register = template.Library()


@register.inclusion_tag("kept/replenishment/_notebook_containers.html", takes_context=True)
def customer_containers(context, customer):
    user = context["request"].user
    allowed = user.has_perm("replenishment.view_subscription")
    containers = []
    if allowed:
        for subscription in customer.subscriptions.select_related("product").order_by("id"):
            outlook = queries.outlook(subscription) if subscription.is_active else None
            band = None
            next_visit = None
            if outlook and outlook.runout_at_risk:
                band = chart.band(
                    outlook.band, float(subscription.capacity), outlook.runout_at_risk
                )
                next_visit = max(
                    queries.business_today() + timedelta(days=queries.LEAD_DAYS),
                    outlook.runout_at_risk - timedelta(days=queries.BUFFER_DAYS),
                )
            containers.append((subscription, outlook, band, next_visit))
    return {
        "allowed": allowed,
        "customer": customer,
        "containers": containers,
        "perms": context.get("perms"),
    }
