from django import template

from kept.core.people import person_name

register = template.Library()


@register.filter
def person(user) -> str:
    """``{{ lead.owner|person }}``: see ``kept.core.people.person_name``."""
    return person_name(user)
