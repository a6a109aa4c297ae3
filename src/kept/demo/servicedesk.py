"""The demo's service desk (SPEC 2.6, 4): six months of tickets and complaints, hand-offs
between departments under their own SLA policy, and today's queue.

Every ticket goes through the desk's actions with its own moments (``now=``), so the SLA
fields are what the desk computes: most targets met, some breached, a few tickets still
open at risk. The desk works office hours with China's public holidays off. Purchasing and
customer service join the departments: they hand work to the others but buy nothing.

The actions mail public replies and ask for a survey when a ticket is resolved, after the
commit; for a history that already happened neither may go out, so what they queue here is
dropped (the demo writes its surveys in ``surveys``). The SLA watch runs once at the end,
with mail switched off, to store today's states and warn the assignees in the app.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.translation import gettext as _

from kept.core import audit
from kept.customers.choices import CustomerKind, CustomerType, SizeUnit
from kept.customers.models import Customer
from kept.demo import business, customers
from kept.demo.complaints import complaint_stories
from kept.demo.handoffs import handoff_stories
from kept.demo.summary import DemoError
from kept.demo.tickets import (
    COMPLAINT,
    CONFIRM,
    HISTORY_DAYS,
    NOTE,
    REPLY,
    SAID,
    STATUS,
    Planner,
    Step,
    Story,
    Targets,
    topic_stories,
)
from kept.demo.todays_queue import todays_stories
from kept.servicedesk import actions, sla, tasks
from kept.servicedesk.choices import CustomerScope, SlaState, TicketKind, TicketStatus
from kept.servicedesk.models import (
    BusinessCalendar,
    Holiday,
    SlaPolicy,
    SlaTarget,
    Ticket,
    TicketStatusChange,
)

# (code, name, other name, staff, contact role, how it works with the others)
# fmt: off
NEW_DEPARTMENTS = (
    ("INT-PURCHASING", "采购部", "Purchasing", 3, "采购主管",
     "向米厂、油厂下单；到货数量、包装问题由仓储部提交交接单"),
    ("INT-CS", "客服部", "Customer service", 5, "客服主管",
     "客户投诉要补送、重新拣货时，向配送车队、仓储部提交交接单"),
)
# fmt: on
INTERNAL_POLICY = "内部交接 Internal hand-offs"
INTERNAL_POSITION = 100  # before the default policy (1000)
INTERNAL_HOURS = {"urgent": (0.5, 2), "high": (1, 4), "normal": (2, 8), "low": (4, 16)}
# Public holidays from the State Council's notices for 2025 and 2026; for later years only the
# dates that never move. The working weekends that make up for them (调休) are not entered:
# the stored calendar has no special working days.
NEW_YEAR, SPRING, QINGMING = "元旦 New Year's Day", "春节 Spring Festival", "清明节 Qingming"
LABOUR, DRAGON_BOAT = "劳动节 Labour Day", "端午节 Dragon Boat Festival"
MID_AUTUMN, NATIONAL = "中秋节 Mid-Autumn Festival", "国庆节 National Day"
HOLIDAYS = (  # (name, first day, days)
    (NEW_YEAR, date(2025, 1, 1), 1),
    (SPRING, date(2025, 1, 28), 8),
    (QINGMING, date(2025, 4, 4), 3),
    (LABOUR, date(2025, 5, 1), 5),
    (DRAGON_BOAT, date(2025, 5, 31), 3),
    (NATIONAL, date(2025, 10, 1), 8),  # with Mid-Autumn
    (NEW_YEAR, date(2026, 1, 1), 3),
    (SPRING, date(2026, 2, 15), 9),
    (QINGMING, date(2026, 4, 4), 3),
    (LABOUR, date(2026, 5, 1), 5),
    (DRAGON_BOAT, date(2026, 6, 19), 3),
    (MID_AUTUMN, date(2026, 9, 25), 3),
    (NATIONAL, date(2026, 10, 1), 7),
)
# (name, month, day, days)
FIXED_HOLIDAYS = ((NEW_YEAR, 1, 1, 1), (LABOUR, 5, 1, 5), (NATIONAL, 10, 1, 7))
HOLIDAY_NAMES = (NEW_YEAR, SPRING, QINGMING, LABOUR, DRAGON_BOAT, MID_AUTUMN, NATIONAL)
LAST_LISTED_YEAR = 2026


def build_desk(ctx) -> dict[str, int]:
    """Departments, holidays, the internal policy, then every ticket. Returns counts."""
    now = timezone.now()
    departments = _departments(ctx)
    default = _catch_all()
    calendar = default.calendar
    _add_holidays(calendar, ctx.today)
    internal = _internal_policy(calendar, ctx.users["manager"])
    planner = Planner(ctx, sla.calendar_of(calendar), _targets(internal, default), now)
    complaints = complaint_stories(planner)
    stories = [
        *complaints,
        *topic_stories(planner),
        *handoff_stories(planner, departments, complaints),
        *todays_stories(planner, departments),
    ]
    closing = []
    with _nothing_sent_after_commit():
        for story in stories:
            closing += _play(story)
    _close(closing)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        tasks.watch()
    return {"departments": len(NEW_DEPARTMENTS), **_counts()}


def _departments(ctx) -> dict[str, Customer]:
    """Purchasing and customer service join the departments; returns all of them by code."""
    drafts = []
    for code, name, alias, staff, role, works in NEW_DEPARTMENTS:
        customer = Customer(
            code=code,
            name=name,
            alias=alias,
            kind=CustomerKind.INTERNAL,
            customer_type=CustomerType.END_CONSUMER,
            group=ctx.groups["internal"],
            owner=ctx.users["manager"],
            size=staff,
            size_unit=SizeUnit.STAFF,
            email=business.department_email(code),
            address=business.HEAD_OFFICE,
            region=ctx.regions[business.DISTRICTS[2].code],
            preferences=works,
            created_at=ctx.at(1800, 9),
        )
        contact = business.staff_contacts(ctx, ctx.rng("desk-departments"), (role,))[0]
        drafts.append(customers.Draft(customer, contacts=[contact]))
    customers.save_drafts(ctx, drafts)
    found = Customer.objects.filter(kind=CustomerKind.INTERNAL).select_related("group", "owner")
    return {department.code: department for department in found}


def _catch_all() -> SlaPolicy:
    """The policy for any ticket that ``kept migrate`` created (the last without conditions)."""
    policy = (
        SlaPolicy.objects.filter(
            is_active=True, customer_group=None, customer_scope="", kind="", priority=""
        )
        .order_by("-position")
        .select_related("calendar")
        .first()
    )
    if policy is None:
        raise DemoError(_("The service desk has no default SLA policy: run kept migrate first."))
    return policy


def holidays(today: date) -> list[tuple[date, str]]:
    """The public holidays of the desk's history and of the year ahead. (Every action reads
    the whole calendar again: years of holidays would slow the history down.)"""
    first, last = today - timedelta(days=HISTORY_DAYS + 10), today + timedelta(days=366)
    days = [
        (start + timedelta(days=n), name) for name, start, length in HOLIDAYS for n in range(length)
    ]
    for year in range(max(first.year, LAST_LISTED_YEAR + 1), last.year + 1):
        days += [
            (date(year, month, day + n), name)
            for name, month, day, length in FIXED_HOLIDAYS
            for n in range(length)
        ]
    return [(day, name) for day, name in days if first <= day <= last]


def _add_holidays(calendar: BusinessCalendar, today: date) -> None:
    taken = set(calendar.holidays.values_list("day", flat=True))
    Holiday.objects.bulk_create(
        Holiday(calendar=calendar, day=day, name=name)
        for day, name in holidays(today)
        if day not in taken
    )


def _internal_policy(calendar: BusinessCalendar, manager) -> SlaPolicy:
    """Hand-offs and departments' tickets: shorter targets on the same office hours."""
    policy = SlaPolicy.objects.create(
        name=INTERNAL_POLICY,
        position=INTERNAL_POSITION,
        customer_scope=CustomerScope.INTERNAL,
        calendar=calendar,
    )
    SlaTarget.objects.bulk_create(
        SlaTarget(
            policy=policy,
            priority=priority,
            first_response=timedelta(hours=first),
            resolution=timedelta(hours=resolution),
        )
        for priority, (first, resolution) in INTERNAL_HOURS.items()
    )
    audit.record(manager, "sla.policy", policy, changes={"name": [None, policy.name]})
    return policy


