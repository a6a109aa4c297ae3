"""The notebook's service section: ``{% load fulfilment_notebook %}{% customer_service c %}``."""

from django import template

from kept.fulfilment.queries import customer_service

register = template.Library()


@register.inclusion_tag("kept/fulfilment/_notebook_service.html", takes_context=True)
def customer_service_section(context, customer):
    user = context["request"].user
    allowed = user.has_perm("fulfilment.view_delivery")
    return {
        "allowed": allowed,
        "customer": customer,
        "service": customer_service(customer.pk) if allowed else None,
    }
