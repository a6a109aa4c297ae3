"""Links for a pager when a page holds more than one paginated list."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_link(context, param: str, number: int) -> str:
    """The current query string with ``param`` set to ``number`` (other filters kept)."""
    query = context["request"].GET.copy()
    query[param] = number
    return "?" + query.urlencode()
