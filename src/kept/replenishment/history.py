"""Consumption intervals from a subscription's history (SPEC 2.5).

Pure Python/numpy, no Django. Time is in days (float day numbers such as
``date.toordinal()``), quantities in the product's units (kg, litres, pieces).

A subscription's events are fills (delivery day, quantity delivered), level readings
(day, level) and visit feedback "still had X" (day, X). Feedback *is* a reading: the level
that day, before any fill that day.

The walk turns events into **known levels**, points ``(day, level)`` in time order:

* a reading gives its level;
* a fill gives two points on its day, the level before it and the level after it:

  - fill to capacity: ``after = capacity``; ``before`` = a reading that day if there is
    one, else ``capacity − quantity`` (what the fill topped up). With a **unit of sale**
    ``step > 0`` (below) ``after = max(capacity − step/2, quantity)`` and
    ``before = after − quantity``; with a reading that day ``before`` is the reading and
    ``after = min(capacity, reading + quantity)``;
  - fixed quantity: ``before`` = a reading that day, else ``0`` (assumed: the customer
    reorders when empty, which dates the next run-out no later than it truly is);
    ``after = min(capacity, before + quantity)``.

Between two consecutive known levels ``a → b`` with no fill between them the customer used
``a.level − b.level`` units in ``b.day − a.day`` days: one **interval**. Under fill to
capacity without readings this is the next fill's quantity,
``capacity − (capacity − q) = q``; a reading between two fills splits the interval in two,
and feedback at a fill replaces the level inferred from its quantity.

**Unit of sale.** Under fill to capacity the customer may only buy whole units (bags):
``step`` is the size of one, in the container's units; ``0`` (the default) means any
quantity, so the fill tops the container up to the brim. Example: a 15 kg jar filled with
10 kg bags, counted in bags, is ``capacity = 1.5`` and ``step = 1``; with 0.3 bag left the
household buys 1 bag and the jar holds 1.3 after the fill, not 1.5. Buying the whole units
that fit leaves the jar short of the brim by the remainder ``(capacity − before) mod step``,
somewhere between 0 and one unit; not knowing where, the walk takes it spread evenly over one
unit, half a unit on average: ``after = capacity − step/2``, and never less than the fill
itself (the jar held at least what was delivered). The level before it is
``after − quantity``; at or below zero the container was empty (a run-out, as below), so a
fill within half a unit of the capacity says the customer ran out (in a container of at most
one and a half units, such as that jar, every fill of one unit does). Consumption between two
fills is still (about) the next fill's quantity; what changes is the level the next run-out
is predicted from, and which fills say the container was empty. Under a fixed quantity
``step`` is not used.

Rules, each for a reason:

* Same day: readings first, then fills (a visit's "still had X" is taken before the
  refill); several fills on one day are one fill of their total.
* Two readings on one day: the later one stands (a correction). Any other interval of zero
  days would say nothing about a rate: skipped, the later point anchors.
* A level that rises without a fill (an unrecorded delivery, a misreading) gives no
  interval; the later point anchors.
* An interval starting from an empty container is skipped: nothing could be used, so
  days spent empty are not exposure.
* **Run-out.** An interval ending at level 0 — read, or inferred from a fill of the whole
  capacity (or within half a unit of it, with a unit of sale) — is *censored*: the customer
  used ``a.level`` units in *at most* ``b.day − a.day`` days; when exactly they ran out is
  unknown. It is kept with its full span and flagged; ``Exposure.totals`` counts its units
  but only the days up to the run-out implied by a rate estimate (see there), never the
  days after it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum

import numpy as np


class EventKind(StrEnum):
    READING = "reading"
    FILL = "fill"


class FillPolicy(StrEnum):
    TO_CAPACITY = "to_capacity"
    FIXED_QUANTITY = "fixed_quantity"


class LevelKind(IntEnum):
    READING = 0
    BEFORE_FILL = 1
    AFTER_FILL = 2


@dataclass(frozen=True)
class Event:
    """One observation: a fill of ``quantity`` units, or a reading of ``quantity`` left."""

    day: float
    kind: EventKind
    quantity: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", EventKind(self.kind))
        object.__setattr__(self, "day", float(self.day))
        object.__setattr__(self, "quantity", float(self.quantity))


def fill(day: float, quantity: float) -> Event:
    """A delivery of ``quantity`` units on ``day``."""
    return Event(day, EventKind.FILL, quantity)


def reading(day: float, level: float) -> Event:
    """A level reading: ``level`` units left on ``day``."""
    return Event(day, EventKind.READING, level)


def feedback(day: float, still_had: float) -> Event:
    """Visit feedback "still had X": a reading of X on the visit day, before any fill."""
    return reading(day, still_had)


@dataclass(frozen=True)
class Intervals:
    """Consumption intervals, one entry each: ``units`` used from ``start_day`` to
    ``end_day``; ``censored`` when it ended empty (run-out, see the module docstring);
    ``end_point`` is the index of its closing point in the history's known levels."""

    start_day: np.ndarray
    end_day: np.ndarray
    units: np.ndarray
    censored: np.ndarray
    end_point: np.ndarray

    @property
    def days(self) -> np.ndarray:
        return self.end_day - self.start_day

    def __len__(self) -> int:
        return int(self.units.size)


