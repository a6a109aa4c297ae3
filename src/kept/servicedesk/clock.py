"""The SLA clock: business time, deadlines and target states (SPEC 2.6). Pure Python, no Django.

A service target ("first response within 4 business hours") counts **business time** only,
from the ticket's creation. A :class:`Calendar` says when the business works: working
intervals per weekday in a time zone, holidays, and special days with their own hours. The
clock runs, pauses (waiting on the customer: paused business time does not count, so the
deadline moves by as much) and stops when the target is done (first response: the first
public reply by staff; resolution: entering resolved). A reopened ticket runs again::

    used      = Σ business time while the clock runs, from `started` to now (or to done)
    remaining = max(target − used, 0)
    fraction  = used / target                       (1 when the target is 0)
    deadline  = the moment `used` reaches `target` if the clock runs on from now
              = add_business_time(now, remaining)

Boundary rules, all in real time:

* the deadline itself is still in time: done at the deadline is **met**, still running at
  the deadline is **at risk**;
* a target is **breached** once its clock runs past the deadline, even when no business time
  has passed since: the deadline is Friday 17:00 and the ticket is resolved on Saturday;
* a breach is final: done later stays breached, and a reopened ticket never unbreaches;
* **at risk** from ``used ≥ at_risk × target`` (80 % by default) until met or breached.

Local readings are turned into moments with the zone's rules: an ambiguous reading (clocks
go back) is its first occurrence, a reading that never happened (clocks go forward) is the
first moment after the jump. So a 24×7 calendar in Europe/Berlin has 23 hours on the last
Sunday of March and 25 on the last Sunday of October, while 09:00–17:00 is 8 hours on both.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ZERO = timedelta(0)
ONE_DAY = timedelta(days=1)
WEEKDAYS = range(7)  # 0 = Monday … 6 = Sunday, as date.weekday()
CACHED_DAYS = 5000  # about 14 years of days; the cache starts afresh beyond

Hours = tuple[tuple[timedelta, timedelta], ...]  # [start, end) since local midnight
Interval = tuple[datetime, datetime]  # [start, end) in UTC


class TargetState(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    MET = "met"


class Clock(StrEnum):
    """What happens to the clock at a moment: it runs, pauses, or the target is done."""

    RUN = "run"
    PAUSE = "pause"
    DONE = "done"


class Calendar:
    """When the business works, in a time zone.

    ``week`` maps a weekday (0 = Monday … 6 = Sunday) to working intervals ``[(start, end)]``
    in local time, several a day if need be (09:00–12:00 and 13:00–18:00); a weekday left
    out has no work; an end of ``time(0, 0)`` (or ``time.max``) means the end of the day.
    ``week=None`` works around the clock. ``holidays`` are local dates without work;
    ``special_days`` give a local date its own intervals instead of its weekday's (a
    make-up working Saturday, a short day before a holiday).
    """

    def __init__(
        self,
        tz: str = "UTC",
        week: Mapping[int, Iterable[tuple[time, time]]] | None = None,
        holidays: Iterable[date] = (),
        special_days: Mapping[date, Iterable[tuple[time, time]]] | None = None,
    ):
        self.tz = _zone(tz)
        self.week = _parse_week(week)
        self.holidays = frozenset(_parse_dates(holidays))
        self.special_days = MappingProxyType(
            {day: _parse_hours(hours, str(day)) for day, hours in (special_days or {}).items()}
        )
        if both := self.holidays & set(_parse_dates(self.special_days)):
            raise ValueError(f"A date cannot be both a holiday and a special day: {min(both)}")
        self._days: dict[date, tuple[Interval, ...]] = {}  # a day's intervals, computed once

    @classmethod
    def always(cls, tz: str = "UTC") -> Calendar:
        """A calendar working 24 hours a day, 7 days a week."""
        return cls(tz)

    def __repr__(self) -> str:
        return f"Calendar({self.tz.key!r}, week={self.week!r}, holidays={len(self.holidays)})"

    def hours_on(self, day: date) -> Hours:
        """The working intervals of a local date, as offsets from its midnight."""
        if day in self.holidays:
            return ()
        return self.special_days.get(day, self.week[day.weekday()])

    def intervals_on(self, day: date) -> tuple[Interval, ...]:
        """The working intervals of a local date as real moments ``[start, end)`` in UTC."""
        if (intervals := self._days.get(day)) is None:
            if len(self._days) >= CACHED_DAYS:
                self._days.clear()
            intervals = self._days[day] = self._real_intervals(day)
        return intervals

    def is_working(self, moment: datetime) -> bool:
        """Whether ``moment`` falls inside a working interval (start included, end not)."""
        instant = _utc(moment, "moment")
        return any(start <= instant < end for start, end in self._intervals(instant, instant))

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Elapsed real time inside working intervals between two moments (0 if end ≤ start)."""
        begin, finish = _utc(start, "start"), _utc(end, "end")
        if finish <= begin:
            return ZERO
        overlaps = (min(e, finish) - max(s, begin) for s, e in self._intervals(begin, finish))
        return sum((o for o in overlaps if o > ZERO), ZERO)

    def add_business_time(self, start: datetime, duration: timedelta) -> datetime:
        """The moment ``duration`` of business time after ``start``, in the calendar's zone.

        Outside working time, counting begins at the next working moment; a duration of 0
        gives ``start`` itself. A duration ending with an interval gives the interval's end
        (Friday 17:00, not Monday 09:00).
        """
        instant = _utc(start, "start")
        if duration < ZERO:
            raise ValueError(f"The duration cannot be negative: {duration}")
        left = duration
        if left > ZERO:
            for interval_start, interval_end in self._intervals_after(instant):
                begin = max(interval_start, instant)
                if begin + left <= interval_end:
                    return (begin + left).astimezone(self.tz)
                left -= interval_end - begin
        return instant.astimezone(self.tz)

    def _intervals(self, begin: datetime, finish: datetime) -> Iterator[Interval]:
        """Every working interval of the local dates around ``begin`` … ``finish``."""
        # A day's intervals lie between its midnight and the next; a day either side covers
        # zones whose midnight itself moves.
        day, last = self._local_date(begin) - ONE_DAY, self._local_date(finish) + ONE_DAY
        while day <= last:
            yield from self.intervals_on(day)
            day += ONE_DAY

    def _intervals_after(self, instant: datetime) -> Iterator[Interval]:
        """The working intervals ending after ``instant``, in time order, without end."""
        day = self._local_date(instant) - ONE_DAY
        last_special = max(self.special_days, default=day)
        while True:
            yield from (i for i in self.intervals_on(day) if i[1] > instant)
            if day >= last_special and not any(self.week):
                raise ValueError("The calendar has no working time left: no deadline would come.")
            day += ONE_DAY

    def _real_intervals(self, day: date) -> tuple[Interval, ...]:
        midnight = datetime.combine(day, time())
        spans = (
            (self._moment(midnight + s), self._moment(midnight + e)) for s, e in self.hours_on(day)
        )
        return tuple((start, end) for start, end in spans if start < end)

    def _local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.tz).date()

    def _moment(self, local: datetime) -> datetime:
        """The real moment (UTC) of a naive local reading; monotone in the reading."""
        instant = local.replace(tzinfo=self.tz).astimezone(UTC)  # fold=0: first occurrence
        if instant.astimezone(self.tz).replace(tzinfo=None) == local:
            return instant
        return self._end_of_gap(local)

    def _end_of_gap(self, local: datetime) -> datetime:
        """The moment clocks jumped over ``local``, a reading that never happened."""
        # Read with either offset, the reading falls on each side of the jump; halve the
        # distance in whole seconds (the zone database's resolution).
        readings = (local.replace(tzinfo=self.tz, fold=fold).astimezone(UTC) for fold in (0, 1))
        earlier, later = sorted(readings)
        low, high = math.floor(earlier.timestamp()), math.ceil(later.timestamp())
        offset_before = earlier.astimezone(self.tz).utcoffset()
        while high - low > 1:
            middle = (low + high) // 2
            moment = datetime.fromtimestamp(middle, UTC)
            if moment.astimezone(self.tz).utcoffset() == offset_before:
                low = middle
            else:
                high = middle
        return datetime.fromtimestamp(high, UTC)


