"""Known levels and consumption intervals of many subscriptions at once (SPEC 2.5).

Pure numpy, no Django. ``read_many`` is ``history.read_history`` applied to every
subscription of a product, for the nightly plan over 100 000 of them: the same rules (see
the ``history`` module docstring) and the same numbers, with array operations in place of a
loop over subscriptions and events. The events come in long format, one entry per event,
in any order; the walk becomes four passes:

1. sort by subscription, day, readings before fills, otherwise in the order given (a stable
   sort, so that of two readings on one day the later one given stands, as in ``history``);
2. one *group* per subscription, day and kind: a reading group keeps its last level, a
   fill group the total of its quantities (added in the order given), at most the capacity;
3. each group's known levels: a reading its own; a fill the level before it (unless read
   that day: then that reading is the level before it) and the level after it (with the
   subscription's unit of sale ``step``, as in ``history``);
4. an interval ends at each group's first known level and starts at the known level just
   before it, the previous group's last, when both are one subscription's; it is kept by the
   rules of ``history._intervals_between``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from numpy.typing import ArrayLike

from kept.replenishment.history import Exposure, FillPolicy


class EventCode(IntEnum):
    """The ``kind`` of an event in long format. Feedback is a reading (``history``)."""

    FILL = 0
    READING = 1
    FEEDBACK = 2


class FillPolicyCode(IntEnum):
    """The ``fill_policy`` of a subscription in long format."""

    TO_CAPACITY = 0
    FIXED_QUANTITY = 1

    @property
    def policy(self) -> FillPolicy:
        return FillPolicy(self.name.lower())


@dataclass(frozen=True)
class Many:
    """The intervals of ``count`` subscriptions, and each one's last known level: on
    ``last_day`` it held ``last_level`` (both NaN for a subscription without events)."""

    exposure: Exposure
    last_day: np.ndarray
    last_level: np.ndarray
    count: int


@dataclass(frozen=True)
class _Events:
    subscription: np.ndarray
    day: np.ndarray
    is_fill: np.ndarray
    amount: np.ndarray


def read_many(
    subscription: ArrayLike,
    day: ArrayLike,
    kind: ArrayLike,
    amount: ArrayLike,
    capacity: ArrayLike,
    fill_policy: ArrayLike,
    step: ArrayLike | None = None,
) -> Many:
    """Known levels and intervals of subscriptions ``0 … n − 1`` (module docstring).

    Event ``j`` is an ``EventCode`` ``kind[j]`` of subscription ``subscription[j]`` on
    ``day[j]``; ``amount[j]`` is the quantity filled, or the level read. ``capacity``,
    ``fill_policy`` (``FillPolicyCode``) and ``step`` are per subscription, ``n`` long.
    ``step`` is the unit of sale under fill to capacity, in the container's units (a 15 kg
    jar filled with 10 kg bags, in bags: capacity 1.5, step 1; see ``history``); ``None``
    is all zeros, filling to the brim. Equal to ``read_history`` per subscription (with
    its ``step``), stacked as by ``Exposure.of``.

    Raises ``ValueError`` naming the first subscription (lowest index) whose capacity is
    not positive, whose step is negative or not finite, or which has a non-finite day, or a
    fill or reading outside ``[0, capacity]``; and for malformed arrays or codes.
    """
    capacity, to_capacity, step = _subscriptions(capacity, fill_policy, step)
    groups = _grouped(_events(subscription, day, kind, amount, capacity, step), capacity)
    levels = _levels(groups, capacity, to_capacity, step)
    owner, count = groups.subscription, capacity.size
    is_last = np.ones(owner.size, dtype=bool)
    is_last[:-1] = owner[1:] != owner[:-1]
    last_day, last_level = np.full(count, np.nan), np.full(count, np.nan)
    last_day[owner[is_last]] = groups.day[is_last]
    last_level[owner[is_last]] = levels.last[is_last]
    return Many(_exposure(groups, levels, count), last_day, last_level, count)


def _subscriptions(
    capacity: ArrayLike, fill_policy: ArrayLike, step: ArrayLike | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    capacity = np.asarray(capacity, dtype=float)
    policy = np.asarray(fill_policy)
    step = np.zeros(capacity.shape) if step is None else np.asarray(step, dtype=float)
    if capacity.ndim != 1 or policy.shape != capacity.shape or step.shape != capacity.shape:
        raise ValueError("capacity, fill_policy and step must be 1-d arrays of one length")
    if not np.isin(policy, list(FillPolicyCode)).all():
        raise ValueError(f"fill_policy codes are {[int(code) for code in FillPolicyCode]}")
    return capacity, policy == FillPolicyCode.TO_CAPACITY, step


def _events(subscription, day, kind, amount, capacity: np.ndarray, step: np.ndarray) -> _Events:
    subscription, day, kind, amount = (
        np.asarray(values) for values in (subscription, day, kind, amount)
    )
    if subscription.ndim != 1 or {day.shape, kind.shape, amount.shape} != {subscription.shape}:
        raise ValueError("subscription, day, kind and amount must be 1-d arrays of one length")
    owner = subscription.astype(np.intp, copy=False)
    if np.any(owner != subscription) or np.any((owner < 0) | (owner >= capacity.size)):
        raise ValueError(f"subscription must be indices from 0 to {capacity.size - 1}")
    if not np.isin(kind, list(EventCode)).all():
        raise ValueError(f"kind codes are {[int(code) for code in EventCode]}")
    day, amount = day.astype(float, copy=False), amount.astype(float, copy=False)
    events = _Events(owner, day, kind == EventCode.FILL, amount)
    _check(events, capacity, step)
    return events


def _check(events: _Events, capacity: np.ndarray, step: np.ndarray) -> None:
    """``history``'s checks, naming the lowest subscription index that fails one."""
    bad_capacity = ~(np.isfinite(capacity) & (capacity > 0))
    bad_step = ~(np.isfinite(step) & (step >= 0))
    bad_day = ~np.isfinite(events.day)
    limit = capacity[events.subscription]
    bad_amount = ~((events.amount >= 0) & (events.amount <= limit))
    bad_event = bad_day | bad_amount
    failing = np.concatenate(
        [np.flatnonzero(bad_capacity | bad_step), events.subscription[bad_event]]
    )
    if failing.size == 0:
        return
    first = int(failing.min())
    if bad_capacity[first]:
        message = f"capacity must be a positive number, not {capacity[first]}"
    elif bad_step[first]:
        message = f"step must be a non-negative number, not {step[first]}"
    else:
        j = np.flatnonzero(bad_event & (events.subscription == first))[0]
        what = "fill" if events.is_fill[j] else "reading"
        if bad_day[j]:
            message = f"event day must be finite, not {events.day[j]}"
        else:
            message = f"a {what} of {events.amount[j]} does not fit a capacity of {limit[j]}"
    raise ValueError(f"subscription {first}: {message}")


