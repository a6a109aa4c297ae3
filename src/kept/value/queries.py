"""Reads of customer value (SPEC 2.7): the purchase history the CLV refit and the retention
tables read, the segments, and the lapsing and churned lists. The customer P&L and the
whale curve are in ``queries_profit``.

A **purchase** is a day on which a customer received goods (their deliveries of that day,
valued at the order lines' prices): what was ordered and never delivered earned nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Min, QuerySet, Sum
from django.db.models.functions import TruncMonth

from kept.customers.choices import CustomerKind
from kept.customers.models import Customer
from kept.fulfilment.models import Delivery
from kept.value import retention
from kept.value.choices import QuadrantKey
from kept.value.models import (
    CustomerValue,
    MarketingSpend,
    QuadrantStrategy,
    ValueRun,
    ValueSettings,
)

ZERO = Decimal("0")
MONEY_FIELD = DecimalField(max_digits=20, decimal_places=5)


# Purchases: the CLV refit and retention -------------------------------------------------


@dataclass(frozen=True)
class Purchases:
    """Every external customer's purchase days up to a date, as parallel lists."""

    customer: list[int]
    day: list[date]
    value: list[float]


def purchases(until: date) -> Purchases:
    """One row per customer and day with goods received, valued at the lines' prices."""
    revenue = ExpressionWrapper(F("quantity") * F("line__unit_price"), output_field=MONEY_FIELD)
    rows = (
        Delivery.objects.filter(
            delivered_on__lte=until, line__order__customer__kind=CustomerKind.EXTERNAL
        )
        .values_list("line__order__customer", "delivered_on")
        .annotate(value=Sum(revenue))
        .order_by()
    )
    customer, day, value = [], [], []
    for pk, on, amount in rows.iterator(chunk_size=5000):
        customer.append(pk)
        day.append(on)
        value.append(float(amount or 0))
    return Purchases(customer, day, value)


def gross_margin_ratio(until: date) -> float:
    """The business's gross margin on everything delivered: CLV counts margin, not sales."""
    revenue = ExpressionWrapper(F("quantity") * F("line__unit_price"), output_field=MONEY_FIELD)
    cost = ExpressionWrapper(F("quantity") * F("line__unit_cost"), output_field=MONEY_FIELD)
    totals = Delivery.objects.filter(delivered_on__lte=until).aggregate(
        revenue=Sum(revenue), cost=Sum(cost)
    )
    if not totals["revenue"]:
        return 0.0
    return float((totals["revenue"] - totals["cost"]) / totals["revenue"])


def purchase_months(start: date, end: date) -> dict[int, list[date]]:
    """Each external customer's months with a purchase (first day of the month), from the
    first month of ``start`` to ``end``: distinct pairs from SQL."""
    rows = (
        Delivery.objects.filter(
            delivered_on__lte=end,
            delivered_on__gte=start.replace(day=1),
            line__order__customer__kind=CustomerKind.EXTERNAL,
        )
        .annotate(month=TruncMonth("delivered_on"))
        .values_list("line__order__customer", "month")
        .distinct()
        .order_by()
    )
    months: dict[int, list[date]] = defaultdict(list)
    for pk, month in rows.iterator(chunk_size=5000):
        months[pk].append(month)
    return months


def first_purchases() -> dict[int, date]:
    rows = (
        Delivery.objects.filter(line__order__customer__kind=CustomerKind.EXTERNAL)
        .values_list("line__order__customer")
        .annotate(first=Min("delivered_on"))
        .order_by()
    )
    return dict(rows)


@dataclass(frozen=True)
class RepurchaseRow:
    month: str
    buyers: int
    bought_again: int  # of the previous month's buyers, those who bought in this month
    rate: float | None


@dataclass(frozen=True)
class Retention:
    start: date
    end: date
    cohorts: retention.CohortTable
    repurchase: list[RepurchaseRow]
    new_customers: int
    kept_customers: int
    acquisition_spend: Decimal
    retention_spend: Decimal
    costs: retention.CostRatio