@dataclass(frozen=True)
class Evaluation:
    """Where one target stands at ``now``.

    ``deadline``: when running, the moment the target is reached if the clock runs on; when
    paused, the same as if it resumed now; when met, the deadline it had when done; when
    breached, the deadline that was missed. Moments are in the calendar's zone.
    """

    state: TargetState
    target: timedelta
    used: timedelta
    remaining: timedelta
    deadline: datetime
    paused: bool
    done_at: datetime | None

    @property
    def fraction(self) -> float:
        """The share of the target used (1.0 for a target of 0)."""
        return _fraction(self.used, self.target)


def evaluate(
    calendar: Calendar,
    target: timedelta,
    *,
    started: datetime,
    events: Sequence[tuple[datetime, Clock]] = (),
    now: datetime,
    at_risk: float = 0.8,
) -> Evaluation:
    """Evaluate one target whose clock starts running at ``started``.

    ``events`` are the moments the clock changes (sorted here; same-moment events keep their
    order; events before ``started`` count as at ``started``, events after ``now`` are
    ignored): RUN resumes, PAUSE stops counting, DONE stops counting and marks the target
    met or breached; RUN after DONE (a reopened ticket) resumes, PAUSE after DONE leaves it
    reopened but paused. See the module's docstring for the boundary rules.
    """
    if target < ZERO:
        raise ValueError(f"The target cannot be negative: {target}")
    if not 0 <= at_risk <= 1:
        raise ValueError(f"at_risk is a share of the target, from 0 to 1: {at_risk}")
    begin, end = _utc(started, "started"), _utc(now, "now")
    run = _Run(calendar, target, since=begin)
    for moment, clock in _timeline(begin, end, events):
        run.change(moment, clock)
    run.count_until(max(begin, end))
    return run.evaluation(max(begin, end), at_risk)


