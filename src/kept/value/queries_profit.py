"""Reads of the customer P&L (SPEC 2.7): cost-to-serve from the activities the other
modules record, each customer's P&L for a period, and the whale curve.

Cost-to-serve counts the activities of the period, each from the module that records it:
orders taken (by creation date), drops (a customer's deliveries of one day), hours written
on their tickets' messages, complaint remedies (handling and the remedy's own cost),
payment reminders logged in the notebook, and months of VIP service. Revenue is what was
delivered, at the order lines' prices. Only external customers have a P&L: departments are
not sold to.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, ExpressionWrapper, F, Q, QuerySet, Sum
from django.utils import timezone

from kept.customers.choices import CustomerKind, InteractionKind
from kept.customers.models import Customer, Interaction
from kept.fulfilment.models import Delivery
from kept.promising.models import Order
from kept.servicedesk.models import Complaint, TicketMessage
from kept.value import costs
from kept.value.models import RATE_FIELDS, MarketingSpend, ValueSettings, VipService
from kept.value.queries import MONEY_FIELD, ZERO

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
