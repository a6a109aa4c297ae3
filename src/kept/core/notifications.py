"""In-app notifications: ``notify`` stores one for a user; ``text`` renders it in the
reader's language. Each app registers the wording of its kinds with ``register``; a
parameter stored as a code (e.g. ``target="resolution"``) is shown through its ``labels``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from kept.core.models import Notification

_MESSAGES: dict[str, tuple[Any, Mapping[str, Mapping[str, Any]]]] = {}


def register(kind: str, message, *, labels: Mapping[str, Mapping[str, Any]] | None = None):
    """``message``: a lazy string with %(name)s placeholders."""
    _MESSAGES[kind] = (message, labels or {})


def notify(users: Iterable, kind: str, *, link: str = "", **params) -> list[Notification]:
    """One notification per distinct active user."""
    seen, rows = set(), []
    for user in users:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, kind=kind, params=params, link=link))
    return Notification.objects.bulk_create(rows)


def render(kind: str, params: Mapping[str, Any]) -> str:
    """The message of ``kind`` in the active language."""
    if kind not in _MESSAGES:
        return _("Notification")
    message, labels = _MESSAGES[kind]
    shown = {
        name: str(labels[name].get(value, value)) if name in labels else value
        for name, value in params.items()
    }
    try:
        return str(message) % shown
    except (KeyError, TypeError, ValueError):
        return str(message)


def text(notification: Notification) -> str:
    return render(notification.kind, notification.params)
