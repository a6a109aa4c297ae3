"""Template helpers of the funnel pages: a conversion as a whole per cent, the chart."""

from django import template

from kept.pipeline import chart

register = template.Library()


@register.filter
def percent(value) -> str:
    """0.6234 → "62 %"; nothing to show → "—"."""
    if value is None or value == "":
        return "—"
    return f"{round(float(value) * 100)} %"


@register.simple_tag
def funnel_chart(rows, width: int = 640) -> chart.Chart:
    return chart.from_rows(rows, width=width)
