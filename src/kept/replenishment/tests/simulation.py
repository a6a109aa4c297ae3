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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kept.replenishment.history import Event, fill

RATE_PER_PERSON = 0.12


@dataclass(frozen=True)
class Household:
    people: int
    capacity: float
    true_rate: float
    events: list[Event]


def _capacities(people: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    nominal_days = rng.uniform(20, 40, people.size)
    return 5.0 * np.ceil(RATE_PER_PERSON * people * nominal_days / 5.0)


def simulate(count: int, days: int = 730, seed: int = 0) -> list[Household]:
    """``count`` households over ``days`` days (module docstring), seeded."""
    rng = np.random.default_rng(seed)
    people = rng.integers(1, 6, count)
    true_rate = RATE_PER_PERSON * people * rng.gamma(6.0, 1 / 6.0, count)
    capacity = _capacities(people, rng)
    habit = rng.uniform(0.05, 0.35, count)

    level = np.zeros(count)
    delivery_day = rng.integers(0, 20, count).astype(float)  # the first fill
    threshold = np.full(count, -1.0)
    empty_wait = np.zeros(count)
    week_factor = np.ones(count)
    fills: list[list[Event]] = [[] for _ in range(count)]

    for day in range(days):
        arriving = delivery_day == day
        for index in np.flatnonzero(arriving):
            fills[index].append(fill(day, capacity[index] - level[index]))
        level[arriving] = capacity[arriving]
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
        delivery_day[reorder] = day + rng.integers(1, 4, count)[reorder]

    return [
        Household(int(people[i]), float(capacity[i]), float(true_rate[i]), fills[i])
        for i in range(count)
    ]
