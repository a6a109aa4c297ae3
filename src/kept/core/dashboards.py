"""Reads of the role dashboards on the home page (SPEC 0 ideas 6 and 9, issue 8).

Managers look at profit, staff look at customers: each role gets its own sections, read
through each app's queries, in a number of queries that does not grow with the data (each
list is cut in the database, each count is one aggregate). Every dashboard carries the empty
chair: the customers' latest words, verbatim.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import groupby

from django.db.models import Count, Prefetch
from django.utils import timezone

from kept.core.queries import HomeSummary, home_summary
from kept.feedback import queries as feedback
from kept.feedback.models import Survey
from kept.fulfilment import chart
from kept.fulfilment import queries as fulfilment
from kept.pipeline.queries import dashboard_funnel
from kept.promising import supply
from kept.promising.choices import LineStatus
from kept.promising.models import Order, OrderLine
from kept.receivables import queries as receivables
from kept.receivables.choices import StatusFilter
from kept.replenishment import queries as replenishment
from kept.servicedesk import queries as servicedesk
from kept.servicedesk.models import Complaint, TicketMessage
from kept.team.queries import my_scorecard
from kept.value import queries as value
from kept.value import queries_profit as value_profit

CHAIR_SIZE = 8  # the customer's voice: enough to read over a coffee
LIST_SIZE = 8  # the first rows of each list; the full list is one link away
DELIVERY_LIST_SIZE = 30
TREND_MONTHS = 12


# The empty chair ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Voice:
    """One thing a customer said, as they said it."""

    kind: str  # "survey", "complaint" or "message"
    text: str
    customer: object  # a Customer
    said_at: datetime
    csat: int | None = None  # a survey's score, beside its comment
    ticket_id: int | None = None


def empty_chair(limit: int = CHAIR_SIZE) -> list[Voice]:
    """The latest survey comments, complaint texts and customers' messages on tickets, newest
    first: the newest ``limit`` of each source (three queries), merged."""
    surveys = (
        Survey.objects.answered()
        .exclude(comment="")
        .select_related("customer")
        .order_by("-answered_at", "-id")[:limit]
    )
    complaints = (
        Complaint.objects.exclude(what_happened="")
        .select_related("ticket__customer")
        .order_by("-ticket__created_at", "-pk")[:limit]
    )
    messages = (
        TicketMessage.objects.filter(from_customer=True)
        .select_related("ticket__customer")
        .order_by("-created_at", "-id")[:limit]
    )
    voices = [Voice("survey", s.comment, s.customer, s.answered_at, s.csat) for s in surveys]
    voices += [
        Voice("complaint", c.what_happened, c.ticket.customer, c.ticket.created_at, None, c.pk)
        for c in complaints
    ]
    voices += [
        Voice("message", m.body, m.ticket.customer, m.created_at, None, m.ticket_id)
        for m in messages
    ]
    return sorted(voices, key=lambda v: v.said_at, reverse=True)[:limit]


# Manager -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    """One measure by month as an SVG line (``kept.fulfilment.chart``'s geometry)."""

    name: str
    series: chart.Series
    y_ticks: list
    x_ticks: list
    latest: float | None
    width: int = chart.WIDTH
    height: int = chart.HEIGHT
    left: int = chart.LEFT
    right: int = chart.WIDTH - chart.RIGHT
    baseline: int = chart.HEIGHT - chart.BOTTOM


def _trend(name: str, keys: list[str], values: list[float | None]) -> Trend:
    measured = [v for v in values if v is not None]
    return Trend(
        name,
        chart.series(name, keys, values),
        chart.y_ticks(),
        chart.x_ticks(keys, most=6),
        measured[-1] if measured else None,
    )


def trends(today: date) -> tuple[Trend, Trend]:
    """(service level: OTIF by month, satisfaction: CSAT by month) over the last 12 months,
    each its own chart: two measures, never one number (SPEC 0 idea 2)."""
    start = (today.replace(day=1) - timedelta(days=31 * (TREND_MONTHS - 1))).replace(day=1)
    measures = feedback.satisfaction_and_service(start, today)
    keys = measures["months"]
    return _trend("otif", keys, measures["otif"]), _trend("csat", keys, measures["csat"])


@dataclass(frozen=True)
class ProfitFigures:
    start: date
    end: date
    revenue: Decimal
    cost_to_serve: Decimal
    profit: Decimal
    destroyers: int


def profit_figures(start: date, end: date) -> ProfitFigures:
    report = value_profit.profit_report(start, end)
    return ProfitFigures(
        start,
        end,
        report.revenue,
        report.cost_to_serve,
        report.profit,
        len(report.destroyers),
    )


@dataclass(frozen=True)
class Alerts:
    sla_breached: int
    sla_at_risk: int
    promises_at_risk: int
    overdue_invoices: int
    overdue_amount: Decimal
    lapsing: int
    funnel_below_target: list = field(default_factory=list)  # kept.pipeline's shortfalls


def alerts(today: date, user, *, promises_at_risk: int, funnel=None) -> Alerts:
    tickets = servicedesk.counts(user=user)
    overdue = receivables.invoice_totals(
        receivables.invoice_list(receivables.InvoiceFilters(status=StatusFilter.OVERDUE), today),
        today,
    )
    return Alerts(
        sla_breached=tickets["breached"],
        sla_at_risk=tickets["at_risk"],
        promises_at_risk=promises_at_risk,
        overdue_invoices=overdue.count,
        overdue_amount=overdue.overdue_amount,
        lapsing=value.lapsing(today).count(),
        funnel_below_target=list(funnel.alerts) if funnel else [],
    )


def held_orders(limit: int = LIST_SIZE) -> tuple[list[Order], int]:
    """Orders with lines waiting for a manager's approval, the oldest first (they have waited
    longest), each with its held lines; and how many there are."""
    waiting = Order.objects.filter(lines__status=LineStatus.HELD, cancelled_at__isnull=True)
    held_lines = OrderLine.objects.filter(status=LineStatus.HELD).select_related("product")
    orders = list(
        waiting.distinct()
        .select_related("customer", "created_by")
        .prefetch_related(Prefetch("lines", queryset=held_lines, to_attr="held_lines"))
        .order_by("created_at", "id")[:limit]
    )
    for order in orders:
        order.hold_reasons = sorted(
            {
                r["code"]
                for line in order.held_lines
                for r in line.reasons
                if r.get("effect") == "hold"
            }
        )
    return orders, waiting.aggregate(n=Count("pk", distinct=True))["n"]


# Staff -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slice:
    """The first rows of a list and how many it holds."""

    rows: list
    count: int


def plan_today(today: date, limit: int = LIST_SIZE) -> Slice:
    """Today's proposals, most urgent first (the earliest run-out at risk)."""
    proposals = sorted(
        replenishment.todays_plan(today), key=lambda p: (p.risk_date, p.subscription.pk)
    )
    return Slice(proposals[:limit], len(proposals))


def my_tickets(user, now: datetime, limit: int = LIST_SIZE) -> Slice:
    """Open tickets assigned to ``user``, the most urgent first, with their live SLA."""
    found = servicedesk.queue(servicedesk.QueueFilter(assignee=user.pk), now=now, user=user)
    tickets = list(found[:limit])
    live = servicedesk.live(tickets, now=now)
    rows = [(ticket, live.get(ticket.pk)) for ticket in tickets]
    return Slice(rows, len(rows) if len(rows) < limit else found.count())


def risks_of(risks: list, owner_id: int | None = None) -> list:
    """Promises at risk (``supply.at_risk``), only those of ``owner_id``'s customers if
    given."""
    if owner_id is None:
        return risks
    return [r for r in risks if r.line.order.customer.owner_id == owner_id]


def my_lapsing(user, today: date, limit: int = LIST_SIZE) -> Slice:
    """``user``'s customers overdue for their next purchase, as (value, days overdue): no
    money figure, the call list's columns."""
    found = value.lapsing(today, owner_id=user.pk)
    rows = [(v, (today - v.overdue_on).days) for v in found[:limit]]
    return Slice(rows, len(rows) if len(rows) < limit else found.count())


def my_customers_at_risk(risks: list, user) -> Slice:
    mine = risks_of(risks, user.pk)
    return Slice(mine[:LIST_SIZE], len(mine))


# Warehouse ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deliveries:
    """Today's lines by (region, route, lines), how many, and how many are late (due before
    today, still not delivered)."""

    groups: list
    count: int
    late: int

    @property
    def shown(self) -> int:
        return sum(len(lines) for _region, _route, lines in self.groups)


def _area(line) -> tuple[str, str]:
    customer = line.order.customer
    return (customer.region.name if customer.region else "", customer.route)


def deliveries_today(today: date, limit: int = DELIVERY_LIST_SIZE) -> Deliveries:
    """Lines promised for today and not yet delivered, by region and route; the late ones
    are counted (the deliveries page lists them first)."""
    due = fulfilment.lines_to_deliver(today).select_related("order__customer__region")
    todays = due.filter(promised_date=today)
    lines = list(todays[:limit])
    count = len(lines) if len(lines) < limit else todays.count()
    ordered = sorted(lines, key=lambda line: (_area(line), line.order.number, line.number))
    groups = [(*key, list(rows)) for key, rows in groupby(ordered, key=_area)]
    return Deliveries(groups, count, due.filter(promised_date__lt=today).count())


# The dashboards ----------------------------------------------------------------------------


def manager_dashboard(user, today: date) -> dict:
    risks = supply.at_risk(today=today)
    funnel = dashboard_funnel(today)
    service, satisfaction = trends(today)
    held, held_count = held_orders()
    return {
        "service": service,
        "satisfaction": satisfaction,
        "profit_month": profit_figures(today - timedelta(days=29), today),
        "profit_year": profit_figures(value_profit.year_before(today), today),
        "funnel": funnel,
        "alerts": alerts(today, user, promises_at_risk=len(risks), funnel=funnel),
        "held": held,
        "held_count": held_count,
    }


def staff_dashboard(user, today: date) -> dict:
    risks = supply.at_risk(today=today)
    return {
        "plan": plan_today(today),
        "tickets": my_tickets(user, timezone.now()),
        "at_risk": my_customers_at_risk(risks, user),
        "lapsing": my_lapsing(user, today),
        # the team scores itself: a viewer is not on it
        "scorecard": my_scorecard(user, today) if user.has_perm("team.add_score") else None,
    }


def warehouse_dashboard(user, today: date) -> dict:
    risks = supply.at_risk(today=today)
    return {
        "deliveries": deliveries_today(today),
        "at_risk": Slice(risks[:LIST_SIZE], len(risks)),
    }


BUILDERS = {
    "manager": manager_dashboard,
    "staff": staff_dashboard,
    "warehouse": warehouse_dashboard,
}


@dataclass(frozen=True)
class Dashboard:
    kind: str  # manager, staff or warehouse; "" for an account without a role
    summary: HomeSummary
    chair: list[Voice]
    sections: dict
    read_only: bool = False


def dashboard_kind(user) -> str:
    """Which dashboard a user gets, from what they may see: profit makes a manager's,
    customers a staff member's (a viewer's, read-only), deliveries the warehouse's."""
    if user.has_perm("core.view_financials"):
        return "manager"
    if user.has_perm("customers.view_customer"):
        return "staff"
    if user.has_perm("fulfilment.view_delivery"):
        return "warehouse"
    return ""


def dashboard(user, today: date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    kind = dashboard_kind(user)
    sections = BUILDERS[kind](user, today) if kind else {}
    return Dashboard(
        kind,
        home_summary(user),
        empty_chair() if kind else [],
        sections,
        read_only=not user.has_perm("customers.change_customer"),
    )
