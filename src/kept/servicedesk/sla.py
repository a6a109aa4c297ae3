"""The glue between tickets and the pure clock: which policy a ticket gets, and where each of
its two targets stands (SPEC 2.6). Reads only; ``actions`` and ``tasks`` store the result."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from django.utils import timezone

from kept.servicedesk import clock
from kept.servicedesk.choices import DEFAULT_PAUSE, DONE_STATUSES
from kept.servicedesk.models import BusinessCalendar, SlaPolicy, SlaTarget, Ticket

log = logging.getLogger(__name__)
AT_RISK = 0.8  # the share of a target used that makes it "at risk" (SPEC 2.6)


def calendar_of(calendar: BusinessCalendar) -> clock.Calendar:
    """The pure calendar of a stored one (its intervals and holidays are read once per call;
    prefetch them when evaluating many tickets)."""
    if calendar.around_the_clock:
        return clock.Calendar.always(calendar.time_zone)
    week: dict[int, list] = {}
    for interval in calendar.intervals.all():
        week.setdefault(interval.weekday, []).append((interval.start, interval.end))
    return clock.Calendar(
        calendar.time_zone, week, holidays=[holiday.day for holiday in calendar.holidays.all()]
    )


def _matches(policy: SlaPolicy, ticket: Ticket) -> bool:
    customer = ticket.customer
    if policy.customer_group_id and policy.customer_group_id != customer.group_id:
        return False
    if policy.customer_scope and policy.customer_scope != customer.kind:
        return False
    if policy.kind and policy.kind != ticket.kind:
        return False
    return not (policy.priority and policy.priority != ticket.priority)


def match_policy(ticket: Ticket) -> tuple[SlaPolicy | None, SlaTarget | None]:
    """The first active policy (by position) whose conditions all hold, and its target for
    the ticket's priority (None: that policy sets no target for it, so no clock runs)."""
    for policy in SlaPolicy.objects.filter(is_active=True).order_by("position", "id"):
        if _matches(policy, ticket):
            target = policy.targets.filter(priority=ticket.priority).first()
            return policy, target
    return None, None


def assign(ticket: Ticket) -> None:
    """Give the ticket its policy and targets (on creation, and when its kind, priority or
    customer group decides another policy). Not saved here."""
    policy, target = match_policy(ticket)
    ticket.policy = policy
    ticket.first_response_target = target.first_response if target else None
    ticket.resolution_target = target.resolution if target else None


@dataclass(frozen=True)
class TicketSla:
    first_response: clock.Evaluation | None
    resolution: clock.Evaluation | None
    # the moment each running target reaches AT_RISK (None: done, paused, or no target)
    first_response_risk_at: datetime | None = None
    resolution_risk_at: datetime | None = None

    @property
    def worst(self) -> clock.Evaluation | None:
        """The open target closest to its deadline (for sorting and the countdown)."""
        running = [e for e in (self.first_response, self.resolution) if e and e.done_at is None]
        return min(running, key=lambda e: e.remaining, default=None)


def _pause_statuses(ticket: Ticket) -> set[str]:
    policy = ticket.policy
    return set(policy.pause_statuses if policy is not None else DEFAULT_PAUSE)


def evaluate(
    ticket: Ticket,
    history: Sequence[tuple[datetime, str]],
    *,
    calendar: clock.Calendar | None = None,
    now: datetime | None = None,
) -> TicketSla:
    """Both targets of ``ticket`` at ``now``, from its status ``history`` ((moment, status
    entered), in time order, the first being its creation). A breach already recorded on
    the ticket stays a breach, whatever targets it has since (SPEC 2.6: a breach is final).
    A calendar that cannot be used (no working time at all) gives no SLA, logged, rather
    than a broken page."""
    now = now or timezone.now()
    try:
        sla = _evaluate(ticket, history, calendar=calendar, now=now)
    except ValueError:
        log.exception("The SLA of %s cannot be evaluated", ticket.number)
        return TicketSla(None, None)
    first, resolution = sla.first_response, sla.resolution
    if ticket.first_response_state == clock.TargetState.BREACHED and first is not None:
        first = replace(first, state=clock.TargetState.BREACHED)
    if ticket.resolution_state == clock.TargetState.BREACHED and resolution is not None:
        resolution = replace(resolution, state=clock.TargetState.BREACHED)
    return replace(sla, first_response=first, resolution=resolution)


