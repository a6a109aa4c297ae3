"""Writes for promise policies (per customer group) and per-customer overrides. Audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kept.catalog.models import Product
from kept.core import audit
from kept.customers.models import Customer, CustomerGroup
from kept.promising.models import CustomerPolicy, PromisePolicy
from kept.promising.queries import POLICY_FIELDS


def _apply(policy, values: dict) -> dict:
    changes = audit.diff(policy, POLICY_FIELDS, values)
    for name in POLICY_FIELDS:
        if name in values:
            setattr(policy, name, values[name] if values[name] is not None else _empty(name))
    policy.full_clean(exclude=["group", "customer"])
    return changes


def _empty(name: str):
    return "" if name.endswith("_action") else None


@transaction.atomic
def save_group_policy(
    group: CustomerGroup | None, values: dict, *, excluded_skus: list[str] | None = None, actor=None
) -> PromisePolicy:
    """The policy of a customer group (``None``: the default for customers without one)."""
    policy = PromisePolicy.objects.select_for_update().filter(group=group).first() or PromisePolicy(
        group=group
    )
    changes = _apply(policy, values)
    policy.save()
    if excluded_skus is not None:
        products = list(Product.objects.filter(sku__in=excluded_skus))
        unknown = sorted(set(excluded_skus) - {p.sku for p in products})
        if unknown:
            raise ValidationError(
                {"excluded_products": _("Unknown SKU: %(skus)s.") % {"skus": ", ".join(unknown)}}
            )
        policy.excluded_products.set(products)
        changes["excluded_products"] = sorted(excluded_skus)
    audit.record(actor, "policy.group", policy, changes=changes)
    return policy


@transaction.atomic
def save_customer_policy(
    customer: Customer, values: dict, *, reason: str, actor=None
) -> CustomerPolicy:
    """An override of the rules for one customer: always with a reason, always audited."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why this customer gets different rules.")})
    policy = CustomerPolicy.objects.select_for_update().filter(
        customer=customer
    ).first() or CustomerPolicy(customer=customer)
    changes = _apply(policy, values)
    policy.reason = reason
    policy.save()
    audit.record(actor, "policy.customer", customer, reason=reason, changes=changes)
    return policy


@transaction.atomic
def remove_customer_policy(customer: Customer, *, reason: str = "", actor=None) -> None:
    deleted, _detail = CustomerPolicy.objects.filter(customer=customer).delete()
    if deleted:
        audit.record(actor, "policy.customer.remove", customer, reason=reason)