@dataclass(frozen=True)
class History:
    """A subscription's known levels (``day``, ``level``, ``kind``: a ``LevelKind``;
    ``empty`` when level 0 was observed or inferred) and the intervals between them."""

    day: np.ndarray
    level: np.ndarray
    kind: np.ndarray
    empty: np.ndarray
    intervals: Intervals

    @property
    def last_day(self) -> float | None:
        return float(self.day[-1]) if self.day.size else None

    @property
    def last_level(self) -> float | None:
        return float(self.level[-1]) if self.level.size else None

    @property
    def fill_points(self) -> np.ndarray:
        """Indices of the known levels just after each fill."""
        return np.flatnonzero(self.kind == LevelKind.AFTER_FILL)


def _check_capacity(capacity: float) -> float:
    capacity = float(capacity)
    if not math.isfinite(capacity) or capacity <= 0:
        raise ValueError(f"capacity must be a positive number, not {capacity}")
    return capacity


def _check_step(step: float) -> float:
    step = float(step)
    if not math.isfinite(step) or step < 0:
        raise ValueError(f"step must be a non-negative number, not {step}")
    return step


def _check_event(event: Event, capacity: float) -> None:
    if not math.isfinite(event.day):
        raise ValueError(f"event day must be finite, not {event.day}")
    if not 0 <= event.quantity <= capacity:
        raise ValueError(
            f"a {event.kind} of {event.quantity} does not fit a capacity of {capacity}"
        )


def _ordered(events: Iterable[Event], capacity: float) -> list[Event]:
    """Readings first within a day, then one fill per day holding that day's total."""
    readings: list[Event] = []
    fills: dict[float, float] = {}
    for event in events:
        _check_event(event, capacity)
        if event.kind is EventKind.FILL:
            fills[event.day] = fills.get(event.day, 0.0) + event.quantity
        else:
            readings.append(event)
    merged = [fill(day, min(quantity, capacity)) for day, quantity in fills.items()]
    return sorted(readings + merged, key=lambda e: (e.day, e.kind is EventKind.FILL))


def _after_fill(capacity: float, quantity: float, step: float) -> float:
    """The level inferred right after a fill to capacity (module docstring, unit of sale)."""
    return max(capacity - step / 2, quantity) if step > 0 else capacity


def _known_levels(
    events: list[Event], capacity: float, policy: FillPolicy, step: float = 0.0
) -> list[tuple[float, float, LevelKind, bool]]:
    points: list[tuple[float, float, LevelKind, bool]] = []
    for event in events:
        read_today = bool(points) and points[-1][0] == event.day
        read_today = read_today and points[-1][2] is LevelKind.READING
        if event.kind is EventKind.READING:
            if read_today:  # a second reading the same day corrects the first
                points.pop()
            points.append((event.day, event.quantity, LevelKind.READING, event.quantity <= 0))
            continue
        if read_today:
            before = points[-1][1]
        elif policy is FillPolicy.TO_CAPACITY:
            before = _after_fill(capacity, event.quantity, step) - event.quantity
            points.append((event.day, before, LevelKind.BEFORE_FILL, before <= 0))
        else:
            before = 0.0  # assumed, not observed: no run-out is recorded
            points.append((event.day, before, LevelKind.BEFORE_FILL, False))
        if policy is FillPolicy.TO_CAPACITY:
            if read_today and step > 0:  # the units delivered into what was read
                after = min(capacity, before + event.quantity)
            else:
                after = _after_fill(capacity, event.quantity, step)
        else:
            after = min(capacity, before + event.quantity)
        points.append((event.day, after, LevelKind.AFTER_FILL, after <= 0))
    return points


