"""Reads of customer value (SPEC 2.7): the customer P&L of a period from the activities
recorded by the other modules, the whale curve, the purchase history the CLV refit and the
retention tables read, and the lapsing and churned lists.

A **purchase** is a day on which a customer received goods (their deliveries of that day,
valued at the order lines' prices): what was ordered and never delivered earned nothing.
Cost-to-serve counts the activities of the period, each from the module that records it:
orders taken (by creation date), drops (a customer's deliveries of one day), hours written
on their tickets' messages, complaint remedies (handling and the remedy's own cost),
payment reminders logged in the notebook, and months of VIP service. Only external
customers have a P&L: departments are not sold to.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from kept.customers.choices import CustomerKind, InteractionKind
from kept.customers.models import Customer, Interaction
from kept.fulfilment.models import Delivery
from kept.promising.models import Order
from kept.servicedesk.models import Complaint, TicketMessage
from kept.value import costs, retention
from kept.value.choices import QuadrantKey
from kept.value.models import (
    RATE_FIELDS,
    CustomerValue,
    MarketingSpend,
    QuadrantStrategy,
    ValueRun,
    ValueSettings,
    VipService,
)

ZERO = Decimal("0")
MONEY_FIELD = DecimalField(max_digits=20, decimal_places=5)
DAYS_PER_MONTH = Decimal("365.25") / 12


def year_before(end: date) -> date:
    """The first day of the 12 months that end with ``end`` (both included)."""
    return end - timedelta(days=364)


def _moment(day: date) -> datetime:
    """The start of a business day as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _within(field: str, start: date, end: date) -> Q:
    """``field`` (a datetime) on a business day from ``start`` to ``end``, both included."""
    return Q(**{f"{field}__gte": _moment(start), f"{field}__lt": _moment(end + timedelta(days=1))})


def rates() -> costs.Rates:
    found = ValueSettings.current()
    return costs.Rates(**{name: getattr(found, name) for name in RATE_FIELDS})


def _delivered(start: date, end: date) -> QuerySet:
    return Delivery.objects.filter(
        delivered_on__gte=start,
        delivered_on__lte=end,
        line__order__customer__kind=CustomerKind.EXTERNAL,
    )


def _of(queryset: QuerySet, field: str, customer_id: int | None) -> QuerySet:
    return queryset if customer_id is None else queryset.filter(**{field: customer_id})


def _sales(start: date, end: date, customer_id: int | None = None) -> dict[int, dict]:
    """Revenue, cost of goods and drops per customer, summed in SQL."""
    revenue = ExpressionWrapper(F("quantity") * F("line__unit_price"), output_field=MONEY_FIELD)
    cost = ExpressionWrapper(F("quantity") * F("line__unit_cost"), output_field=MONEY_FIELD)
    rows = (
        _of(_delivered(start, end), "line__order__customer", customer_id)
        .values("line__order__customer")
        .annotate(
            revenue=Sum(revenue),
            cost=Sum(cost),
            drops=Count("delivered_on", distinct=True),
        )
    )
    return {row["line__order__customer"]: row for row in rows}


def _counted(queryset: QuerySet, customer_field: str, **aggregates) -> dict[int, dict]:
    rows = queryset.values(customer_field).annotate(**aggregates)
    return {row[customer_field]: row for row in rows}


def _vip_months(start: date, end: date, customer_id: int | None = None) -> dict[int, Decimal]:
    """Months of VIP service in the period per customer (days of overlap / mean month)."""
    months: dict[int, Decimal] = defaultdict(lambda: ZERO)
    services = (
        _of(VipService.objects, "customer", customer_id)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start), started_on__lte=end)
        .values_list("customer_id", "started_on", "ended_on")
    )
    for customer_id, started_on, ended_on in services:
        first, last = max(start, started_on), min(end, ended_on or end)
        months[customer_id] += Decimal((last - first).days + 1) / DAYS_PER_MONTH
    return months