def events_from_statuses(
    history: Sequence[tuple[datetime, str]], *, pause: Collection[str], done: Collection[str]
) -> list[tuple[datetime, Clock]]:
    """Clock events from a status history ``[(moment, status entered)]``.

    A status in ``pause`` pauses the clock, one in ``done`` marks the target done, any other
    runs it; consecutive entries with the same effect collapse into the first.
    """
    if both := set(pause) & set(done):
        raise ValueError(f"A status cannot both pause and finish the clock: {sorted(both)}")
    events: list[tuple[datetime, Clock]] = []
    for moment, status in sorted(history, key=lambda entry: entry[0]):
        clock = Clock.PAUSE if status in pause else Clock.DONE if status in done else Clock.RUN
        if not events or events[-1][1] != clock:
            events.append((moment, clock))
    return events


@dataclass
class _Run:
    """The clock as it replays events: what it counted, its state, and whether it broke."""

    calendar: Calendar
    target: timedelta
    since: datetime
    state: Clock = Clock.RUN
    used: timedelta = ZERO
    breached_at: datetime | None = None
    done_at: datetime | None = None

    def change(self, moment: datetime, clock: Clock) -> None:
        self.count_until(moment)
        if clock == Clock.DONE and self.state != Clock.DONE:
            self.done_at = moment
        elif clock != Clock.DONE:
            self.done_at = None
        self.state = clock

    def count_until(self, moment: datetime) -> None:
        """Count the business time since the last change, noting a breach on the way."""
        if self.state == Clock.RUN:
            counted = self.calendar.business_time_between(self.since, moment)
            left = self.target - self.used  # never negative before a breach
            if self.breached_at is None and counted >= left:
                deadline = self.calendar.add_business_time(self.since, left)
                if moment > deadline:  # ran past it; reaching it exactly is still in time
                    self.breached_at = deadline
            self.used += counted
        self.since = moment

    def evaluation(self, now: datetime, at_risk: float) -> Evaluation:
        remaining = max(self.target - self.used, ZERO)
        reference = self.done_at if self.done_at is not None else now
        return Evaluation(
            state=self._state(_fraction(self.used, self.target), at_risk),
            target=self.target,
            used=self.used,
            remaining=remaining,
            deadline=self.breached_at or self.calendar.add_business_time(reference, remaining),
            paused=self.state == Clock.PAUSE,
            done_at=self.done_at.astimezone(self.calendar.tz) if self.done_at else None,
        )

    def _state(self, fraction: float, at_risk: float) -> TargetState:
        if self.breached_at is not None:
            return TargetState.BREACHED
        if self.state == Clock.DONE:
            return TargetState.MET
        return TargetState.AT_RISK if fraction >= at_risk else TargetState.ON_TRACK


