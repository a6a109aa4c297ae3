"""Reads for promising: product timelines, customer facts, policies, orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.utils import timezone

from kept.catalog.choices import ReceiptStatus
from kept.catalog.models import Product, Receipt, StockLevel
from kept.customers.models import Customer
from kept.promising.atp import Day, Timeline
from kept.promising.models import Commitment, CustomerPolicy, Order, PromisePolicy
from kept.promising.rules import CustomerFacts, Policy, resolve_policy

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
    on_hand = dict(
        StockLevel.objects.filter(product_id__in=ids).values_list("product_id", "on_hand")
    )
    receipts: dict[int, list] = {pid: [] for pid in ids}
    for pid, day, quantity in Receipt.objects.filter(
        product_id__in=ids, status=ReceiptStatus.SCHEDULED
    ).values_list("product_id", "expected_date", "quantity"):
        receipts[pid].append((day, quantity))
    commitments: dict[int, list] = {pid: [] for pid in ids}
    for pid, day, quantity in (
        Commitment.objects.open()
        .filter(product_id__in=ids, to_procure=False)
        .values_list("product_id", "date", "quantity")
    ):
        commitments[pid].append((day, quantity))
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
    """Customer override, then the group's policy, then the default policy."""
    layers = []
    override = CustomerPolicy.objects.filter(customer=customer).values(*POLICY_FIELDS).first()
    layers.append(override)
    excluded: list[str] = []
    group_policy = None
    if customer.group_id:
        group_policy = PromisePolicy.objects.filter(group_id=customer.group_id).first()
    default_policy = PromisePolicy.objects.filter(group__isnull=True).first()
    for policy in (group_policy, default_policy):
        if policy is not None:
            layers.append({name: getattr(policy, name) for name in POLICY_FIELDS})
    if group_policy is not None:
        excluded = list(group_policy.excluded_products.values_list("sku", flat=True))
    return resolve_policy(*layers, excluded_skus=excluded)


def open_commitments_value(customer: Customer) -> Decimal:
    """Value of promised, not yet delivered goods: part of the customer's credit exposure."""
    value = ExpressionWrapper(F("quantity") * F("line__unit_price"), output_field=DecimalField())
    total = (
        Commitment.objects.open().filter(line__order__customer=customer).aggregate(total=Sum(value))
    )
    return total["total"] or ZERO


def customer_facts(customer: Customer, today: date | None = None) -> CustomerFacts:
    from kept.receivables.queries import credit_position

    position = credit_position(customer, today or business_today())
    return CustomerFacts(
        is_blocked=customer.is_blocked,
        blocked_reason=customer.blocked_reason,
        credit_limit=customer.credit_limit,
        open_receivables=position.open_balance,
        open_commitments=open_commitments_value(customer),
        overdue_amount=position.overdue_amount,
        oldest_overdue_days=position.oldest_overdue_days,
    )


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
