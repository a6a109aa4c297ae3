"""Reads for promising: product timelines, customer facts, policies, orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone

from kept.catalog.models import Product
from kept.customers.models import Customer
from kept.promising import hot
from kept.promising.atp import Day, Timeline
from kept.promising.models import Commitment, CustomerPolicy, Order, PromisePolicy
from kept.promising.rules import CustomerFacts, Policy, resolve_policy
from kept.receivables import ageing

ZERO = Decimal(0)
POLICY_FIELDS = [
    "min_margin_percent",
    "min_lead_days",
    "max_quantity",
    "max_quantity_action",
    "overdue_amount_limit",
    "overdue_days_limit",
    "overdue_action",
]


def business_today() -> date:
    return timezone.localdate()


def timelines(product_ids, today: date | None = None) -> dict[int, Timeline]:
    """One timeline per product: on hand, open receipts, open commitments (not to procure)."""
    today = today or business_today()
    ids = list(product_ids)
    if not ids:
        return {}
    on_hand, receipts, commitments = hot.timeline_rows(ids)
    return {
        pid: Timeline(today, on_hand.get(pid, ZERO), receipts[pid], commitments[pid]) for pid in ids
    }


def timeline(product: Product, today: date | None = None) -> Timeline:
    return timelines([product.pk], today)[product.pk]


@dataclass(frozen=True)
class Availability:
    product: Product
    on_hand: Decimal
    days: list[Day]


def availability(product: Product, start: date, end: date) -> Availability:
    line = timeline(product, min(start, business_today()))
    return Availability(product, line.on_hand, line.days(start, end))


def policy_for(customer: Customer) -> Policy:
    """Customer override, then the group's policy, then the default policy (two queries; one
    when the customer came from ``promise_subject``, which brings its override along)."""
    try:
        override = customer.promise_policy
    except CustomerPolicy.DoesNotExist:
        override = None
    layers: dict[int | None, dict] = {}
    excluded: list[str] = []
    # the group's and the default policy in one query, a row per excluded SKU of each
    rows = (
        PromisePolicy.objects.filter(Q(group__isnull=True) | Q(group_id=customer.group_id))
        .values("group_id", *POLICY_FIELDS, "excluded_products__sku")
        .order_by()
    )
    for row in rows:
        layers.setdefault(row["group_id"], row)
        if row["group_id"] is not None and row["excluded_products__sku"]:
            excluded.append(row["excluded_products__sku"])
    own = {name: getattr(override, name) for name in POLICY_FIELDS} if override else None
    group = layers.get(customer.group_id) if customer.group_id else None
    return resolve_policy(own, group, layers.get(None), excluded_skus=excluded)


def open_commitments_value(customer: Customer) -> Decimal:
    """Value of promised, not yet delivered goods: part of the customer's credit exposure."""
    value = ExpressionWrapper(F("quantity") * F("line__unit_price"), output_field=DecimalField())
    total = (
        Commitment.objects.open().filter(line__order__customer=customer).aggregate(total=Sum(value))
    )
    return total["total"] or ZERO


def promise_subject(
    today: date, *, pk: int | None = None, code: str | None = None, lock: bool = False
):
    """(customer with its policy override, its CustomerFacts on ``today``), or (None, None).

    ``lock``: lock the customer's row first (in the statement that reads it; the facts are
    read by the next one, so they include every order committed before the lock was
    granted). Credit decisions for one customer are made one at a time this way."""
    lookup = {"pk": pk} if pk is not None else {"code": code}
    customers = Customer.objects.select_related("promise_policy")
    if lock:
        customers = customers.select_for_update(of=("self",))
    customer = customers.filter(**lookup).first()
    if customer is None:
        return None, None
    open_balance, overdue_amount, oldest_due, committed = hot.credit_facts(customer.pk, today)
    facts = CustomerFacts(
        is_blocked=customer.is_blocked,
        blocked_reason=customer.blocked_reason,
        credit_limit=customer.credit_limit,
        open_receivables=open_balance,
        open_commitments=committed,
        overdue_amount=overdue_amount,
        oldest_overdue_days=ageing.days_overdue(oldest_due, today) if oldest_due else 0,
    )
    return customer, facts


def customer_facts(customer: Customer, today: date | None = None) -> CustomerFacts:
    return promise_subject(today or business_today(), pk=customer.pk)[1]


def order_with_lines(number: str) -> Order:
    return (
        Order.objects.select_related("customer", "created_by")
        .prefetch_related("lines__product", "lines__versions__created_by", "lines__offers")
        .get(number=number)
    )


def order_list(customer: str = "", decision: str = ""):
    from django.db.models import Count

    orders = Order.objects.select_related("customer").annotate(line_count=Count("lines"))
    if customer:
        orders = orders.filter(customer__code=customer)
    if decision:
        orders = orders.filter(decision=decision)
    return orders.order_by("-created_at", "-id")