def _grouped(events: _Events, capacity: np.ndarray) -> _Events:
    """One entry per subscription, day and kind, in walk order (passes 1 and 2)."""
    order = np.lexsort((events.is_fill, events.day, events.subscription))
    owner, day = events.subscription[order], events.day[order]
    is_fill, amount = events.is_fill[order], events.amount[order]
    del order
    starts = np.ones(owner.size, dtype=bool)
    starts[1:] = (owner[1:] != owner[:-1]) | (day[1:] != day[:-1]) | (is_fill[1:] != is_fill[:-1])
    first = np.flatnonzero(starts)
    del starts
    # reduceat adds each group left to right, as history sums a day's fills
    total = np.add.reduceat(amount, first)
    # the few groups of several events: a reading group keeps its last, a fill group its
    # total up to the capacity (a single event already fits)
    several = np.flatnonzero(np.diff(first, append=owner.size) > 1)
    last = np.append(first[1:], owner.size)[several] - 1
    group_is_fill, group_owner = is_fill[first], owner[first]
    total[several] = np.where(
        group_is_fill[several],
        np.minimum(total[several], capacity[group_owner[several]]),
        amount[last],
    )
    return _Events(group_owner, day[first], group_is_fill, total)


@dataclass(frozen=True)
class _Levels:
    """Each group's first known level (a reading, or the level before a fill) and its last
    (the reading, or the level after the fill). For a fill read that day the level before
    it is that reading, the group before: no known level of its own, and zero days from
    the reading it could end no interval."""

    first: np.ndarray
    first_empty: np.ndarray
    last: np.ndarray


def _levels(
    groups: _Events, capacity: np.ndarray, to_capacity: np.ndarray, step: np.ndarray
) -> _Levels:
    """Pass 3 (``history._known_levels``)."""
    owner, day, is_fill, amount = groups.subscription, groups.day, groups.is_fill, groups.amount
    full, by_capacity, unit = capacity[owner], to_capacity[owner], step[owner]
    # the group before a fill on the same day of the same subscription is that day's reading
    read_today = np.zeros(owner.size, dtype=bool)
    read_today[1:] = is_fill[1:] & (owner[1:] == owner[:-1]) & (day[1:] == day[:-1])
    # filled to capacity: to the brim, or half a unit below it (history._after_fill)
    filled = np.where(unit > 0, np.maximum(full - unit / 2, amount), full)
    before = np.where(by_capacity, filled - amount, 0.0)
    read = np.flatnonzero(read_today)
    before[read] = amount[read - 1]
    # the units delivered into what was read; without a unit of sale, to the brim
    topped = np.minimum(full, before + amount)
    filled = np.where((unit > 0) & read_today, topped, filled)
    after = np.where(by_capacity, filled, topped)
    del full, unit, filled, topped
    # an empty assumed before a fixed quantity is not an observed one (history)
    first_empty = np.where(is_fill, by_capacity & (before <= 0), amount <= 0)
    first = np.where(is_fill, before, amount)
    return _Levels(first, first_empty, np.where(is_fill, after, amount))


def _exposure(groups: _Events, levels: _Levels, count: int) -> Exposure:
    """Pass 4 (``history._intervals_between``): an interval ends at each group's first known
    level and starts at the known level just before it, the previous group's last."""
    start, end = slice(None, -1), slice(1, None)
    owner = groups.subscription
    days = groups.day[end] - groups.day[start]
    units = levels.last[start] - levels.first[end]
    kept = owner[end] == owner[start]
    kept &= days > 0
    kept &= levels.last[start] > 0
    kept &= units >= 0
    index = np.flatnonzero(kept)
    return Exposure(
        subscription=owner[end][index],
        units=units[index],
        days=days[index],
        censored=levels.first_empty[end][index],
        count=count,
    )
