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
