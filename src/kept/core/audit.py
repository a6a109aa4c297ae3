"""The audit log: one call records who did what, when and why."""

from __future__ import annotations

from typing import Any

from django.db import models

from kept.core.models import AuditEntry


def record(
    actor,
    action: str,
    obj: models.Model | None = None,
    *,
    reason: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry. Call inside the action's transaction so both commit or neither."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        reason=reason,
        changes=changes or {},
    )


def diff(instance: models.Model, fields: list[str], new_values: dict[str, Any]) -> dict[str, list]:
    """{field: [old, new]} for the fields whose value changes, as JSON-safe strings."""
    changed = {}
    for name in fields:
        if name not in new_values:
            continue
        old, new = getattr(instance, name), new_values[name]
        if old != new:
            changed[name] = [plain(old), plain(new)]
    return changed


def plain(value: Any) -> Any:
    """A JSON-safe form of a field's value."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, models.Model):
        return str(value)
    return str(value)
