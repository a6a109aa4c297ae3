"""Simulated households for the replenishment tests: seeded, noisy, and not on schedule.

Each household serves ``people`` (1–5) and consumes a staple at a true rate
``λ = 0.12 kg/person/day × people × z``, ``z ~ Gamma(6, 1/6)`` (households differ by about
±40 %). Use is noisy: each week has a multiplier ``exp(N(0, 0.35²) − 0.35²/2)`` (guests,
holidays, cooking habits) and each day a ``Gamma(4, 1/4)`` factor. The container holds
20–40 days of *nominal* use, rounded up to 5 kg.

Customers reorder at irregular levels: a habit ``h ~ U(0.05, 0.35)`` of the capacity, moved
by ``N(0, 0.07)`` each time; one cycle in ten they forget, run out and wait 0–5 days more.
Delivery comes 1–3 days after the order and fills to capacity (the quantity is what was
missing); if the container emptied meanwhile, they wait empty. The first fill is into an
empty container within the first 20 days.

Optionally (``whole_units``) households buy whole bags, as in the demo: the bag is the
biggest of 2.5, 5 and 10 kg of which the container holds two (``unit``); a household orders
the whole bags that fit at the level it orders at (waiting, past its habit, until one fits),
and the container holds what it had left on delivery plus those bags, short of the brim by
the remainder and what was used during the lead. Off by default: the fills then stay those
above, draw for draw. Either way ``level_after`` keeps the true level right after each fill,
which the events do not tell.

Optionally some households also report their level: each day, with chance
``reading_chance``, a reading at the start of the day (before that day's delivery); at a
delivery, with chance ``feedback_chance``, the visit's "still had X". Both are exact to
0.1 unit and drawn from a separate random source, so that the fills stay the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from kept.replenishment.history import Event, EventKind
from kept.replenishment.many import EventCode

RATE_PER_PERSON = 0.12


@dataclass(frozen=True)
class Household:
    """One household; ``fill_levels``: the true level right after each fill, in time order;
    ``unit``: the bag it buys in whole, 0 when it fills to the brim."""

    people: int
    capacity: float
    true_rate: float
    events: list[Event]
    fill_levels: list[float] = field(default_factory=list)
    unit: float = 0.0


@dataclass(frozen=True)
class Simulated:
    """Households in long format, as ``many.read_many`` takes them: event ``j`` is an
    ``EventCode`` ``kind[j]`` of household ``subscription[j]`` on ``day[j]``, of ``amount[j]``
    (quantity filled or level read), in time order; ``level_after[j]`` the true level right
    after a fill (NaN for a reading). ``unit``: each household's bag, 0 without whole units."""

    people: np.ndarray
    capacity: np.ndarray
    true_rate: np.ndarray
    subscription: np.ndarray
    day: np.ndarray
    kind: np.ndarray
    amount: np.ndarray
    level_after: np.ndarray
    unit: np.ndarray

    def events(self) -> list[list[Event]]:
        """Each household's events, in the order given."""
        order = np.argsort(self.subscription, kind="stable")
        kinds = np.where(self.kind[order] == EventCode.FILL, EventKind.FILL, EventKind.READING)
        found = list(
            map(Event, self.day[order].tolist(), kinds.tolist(), self.amount[order].tolist())
        )
        return self._split(found, self.subscription)

    def fill_levels(self) -> list[list[float]]:
        """Each household's true levels right after its fills, in time order."""
        fills = np.flatnonzero(self.kind == EventCode.FILL)
        order = fills[np.argsort(self.subscription[fills], kind="stable")]
        return self._split(self.level_after[order].tolist(), self.subscription[order])

    def _split(self, values: list, owner: np.ndarray) -> list[list]:
        sizes = np.bincount(owner, minlength=self.people.size)
        ends = np.cumsum(sizes)
        return [values[end - size : end] for size, end in zip(sizes, ends, strict=True)]


