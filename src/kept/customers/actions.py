"""Writes for the customer notebook. Sensitive changes (credit, terms, blocking) are audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kept.core import audit
from kept.customers.choices import LOGGABLE_KINDS
from kept.customers.models import Contact, Customer, Interaction, Tag

PROFILE_FIELDS = [
    "name",
    "alias",
    "kind",
    "customer_type",
    "group",
    "owner",
    "phone",
    "email",
    "language",
    "address",
    "region",
    "route",
    "size",
    "size_unit",
    "preferences",
    "preferred_days",
    "window_start",
    "window_end",
]
CREDIT_FIELDS = ["credit_limit", "payment_terms_days", "is_blocked", "blocked_reason"]
EDITABLE_FIELDS = PROFILE_FIELDS + CREDIT_FIELDS
MANAGE_CREDIT = "customers.manage_credit"


def _check_credit_permission(actor, changes: dict) -> None:
    if (
        actor is not None
        and changes.keys() & set(CREDIT_FIELDS)
        and not actor.has_perm(MANAGE_CREDIT)
    ):
        raise PermissionDenied(
            _("Only a manager may change credit limit, payment terms or blocking.")
        )


def _set_tags(customer: Customer, names: list[str] | None) -> None:
    if names is None:
        return
    cleaned = sorted({name.strip() for name in names if name and name.strip()})
    if any(len(name) > 50 for name in cleaned):
        raise ValidationError({"tags": _("A tag may have at most 50 characters.")})
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=cleaned)}
    missing = [Tag(name=name) for name in cleaned if name not in existing]
    created = Tag.objects.bulk_create(missing) if missing else []
    customer.tags.set(list(existing.values()) + created)


@transaction.atomic
def create_customer(data: dict[str, Any], *, actor=None, tags: list[str] | None = None) -> Customer:
    values = {key: value for key, value in data.items() if key in EDITABLE_FIELDS or key == "code"}
    initial_credit = {
        k: v for k, v in values.items() if k in CREDIT_FIELDS and v not in (None, "", 0, False)
    }
    _check_credit_permission(actor, initial_credit)
    customer = Customer(**values)
    if customer.owner_id is None and actor is not None and actor.has_perm("customers.add_customer"):
        customer.owner = actor
    customer.full_clean()
    customer.save()
    _set_tags(customer, tags)
    audit.record(
        actor,
        "customer.create",
        customer,
        changes={key: [None, audit.plain(value)] for key, value in initial_credit.items()},
    )
    return customer


@transaction.atomic
def update_customer(
    customer: Customer,
    data: dict[str, Any],
    *,
    actor=None,
    reason: str = "",
    tags: list[str] | None = None,
) -> Customer:
    """Apply changed fields under a row lock, so two editors never overwrite each other."""
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    values = {key: value for key, value in data.items() if key in EDITABLE_FIELDS}
    if values.get("is_blocked") is False:
        values.setdefault("blocked_reason", "")
    changes = audit.diff(locked, EDITABLE_FIELDS, values)
    _check_credit_permission(actor, changes)
    for key, value in values.items():
        setattr(locked, key, value)
    locked.full_clean()
    locked.save(update_fields=[*values.keys(), "updated_at"] if values else ["updated_at"])
    _set_tags(locked, tags)
    credit_changes = {k: v for k, v in changes.items() if k in CREDIT_FIELDS}
    if credit_changes:
        audit.record(actor, "customer.credit", locked, reason=reason, changes=credit_changes)
    return locked


@transaction.atomic
def archive_customer(customer: Customer, *, actor=None, reason: str = "") -> Customer:
    """Customers are never deleted (their history matters); archiving hides them from lists."""
    Customer.objects.filter(pk=customer.pk).update(is_active=False, updated_at=timezone.now())
    customer.is_active = False
    audit.record(actor, "customer.archive", customer, reason=reason)
    return customer


@transaction.atomic
def save_contact(
    customer: Customer, data: dict[str, Any], *, contact: Contact | None = None
) -> Contact:
    """Create or update a contact; at most one primary contact per customer."""
    contact = contact or Contact(customer=customer)
    for key in ("name", "role", "phone", "email", "is_primary", "notes"):
        if key in data:
            setattr(contact, key, data[key])
    contact.full_clean()
    contact.save()
    if contact.is_primary:
        customer.contacts.exclude(pk=contact.pk).filter(is_primary=True).update(is_primary=False)
    return contact


@transaction.atomic
def delete_contact(contact: Contact, *, actor=None) -> None:
    audit.record(
        actor, "contact.delete", contact.customer, changes={"contact": [contact.name, None]}
    )
    contact.delete()


@transaction.atomic
def log_interaction(
    customer: Customer, kind: str, summary: str, *, actor=None, occurred_at=None
) -> Interaction:
    """A call, visit, message or note logged by a person (other kinds come from their modules)."""
    if kind not in LOGGABLE_KINDS:
        raise ValidationError({"kind": _("Choose call, visit, message or note.")})
    interaction = Interaction(
        customer=customer,
        kind=kind,
        summary=(summary or "").strip(),
        author=actor,
        occurred_at=occurred_at or timezone.now(),
    )
    if interaction.occurred_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"occurred_at": _("An interaction cannot be in the future.")})
    interaction.full_clean()
    interaction.save()
    return interaction