def retention_report(start: date, end: date) -> Retention:
    """Cohorts of the customers who first bought from ``start`` on, repurchase by month,
    and acquisition against retention cost over the period. The period is read in whole
    months, from the first day of ``start``'s month."""
    months = purchase_months(start, end)
    firsts = first_purchases()
    in_period = {pk: days for pk, days in months.items() if firsts.get(pk, end) >= start}
    cohorts = retention.cohort_table(in_period, until=end)
    by_month: dict[date, set[int]] = defaultdict(set)
    for pk, days in months.items():
        for month in days:
            by_month[month].add(pk)
    repurchase, previous = [], None
    for month in sorted(by_month):
        buyers = by_month[month]
        again = len(previous & buyers) if previous is not None else 0
        rate = retention.repurchase_rate(previous, buyers) if previous is not None else None
        repurchase.append(RepurchaseRow(month.strftime("%Y-%m"), len(buyers), again, rate))
        previous = buyers
    buyers = set(months)
    new = {pk for pk in buyers if start <= firsts.get(pk, end) <= end}
    spend = MarketingSpend.objects.filter(month__gte=start.replace(day=1), month__lte=end)
    totals = spend.aggregate(acquisition=Sum("acquisition"), retention=Sum("retention"))
    acquisition, kept_spend = totals["acquisition"] or ZERO, totals["retention"] or ZERO
    kept = len(buyers - new)
    return Retention(
        start,
        end,
        cohorts,
        repurchase,
        len(new),
        kept,
        acquisition,
        kept_spend,
        retention.cost_ratio(acquisition, len(new), kept_spend, kept),
    )


# The refit's results ---------------------------------------------------------------------


def latest_run() -> ValueRun | None:
    return ValueRun.objects.order_by("-created_at", "-id").first()


def last_fit() -> ValueRun | None:
    return ValueRun.objects.filter(status="done").order_by("-finished_at", "-id").first()


def quadrant_strategies() -> dict[str, QuadrantStrategy]:
    """The four quadrants with the business's names and strategies (defaults where unset)."""
    stored = {q.key: q for q in QuadrantStrategy.objects.all()}
    return {key: stored.get(key) or QuadrantStrategy(key=key) for key in QuadrantKey.values}


@dataclass(frozen=True)
class QuadrantCell:
    strategy: QuadrantStrategy
    customers: int
    clv: Decimal


def quadrant_map() -> list[QuadrantCell]:
    counts = {
        row["quadrant"]: row
        for row in CustomerValue.objects.values("quadrant").annotate(n=Count("pk"), clv=Sum("clv"))
    }
    return [
        QuadrantCell(
            strategy, counts.get(key, {}).get("n", 0), counts.get(key, {}).get("clv") or ZERO
        )
        for key, strategy in quadrant_strategies().items()
    ]


def rfm_counts() -> dict[tuple[int, int], int]:
    """Customers by (recency score, frequency score) at the last refit."""
    rows = (
        CustomerValue.objects.values("recency_score", "frequency_score")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(row["recency_score"], row["frequency_score"]): row["n"] for row in rows}


def values_in_quadrant(key: str) -> QuerySet[CustomerValue]:
    return (
        CustomerValue.objects.filter(quadrant=key)
        .select_related("customer", "customer__owner")
        .order_by("-clv", "customer__code")
    )


def churned(limit: int = 200) -> QuerySet[CustomerValue]:
    """Customers whose probability of still buying fell under the threshold, the biggest past
    spenders first (RFM monetary score = total spend quintile, then purchases)."""
    threshold = float(ValueSettings.current().churned_below)
    return (
        CustomerValue.objects.filter(p_alive__lt=threshold, customer__is_active=True)
        .select_related("customer", "customer__owner")
        .order_by("-monetary_score", "-frequency", "customer__code")[:limit]
    )


def lapsing(today: date, *, owner_id: int | None = None) -> QuerySet[CustomerValue]:
    """Buyers of non-consumables (no container followed by replenishment) overdue for their
    next purchase (``overdue_on`` passed) who are still likely to be buying (above the
    churn threshold): the retention call list, the longest overdue first. ``owner_id``
    keeps one owner's customers."""
    threshold = float(ValueSettings.current().churned_below)
    found = CustomerValue.objects.filter(
        is_consumable_buyer=False,
        p_alive__gte=threshold,
        overdue_on__lt=today,
        customer__is_active=True,
    )
    if owner_id is not None:
        found = found.filter(customer__owner_id=owner_id)
    return found.select_related("customer", "customer__owner").order_by(
        "overdue_on", "customer__code"
    )


def customer_value(customer: Customer) -> CustomerValue | None:
    return CustomerValue.objects.filter(customer=customer).select_related("run").first()
