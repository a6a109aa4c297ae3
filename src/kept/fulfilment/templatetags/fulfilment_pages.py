from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

register = template.Library()

COMPONENTS = {"on_time": _("late or early"), "in_full": _("short"), "quality": _("quality")}


@register.filter
def rate(row, name: str) -> str:
    """A row's rate as a percentage with one decimal, or an em dash when nothing counted."""
    value = row.rates().get(name) if row is not None else None
    if value is None:
        return "—"
    return f"{number_format(value * 100, 1)} %"


@register.filter
def component_label(name: str) -> str:
    return COMPONENTS.get(name, name)