def _intervals_between(
    day: np.ndarray, level: np.ndarray, kind: np.ndarray, empty: np.ndarray
) -> Intervals:
    start, end = slice(None, -1), slice(1, None)
    days = day[end] - day[start]
    units = level[start] - level[end]
    kept = (kind[end] != LevelKind.AFTER_FILL) & (days > 0) & (level[start] > 0) & (units >= 0)
    index = np.flatnonzero(kept)
    return Intervals(
        start_day=day[start][index],
        end_day=day[end][index],
        units=units[index],
        censored=empty[end][index],
        end_point=index + 1,
    )


def read_history(
    events: Iterable[Event],
    capacity: float,
    fill_policy: FillPolicy = FillPolicy.TO_CAPACITY,
    step: float = 0.0,
) -> History:
    """Known levels and consumption intervals of one subscription (module docstring).

    ``step`` is the unit of sale under fill to capacity, in the container's units (a 15 kg
    jar filled with 10 kg bags, in bags: ``capacity=1.5, step=1``); ``0``, the default,
    fills to the brim.

    Raises ``ValueError`` for a capacity that is not positive, a negative or non-finite
    step, a non-finite day, or a fill or reading outside ``[0, capacity]``.
    """
    capacity, step = _check_capacity(capacity), _check_step(step)
    policy = FillPolicy(fill_policy)
    points = _known_levels(_ordered(events, capacity), capacity, policy, step)
    day = np.array([p[0] for p in points], dtype=float)
    level = np.array([p[1] for p in points], dtype=float)
    kind = np.array([p[2] for p in points], dtype=np.int8)
    empty = np.array([p[3] for p in points], dtype=bool)
    return History(day, level, kind, empty, _intervals_between(day, level, kind, empty))


def intervals(
    events: Iterable[Event],
    capacity: float,
    fill_policy: FillPolicy = FillPolicy.TO_CAPACITY,
    step: float = 0.0,
) -> Intervals:
    """Units used and days of exposure per interval, censored ones flagged (module docstring;
    ``step`` as in ``read_history``)."""
    return read_history(events, capacity, fill_policy, step).intervals


@dataclass(frozen=True)
class Exposure:
    """Intervals of many subscriptions in long format: ``subscription[j]`` is the index
    (``0 … count − 1``) of the subscription interval ``j`` belongs to."""

    subscription: np.ndarray
    units: np.ndarray
    days: np.ndarray
    censored: np.ndarray
    count: int

    @classmethod
    def of(cls, per_subscription: Sequence[Intervals]) -> Exposure:
        """Stack the intervals of each subscription, in order."""
        sizes = [len(found) for found in per_subscription]
        if not per_subscription:
            return cls(np.zeros(0, int), np.zeros(0), np.zeros(0), np.zeros(0, bool), 0)
        return cls(
            subscription=np.repeat(np.arange(len(sizes)), sizes),
            units=np.concatenate([found.units for found in per_subscription]),
            days=np.concatenate([found.days for found in per_subscription]),
            censored=np.concatenate([found.censored for found in per_subscription]),
            count=len(sizes),
        )

    def totals(self, censored_rate: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``(Σ units, Σ days)`` per subscription.

        Without ``censored_rate`` only uncensored intervals count. With it (a daily rate
        per subscription), a run-out interval of ``u`` units over at most ``Δ`` days also
        counts, with its days cut at the run-out that rate implies::

            days = min(Δ, u / rate)

        If the rate says the customer ran out before the observation, the time spent empty
        is left out; if the rate is slower than ``u / Δ``, the whole span counts, which
        raises the estimate toward the observed lower bound ``u / Δ``.
        """
        days = np.where(self.censored, 0.0, self.days)
        units = np.where(self.censored, 0.0, self.units)
        if censored_rate is not None:
            rate = np.asarray(censored_rate, dtype=float)[self.subscription]
            with np.errstate(divide="ignore", invalid="ignore"):
                until_runout = np.minimum(self.days, self.units / rate)
            days = np.where(self.censored, until_runout, days)
            units = self.units
        return (
            np.bincount(self.subscription, weights=units, minlength=self.count),
            np.bincount(self.subscription, weights=days, minlength=self.count),
        )