def activities(
    start: date, end: date, *, customer_id: int | None = None
) -> dict[int, costs.Activity]:
    """Each external customer's activities from ``start`` to ``end`` (business dates), or
    only ``customer_id``'s, with every measure aggregated in SQL: one query per kind of
    activity."""
    one = customer_id
    sales = _sales(start, end, one)
    orders = _counted(
        _of(Order.objects.filter(_within("created_at", start, end)), "customer", one),
        "customer",
        n=Count("id"),
    )
    hours = _counted(
        _of(
            TicketMessage.objects.filter(_within("created_at", start, end), minutes_spent__gt=0),
            "ticket__customer",
            one,
        ),
        "ticket__customer",
        minutes=Sum("minutes_spent"),
    )
    remedies = _counted(
        _of(
            Complaint.objects.exclude(remedy="").filter(_within("ticket__created_at", start, end)),
            "ticket__customer",
            one,
        ),
        "ticket__customer",
        n=Count("pk"),
        cost=Sum("remedy_cost"),
    )
    reminders = _counted(
        _of(
            Interaction.objects.filter(
                _within("occurred_at", start, end), kind=InteractionKind.REMINDER
            ),
            "customer",
            one,
        ),
        "customer",
        n=Count("id"),
    )
    vip = _vip_months(start, end, one)
    ids = set(sales) | set(orders) | set(hours) | set(remedies) | set(reminders) | set(vip)
    external = set(
        Customer.objects.filter(pk__in=ids, kind=CustomerKind.EXTERNAL).values_list("pk", flat=True)
    )
    found = {}
    for pk in external:
        sale = sales.get(pk, {})
        found[pk] = costs.Activity(
            customer=str(pk),
            revenue=_money(sale.get("revenue")),
            cost_of_goods=_money(sale.get("cost")),
            orders=orders.get(pk, {}).get("n", 0),
            deliveries=sale.get("drops", 0),
            ticket_hours=Decimal(hours.get(pk, {}).get("minutes", 0)) / 60,
            remedies=remedies.get(pk, {}).get("n", 0),
            remedy_cost=_money(remedies.get(pk, {}).get("cost")),
            reminders=reminders.get(pk, {}).get("n", 0),
            vip_months=vip.get(pk, ZERO),
        )
    return found


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class CustomerProfit:
    customer: Customer
    pnl: costs.CustomerPnL

    @property
    def drivers(self) -> list[tuple[str, Decimal]]:
        return self.pnl.main_drivers()


@dataclass(frozen=True)
class ProfitReport:
    start: date
    end: date
    rows: list[CustomerProfit]  # most profitable first
    whale: list[costs.WhalePoint]
    rates: costs.Rates

    @property
    def revenue(self) -> Decimal:
        return sum((r.pnl.revenue for r in self.rows), ZERO)

    @property
    def cost_of_goods(self) -> Decimal:
        return sum((r.pnl.cost_of_goods for r in self.rows), ZERO)

    @property
    def gross_margin(self) -> Decimal:
        return sum((r.pnl.gross_margin for r in self.rows), ZERO)

    @property
    def cost_to_serve(self) -> Decimal:
        return sum((r.pnl.cost_to_serve for r in self.rows), ZERO)

    @property
    def profit(self) -> Decimal:
        return sum((r.pnl.profit for r in self.rows), ZERO)

    @property
    def destroyers(self) -> list[CustomerProfit]:
        """The customers who lose money, the worst first."""
        return sorted((r for r in self.rows if r.pnl.profit < 0), key=lambda r: r.pnl.profit)

    @property
    def peak(self) -> costs.WhalePoint | None:
        """The top of the whale curve: where the profitable customers end."""
        return max(self.whale, key=lambda p: p.profit_share, default=None)


def profit_report(start: date, end: date) -> ProfitReport:
    """The customer P&L of the period, the whale curve and the profit destroyers."""
    found = activities(start, end)
    tariff = rates()
    pnls = {pk: costs.pnl(activity, tariff) for pk, activity in found.items()}
    customers = Customer.objects.select_related("group", "owner").in_bulk(list(pnls))
    rows = sorted(
        (CustomerProfit(customers[pk], pnl) for pk, pnl in pnls.items()),
        key=lambda r: (-r.pnl.profit, r.customer.code),
    )
    return ProfitReport(start, end, rows, costs.whale_curve(pnls.values()), tariff)


def customer_profit(customer: Customer, start: date, end: date) -> costs.CustomerPnL:
    found = activities(start, end, customer_id=customer.pk)
    activity = found.get(customer.pk) or costs.Activity(str(customer.pk))
    return costs.pnl(activity, rates())


def spend_months(months: int = 24) -> QuerySet[MarketingSpend]:
    return MarketingSpend.objects.order_by("-month")[:months]


def vip_services(today: date) -> QuerySet[VipService]:
    """Running VIP services, and those that ended in the last year (for the record)."""
    recent = today - timedelta(days=365)
    return (
        VipService.objects.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=recent))
        .select_related("customer")
        .order_by("-started_on", "-id")
    )


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