def _targets(internal: SlaPolicy, default: SlaPolicy) -> Targets:
    """The targets each story is planned against: the internal policy's for departments,
    the default's for customers."""
    by_scope = {}
    for is_internal, policy in ((True, internal), (False, default)):
        for target in policy.targets.all():
            by_scope[(is_internal, target.priority)] = (target.first_response, target.resolution)
    return Targets(by_scope)


@contextmanager
def _nothing_sent_after_commit() -> Iterator[None]:
    """Drop what the actions queue for after the commit (mail, surveys) while the history is
    played: it happened in the past."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("The desk's history is played inside the demo's transaction.")
    queued = len(connection.run_on_commit)
    try:
        yield
    finally:
        del connection.run_on_commit[queued:]


def _play(story: Story) -> list[tuple[Ticket, Step]]:
    """Open the ticket at its moment and play its steps, each at its own moment; returns the
    closing that ends the story, if it does (``_close`` writes them all at once)."""
    quoted = story.made_for.ticket.number if story.made_for is not None else ""
    ticket = actions.open_ticket(
        story.customer,
        subject=story.subject.replace("{ticket}", quoted),
        description=story.description.replace("{ticket}", quoted),
        kind=story.kind,
        priority=story.priority,
        channel=story.channel,
        assignee=story.assignee,
        department=story.department,
        delivery=story.delivery,
        complaint=story.complaint,
        actor=story.actor,
        now=story.created_at,
    )
    steps, closing = story.steps, []
    if steps and steps[-1].do == STATUS and steps[-1].status == TicketStatus.CLOSED:
        steps, closing = steps[:-1], [(ticket, steps[-1])]
    for step in steps:
        ACTS[step.do](ticket, step)
    story.ticket = ticket
    return closing


def _close(closing: list[tuple[Ticket, Step]]) -> None:
    """Resolved tickets closed after a quiet week, in bulk. Closing changes nothing but the
    status (resolved and closed both end the clock), so it is what ``change_status`` writes:
    the status, its history and the audit entry, without evaluating the SLA once per ticket."""
    TicketStatusChange.objects.bulk_create(
        TicketStatusChange(ticket=ticket, status=TicketStatus.CLOSED, at=step.at, by=step.actor)
        for ticket, step in closing
    )
    for ticket, step in closing:
        ticket.status, ticket.updated_at = TicketStatus.CLOSED, step.at
        changes = {"status": [TicketStatus.RESOLVED, TicketStatus.CLOSED]}
        audit.record(step.actor, "ticket.status", ticket, changes=changes)
    Ticket.objects.bulk_update([ticket for ticket, _step in closing], ["status", "updated_at"])


ACTS = {
    REPLY: lambda t, s: actions.reply(t, s.text, actor=s.actor, now=s.at),
    NOTE: lambda t, s: actions.reply(t, s.text, public=False, actor=s.actor, now=s.at),
    SAID: lambda t, s: actions.reply(t, s.text, from_customer=True, actor=s.actor, now=s.at),
    STATUS: lambda t, s: actions.change_status(t, s.status, actor=s.actor, now=s.at),
    COMPLAINT: lambda t, s: actions.save_complaint(t, s.values, actor=s.actor),
    CONFIRM: lambda t, s: actions.confirm_complaint(
        t, reason=s.text, defect=s.defect, actor=s.actor, now=s.at
    ),
}


def _counts() -> dict[str, int]:
    tickets = Ticket.objects.all()
    breached = Q(first_response_state=SlaState.BREACHED) | Q(resolution_state=SlaState.BREACHED)
    return {
        "tickets": tickets.count(),
        "open_tickets": tickets.open().count(),
        "breached_tickets": tickets.filter(breached).count(),
        "complaints": tickets.filter(kind=TicketKind.COMPLAINT).count(),
        "handoffs": tickets.filter(kind=TicketKind.HANDOFF).count(),
    }


def remove_desk_settings() -> None:
    """What the demo added to the desk's settings, for ``reset``: its policy and holidays."""
    SlaPolicy.objects.filter(name=INTERNAL_POLICY, position=INTERNAL_POSITION).delete()
    Holiday.objects.filter(name__in=HOLIDAY_NAMES).delete()