def _fraction(used: timedelta, target: timedelta) -> float:
    return used / target if target else 1.0


def _timeline(
    begin: datetime, end: datetime, events: Sequence[tuple[datetime, Clock]]
) -> list[tuple[datetime, Clock]]:
    """The events up to ``end`` in time order (stable), those before ``begin`` moved to it."""
    moments = sorted(((_utc(m, "event"), Clock(c)) for m, c in events), key=lambda e: e[0])
    return [(max(moment, begin), clock) for moment, clock in moments if moment <= end]


def _utc(moment: datetime, name: str) -> datetime:
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime: {moment!r}")
    return moment.astimezone(UTC)


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise ValueError(f"Unknown time zone: {tz!r}") from error


def _parse_week(week: Mapping[int, Iterable[tuple[time, time]]] | None) -> tuple[Hours, ...]:
    if week is None:
        return tuple(((ZERO, ONE_DAY),) for _ in WEEKDAYS)
    if unknown := [day for day in week if day not in WEEKDAYS]:
        raise ValueError(f"Weekdays go from 0 (Monday) to 6 (Sunday), not {unknown}")
    return tuple(_parse_hours(week.get(day, ()), f"weekday {day}") for day in WEEKDAYS)


def _parse_hours(intervals: Iterable[tuple[time, time]], where: str) -> Hours:
    """Offsets from midnight, sorted; touching intervals merge, overlapping ones are refused."""
    hours: list[tuple[timedelta, timedelta]] = []
    for start, end in sorted(_offsets(interval, where) for interval in intervals):
        if hours and start < hours[-1][1]:
            raise ValueError(f"Working intervals overlap on {where}")
        if hours and start == hours[-1][1]:
            hours[-1] = (hours[-1][0], end)
        else:
            hours.append((start, end))
    return tuple(hours)


def _offsets(interval: tuple[time, time], where: str) -> tuple[timedelta, timedelta]:
    start, end = interval
    if start.tzinfo is not None or end.tzinfo is not None:
        raise ValueError(f"Working hours are local times, without a time zone ({where})")
    begin = _since_midnight(start)
    finish = ONE_DAY if end in (time(0), time.max) else _since_midnight(end)
    if begin >= finish:
        raise ValueError(f"A working interval must start before it ends: {start}–{end} ({where})")
    return begin, finish


def _since_midnight(moment: time) -> timedelta:
    return datetime.combine(date.min, moment) - datetime.min


def _parse_dates(dates: Iterable[date]) -> list[date]:
    days = list(dates)
    if wrong := [d for d in days if isinstance(d, datetime) or not isinstance(d, date)]:
        raise ValueError(f"Holidays and special days are local dates, not {wrong[0]!r}")
    return days
