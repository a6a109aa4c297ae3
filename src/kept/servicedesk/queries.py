"""Reads of the service desk: the queue with its filters, one ticket with its thread, a
customer's tickets for the notebook, and the live SLA of the tickets on a page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from kept.servicedesk import sla
from kept.servicedesk.choices import OPEN_STATUSES, SlaState, TicketKind
from kept.servicedesk.models import Ticket, TicketStatusChange

RUNNING = (SlaState.ON_TRACK, SlaState.AT_RISK)


def breached(now: datetime) -> Q:
    """Tickets with a breached target at ``now``: stored so, or a running target whose
    deadline has passed since the last evaluation."""
    condition = Q()
    for target in ("first_response", "resolution"):
        condition |= Q(**{f"{target}_state": SlaState.BREACHED}) | Q(
            **{f"{target}_state__in": RUNNING, "sla_paused": False, f"{target}_due__lt": now}
        )
    return condition


def at_risk(now: datetime) -> Q:
    """Tickets not breached with a target at ≥ 80 % at ``now``."""
    condition = Q()
    for target in ("first_response", "resolution"):
        condition |= Q(**{f"{target}_state": SlaState.AT_RISK}) | Q(
            **{
                f"{target}_state": SlaState.ON_TRACK,
                "sla_paused": False,
                f"{target}_risk_at__lte": now,
            }
        )
    return ~breached(now) & condition


def urgency(now: datetime) -> Case:
    """0 breached, 1 at risk, 2 the rest: the queue's first sort key."""
    return Case(
        When(breached(now), then=0),
        When(at_risk(now), then=1),
        default=Value(2),
        output_field=IntegerField(),
    )


INTERNAL = Q(kind=TicketKind.HANDOFF) | Q(customer__kind="internal")


def visible_to(user) -> Q:
    """The tickets ``user`` may see: all for those who see customers; hand-offs and the
    departments' own tickets for the others (the warehouse works hand-offs, SPEC 1 keeps
    customers' complaints from it)."""
    return Q() if user is None or user.has_perm("customers.view_customer") else INTERNAL


@dataclass(frozen=True)
class QueueFilter:
    status: str = "open"  # "open", "all", or one status
    kind: str = ""
    priority: str = ""
    sla: str = ""  # "", "at_risk", "breached", "paused"
    assignee: int | None = None  # a user id; 0: unassigned
    customer: str = ""  # a customer code
    internal: bool | None = None  # hand-offs and departments' tickets only / never
    q: str = ""


def queue(filters: QueueFilter, *, now: datetime | None = None, user=None) -> QuerySet[Ticket]:
    """Tickets matching ``filters``, the most urgent first: breached, at risk, then by the
    nearest deadline."""
    now = now or timezone.now()
    tickets = Ticket.objects.filter(visible_to(user)).select_related(
        "customer", "assignee", "department", "policy__calendar"
    )
    if filters.status == "open":
        tickets = tickets.filter(status__in=OPEN_STATUSES)
    elif filters.status and filters.status != "all":
        tickets = tickets.filter(status=filters.status)
    if filters.kind:
        tickets = tickets.filter(kind=filters.kind)
    if filters.priority:
        tickets = tickets.filter(priority=filters.priority)
    if filters.sla == "paused":
        tickets = tickets.filter(sla_paused=True)
    elif filters.sla == SlaState.BREACHED:
        tickets = tickets.filter(breached(now))
    elif filters.sla == SlaState.AT_RISK:
        tickets = tickets.filter(at_risk(now))
    if filters.assignee == 0:
        tickets = tickets.filter(assignee__isnull=True)
    elif filters.assignee:
        tickets = tickets.filter(assignee_id=filters.assignee)
    if filters.customer:
        tickets = tickets.filter(customer__code=filters.customer)
    if filters.internal is not None:
        tickets = tickets.filter(INTERNAL if filters.internal else ~INTERNAL)
    if filters.q:
        text = filters.q.strip()
        number = text.upper().removeprefix("T-").lstrip("0")
        match = (
            Q(subject__icontains=text)
            | Q(customer__name__icontains=text)
            | Q(customer__code__iexact=text)
        )
        if re.fullmatch(r"[0-9]{1,12}", number):
            match |= Q(pk=int(number))
        tickets = tickets.filter(match)
    return tickets.order_by(urgency(now), next_deadline(), "-created_at", "-id")


FAR = datetime(9999, 1, 1, tzinfo=UTC)


def _running_due(target: str):
    return Coalesce(
        Case(
            When(**{f"{target}_state__in": RUNNING}, then=F(f"{target}_due")),
            output_field=DateTimeField(),
        ),
        Value(FAR, output_field=DateTimeField()),
    )


def next_deadline() -> Least:
    """The nearest deadline of a target still running (a met one no longer counts)."""
    return Least(_running_due("first_response"), _running_due("resolution"))


def counts(*, now: datetime | None = None, user=None) -> dict[str, int]:
    """Open tickets, and how many are at risk or breached (the queue's header)."""
    now = now or timezone.now()
    open_tickets = Ticket.objects.filter(visible_to(user), status__in=OPEN_STATUSES)
    return open_tickets.aggregate(
        open=Count("pk"),
        at_risk=Count("pk", filter=at_risk(now)),
        breached=Count("pk", filter=breached(now)),
        unassigned=Count("pk", filter=Q(assignee__isnull=True)),
    )


def live(tickets: list[Ticket], *, now: datetime | None = None) -> dict[int, sla.TicketSla]:
    """The SLA of each ticket evaluated at ``now`` (the stored states may be minutes old):
    two queries whatever the number of tickets."""
    now = now or timezone.now()
    tickets = [t for t in tickets if t.policy_id is not None]
    if not tickets:
        return {}
    calendars = sla.calendars(tickets)
    histories: dict[int, list] = {t.pk: [] for t in tickets}
    changes = TicketStatusChange.objects.filter(ticket_id__in=list(histories)).order_by(
        "ticket_id", "at", "id"
    )
    for ticket_id, at, status in changes.values_list("ticket_id", "at", "status"):
        histories[ticket_id].append((at, status))
    return {
        t.pk: sla.evaluate(t, histories[t.pk], calendar=calendars[t.policy.calendar_id], now=now)
        for t in tickets
    }


def ticket_detail(pk: int, user=None) -> Ticket:
    return (
        Ticket.objects.filter(visible_to(user))
        .select_related(
            "customer",
            "assignee",
            "department",
            "policy__calendar",
            "order_line__order",
            "order_line__product",
            "delivery",
            "complaint",
        )
        .prefetch_related("messages__author", "status_changes__by")
        .get(pk=pk)
    )


def for_customer(customer, *, limit: int = 5) -> tuple[list[Ticket], int]:
    """The customer's open tickets (most urgent first) and how many tickets they ever had."""
    tickets = queue(QueueFilter(customer=customer.code))[:limit]
    total = Ticket.objects.filter(customer=customer).count()
    return list(tickets), total