def _evaluate(
    ticket: Ticket,
    history: Sequence[tuple[datetime, str]],
    *,
    calendar: clock.Calendar | None,
    now: datetime,
) -> TicketSla:
    if ticket.policy is None or (
        ticket.first_response_target is None and ticket.resolution_target is None
    ):
        return TicketSla(None, None)
    calendar = calendar or calendar_of(ticket.policy.calendar)
    pause = _pause_statuses(ticket)
    first = resolution = None
    if ticket.first_response_target is not None:
        answered = ticket.first_responded_at
        before = [(at, status) for at, status in history if answered is None or at < answered]
        events = clock.events_from_statuses(before, pause=pause, done=DONE_STATUSES)
        # a ticket resolved without any public reply never got its first response: the
        # clock of the first response runs on only while the ticket is open
        if answered is not None:
            events.append((answered, clock.Clock.DONE))
        first = clock.evaluate(
            calendar,
            ticket.first_response_target,
            started=ticket.created_at,
            events=events,
            now=now,
            at_risk=AT_RISK,
        )
    if ticket.resolution_target is not None:
        events = clock.events_from_statuses(history, pause=pause, done=DONE_STATUSES)
        resolution = clock.evaluate(
            calendar,
            ticket.resolution_target,
            started=ticket.created_at,
            events=events,
            now=now,
            at_risk=AT_RISK,
        )
    return TicketSla(
        first,
        resolution,
        _risk_at(calendar, first, now),
        _risk_at(calendar, resolution, now),
    )


def _risk_at(
    calendar: clock.Calendar, evaluation: clock.Evaluation | None, now: datetime
) -> datetime | None:
    """When a running target reaches 80 % (now, if it already has)."""
    if evaluation is None or evaluation.done_at is not None or evaluation.paused:
        return None
    if evaluation.state != clock.TargetState.ON_TRACK:
        return now
    return calendar.add_business_time(now, evaluation.target * AT_RISK - evaluation.used)


def history_of(ticket: Ticket) -> list[tuple[datetime, str]]:
    return [(change.at, change.status) for change in ticket.status_changes.all()]


def store(ticket: Ticket, sla: TicketSla) -> list[str]:
    """Copy the evaluation onto the ticket's own fields; returns the names changed."""
    values = {
        "first_response_state": sla.first_response.state if sla.first_response else "",
        "first_response_due": sla.first_response.deadline if sla.first_response else None,
        "resolution_state": sla.resolution.state if sla.resolution else "",
        "resolution_due": sla.resolution.deadline if sla.resolution else None,
        "first_response_risk_at": sla.first_response_risk_at,
        "resolution_risk_at": sla.resolution_risk_at,
        "sla_paused": any(e is not None and e.paused for e in (sla.first_response, sla.resolution)),
    }
    changed = [name for name, value in values.items() if getattr(ticket, name) != value]
    for name in changed:
        setattr(ticket, name, values[name])
    return changed


def refresh(ticket: Ticket, *, now: datetime | None = None) -> TicketSla:
    sla = evaluate(ticket, history_of(ticket), now=now)
    store(ticket, sla)
    return sla


def calendars(tickets: Iterable[Ticket]) -> dict[int, clock.Calendar]:
    """One pure calendar per business calendar used by ``tickets`` (their policies must be
    loaded with ``select_related("policy__calendar")``)."""
    found: dict[int, clock.Calendar] = {}
    ids = {t.policy.calendar_id for t in tickets if t.policy is not None}
    for calendar in BusinessCalendar.objects.filter(pk__in=ids).prefetch_related(
        "intervals", "holidays"
    ):
        found[calendar.pk] = calendar_of(calendar)
    return found
