"""Filters for the promise pages: labels and badge colours of decisions, dates from answers."""

from __future__ import annotations

from datetime import date

from django import template

from kept.promising.choices import Decision, LineStatus, VersionKind

register = template.Library()

BADGE = {
    "commit": "good",
    "promised": "good",
    "counter": "warn",
    "offered": "warn",
    "hold": "warn",
    "held": "warn",
    "decline": "bad",
    "declined": "bad",
    "cancelled": "",
}


@register.filter
def badge_class(value: str) -> str:
    """The badge colour of a decision, a line status or a reason's effect."""
    return BADGE.get(value, "")


@register.filter
def decision_label(value: str) -> str:
    return Decision(value).label if value in Decision.values else value


@register.filter
def status_label(value: str) -> str:
    return LineStatus(value).label if value in LineStatus.values else value


@register.filter
def kind_label(value: str) -> str:
    return VersionKind(value).label if value in VersionKind.values else value


@register.filter
def as_date(value) -> date | str:
    """A date from an answer: stored parts hold ISO strings, fresh ones hold dates."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return value