def _capacities(people: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    nominal_days = rng.uniform(20, 40, people.size)
    return 5.0 * np.ceil(RATE_PER_PERSON * people * nominal_days / 5.0)


def _bags(capacity: np.ndarray) -> np.ndarray:
    """The biggest of 2.5, 5 and 10 kg bags of which the container holds two."""
    return np.select([capacity >= 20, capacity >= 10], [10.0, 5.0], 2.5)


class _Log:
    """The events of all households, one batch per day and kind."""

    def __init__(self) -> None:
        self.batches: list[tuple[np.ndarray, float, EventCode, np.ndarray, np.ndarray]] = []

    def add(
        self,
        who: np.ndarray,
        day: float,
        kind: EventCode,
        amount: np.ndarray,
        after: np.ndarray | None = None,
    ) -> None:
        if who.size:
            after = np.full(who.size, np.nan) if after is None else after
            self.batches.append((who, day, kind, amount, after))

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        if not self.batches:
            return np.zeros(0, int), np.zeros(0), np.zeros(0, np.int8), np.zeros(0), np.zeros(0)
        who, day, kind, amount, after = zip(*self.batches, strict=True)
        sizes = [batch.size for batch in who]
        return (
            np.concatenate(who),
            np.repeat(np.asarray(day, dtype=float), sizes),
            np.repeat(np.asarray(kind, dtype=np.int8), sizes),
            np.concatenate(amount),
            np.concatenate(after),
        )


def simulate_events(
    count: int,
    days: int = 730,
    seed: int = 0,
    *,
    reading_chance: float = 0.0,
    feedback_chance: float = 0.0,
    whole_units: bool = False,
) -> Simulated:
    """``count`` households over ``days`` days (module docstring), seeded, long format;
    with ``whole_units`` they buy the whole bags that fit."""
    rng = np.random.default_rng(seed)
    observer = np.random.default_rng([seed, 1])  # readings, apart from the fills
    people = rng.integers(1, 6, count)
    true_rate = RATE_PER_PERSON * people * rng.gamma(6.0, 1 / 6.0, count)
    capacity = _capacities(people, rng)
    habit = rng.uniform(0.05, 0.35, count)
    unit = _bags(capacity) if whole_units else np.zeros(count)
    # the bags' weight on order; the first fill is into an empty container
    ordered = np.floor(capacity / np.where(unit > 0, unit, 1.0)) * unit

    level = np.zeros(count)
    delivery_day = rng.integers(0, 20, count).astype(float)  # the first fill
    threshold = np.full(count, -1.0)
    empty_wait = np.zeros(count)
    week_factor = np.ones(count)
    log = _Log()

    for day in range(days):
        if reading_chance > 0:
            read = np.flatnonzero(observer.random(count) < reading_chance)
            log.add(read, day, EventCode.READING, np.round(level[read], 1))
        arriving = delivery_day == day
        who = np.flatnonzero(arriving)
        if feedback_chance > 0:
            told = who[observer.random(who.size) < feedback_chance]
            log.add(told, day, EventCode.FEEDBACK, np.round(level[told], 1))
        bags = unit[who] > 0
        quantity = np.where(bags, ordered[who], capacity[who] - level[who])
        level[who] = np.where(bags, np.minimum(capacity[who], level[who] + quantity), capacity[who])
        log.add(who, day, EventCode.FILL, quantity, level[who].copy())
        delivery_day[arriving] = np.inf
        forgets = rng.random(count) < 0.1
        new_threshold = capacity * np.clip(habit + rng.normal(0, 0.07, count), 0.0, 0.6)
        threshold[arriving] = np.where(forgets, -1.0, new_threshold)[arriving]
        empty_wait[arriving] = rng.integers(0, 6, count)[arriving]

        if day % 7 == 0:
            week_factor = np.exp(rng.normal(0, 0.35, count) - 0.35**2 / 2)
        use = true_rate * week_factor * rng.gamma(4.0, 0.25, count)
        level = np.maximum(level - use, 0.0)

        waiting_empty = (level <= 0) & (threshold < 0) & np.isinf(delivery_day)
        empty_wait[waiting_empty] -= 1
        reorder = np.isinf(delivery_day) & (
            ((threshold >= 0) & (level <= threshold)) | (waiting_empty & (empty_wait < 0))
        )
        if whole_units:  # once a bag fits; the whole bags that fit
            reorder &= capacity - level >= unit
            ordered[reorder] = unit[reorder] * np.floor((capacity - level)[reorder] / unit[reorder])
        delivery_day[reorder] = day + rng.integers(1, 4, count)[reorder]

    return Simulated(people, capacity, true_rate, *log.arrays(), unit)


def simulate(count: int, days: int = 730, seed: int = 0, **options: float) -> list[Household]:
    """``count`` households over ``days`` days (module docstring), seeded; ``options``:
    ``reading_chance``, ``feedback_chance`` and ``whole_units`` of ``simulate_events``
    (default none)."""
    found = simulate_events(count, days, seed, **options)
    return [
        Household(int(people), float(capacity), float(rate), events, levels, float(unit))
        for people, capacity, rate, events, levels, unit in zip(
            found.people,
            found.capacity,
            found.true_rate,
            found.events(),
            found.fill_levels(),
            found.unit,
            strict=True,
        )
    ]
