from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(value) -> str:
    """A percentage (0–100) with one decimal, or an em dash when nothing was measured."""
    if value is None:
        return "—"
    return f"{number_format(value, 1)} %"


@register.filter
def score(value) -> str:
    """An NPS (−100 to 100) with one decimal and its sign, or an em dash."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else ""
    return f"{sign}{number_format(value, 1)}"


@register.inclusion_tag("kept/feedback/_notebook_surveys.html", takes_context=True)
def customer_surveys(context, customer):
    """The notebook's satisfaction section: the latest answers, verbatim."""
    from kept.feedback import queries

    user = context["request"].user
    allowed = user.has_perm("feedback.view_survey")
    return {
        "allowed": allowed,
        "customer": customer,
        "surveys": queries.for_customer(customer) if allowed else [],
        "perms": context.get("perms"),
    }
