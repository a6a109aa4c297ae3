"""The households' rice jars: how a family eats from its jar and when it orders more, and
the jars we fill as replenishment subscriptions (SPEC 2.5: "the merchant measured each
family's rice jar, noted how many people ate from it and knocked on the door just before it
ran empty").

**Use.** A family eats ``daily`` kg a day on average (the "每月约 N kg" of its notes, over
30 days), not steadily: each week's use is that times a factor, lognormal with a spread of
about ±20 % (guests, meals out, noodles instead of rice), with a week mostly away now and
then, and around Chinese New Year either away or feeding the whole family. The level goes
down day by day and stops at empty.

**Orders.** The family orders when the level falls to its own habitual level (a share of
the jar, or enough for the longest wait until its delivery day, a little different each
time), and asks for the whole bags that fit in the jar then (at least one: the habit never
waits for less room than a bag). The bags arrive on the delivery day asked for and go into
the jar on top of what is left, as much as fits. About one time in ten the jar runs empty
first: now and then the family only notices the empty jar and orders a few days later, and
sometimes the delivery day comes too late.

With whole bags the jar is seldom full after a delivery: on the demo it is about two thirds
of a bag short of its capacity on average.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from kept.demo.context import DemoContext
from kept.replenishment.choices import Window
from kept.replenishment.models import Subscription

if TYPE_CHECKING:
    from kept.demo.habits import Buyer

WINDOWS = [Window.ANY, Window.MORNING, Window.AFTERNOON, Window.EVENING]
WEEKLY_SPREAD = 0.2  # σ of the log of a week's use
AWAY_WEEKS = 0.03  # a week mostly away (a trip, a stay in hospital): little is cooked
AWAY_FACTOR = 0.25
NEW_YEAR_AWAY = 0.35  # the New Year's week back in the home town, else the family comes
NEW_YEAR_FEAST = 1.4
FORGETS = 0.05  # a cycle in which the family only notices the empty jar
EMPTY_WAIT_DAYS = (1, 5)
HABIT_SHARE = (0.1, 0.35)  # the level a family reorders at, as a share of its jar
HABIT_WOBBLE = 0.05  # … moved by this share of the jar each time (σ)


def bag_kg(jar_kg: float, sizes: Sequence[int]) -> int:
    """The biggest bag of which the jar holds two; else the smallest there is."""
    fitting = [size for size in sizes if 2 * size <= jar_kg]
    return max(fitting) if fitting else min(sizes)


@dataclass
class Jar:
    """One family's rice jar (module docstring). Time is a day number with its fraction
    (``date.toordinal()`` + share of the day); the level is known at ``time``."""

    capacity: float  # kg
    bag: float  # kg
    daily: float  # kg a day, on average
    rng: random.Random
    holidays: Sequence[date] = ()
    level: float = 0.0
    time: float = 0.0
    ran_out: bool = False  # did the last cycle end empty before the delivery came?
    _weeks: dict[int, float] = field(default_factory=dict)

    def start(self, day: date, level: float) -> None:
        self.time, self.level = float(day.toordinal()), min(max(level, 0.0), self.capacity)

    def _rate(self, week: int) -> float:
        """kg a day in the week ``week`` (day numbers ``7·week … 7·week + 6``)."""
        if week not in self._weeks:
            factor = self.rng.lognormvariate(-(WEEKLY_SPREAD**2) / 2, WEEKLY_SPREAD)
            if any(7 * week <= holiday.toordinal() < 7 * week + 7 for holiday in self.holidays):
                factor *= AWAY_FACTOR if self.rng.random() < NEW_YEAR_AWAY else NEW_YEAR_FEAST
            elif self.rng.random() < AWAY_WEEKS:
                factor *= AWAY_FACTOR
            self._weeks[week] = self.daily * factor
        return self._weeks[week]

    def when_down_to(self, level: float) -> float:
        """The moment the level falls to ``level`` (now if it is there already)."""
        time, left = self.time, self.level
        while left > level:
            week = math.floor(time / 7)
            end, rate = 7.0 * (week + 1), self._rate(week)
            if left - rate * (end - time) <= level:
                return time + (left - level) / rate
            left -= rate * (end - time)
            time = end
        return time

    def level_on(self, moment: float) -> float:
        """The level at ``moment`` (no earlier than ``time``), eating on without a refill."""
        time, left = self.time, self.level
        while time < moment and left > 0:
            week = math.floor(time / 7)
            end = min(7.0 * (week + 1), moment)
            left = max(0.0, left - self._rate(week) * (end - time))
            time = end
        return left

    def habit_level(self, habit: float, wait_days: float, stockpiles: bool) -> float:
        """This cycle's reorder level: the family's share of the jar, or enough for the wait
        until its delivery day if that is more, moved a little; never so high that a bag
        (two for a family that stockpiles, when the jar holds three) would not fit."""
        level = max(habit * self.capacity, self.daily * wait_days)
        level += self.rng.gauss(0.0, HABIT_WOBBLE * self.capacity)
        bags = 2 if stockpiles and self.capacity >= 3 * self.bag else 1
        return min(max(level, 0.02 * self.capacity), self.capacity - bags * self.bag)

    def next_order(self, level: float) -> tuple[int, float]:
        """The day the family orders when it reorders at ``level`` — or, one time in
        ``FORGETS``, when it finds the jar empty a few days later — and the level then."""
        if self.rng.random() < FORGETS:
            empty = self.when_down_to(0.0)
            return math.floor(empty) + self.rng.randint(*EMPTY_WAIT_DAYS), 0.0
        moment = self.when_down_to(level)
        return math.floor(moment), self.level_on(moment)

    def bags_that_fit(self, level: float) -> int:
        return max(1, math.floor((self.capacity - level) / self.bag + 1e-9))

    def fill(self, day: date, bags: float) -> None:
        """The bags arrive (at noon): the jar takes what fits."""
        moment = max(self.time, day.toordinal() + 0.5)
        left = self.level_on(moment)
        self.ran_out = left <= 0
        self.time, self.level = moment, min(self.capacity, left + bags * self.bag)


def save_jars(ctx: DemoContext, everyone: list[Buyer]) -> int:
    """A subscription for each household that buys its rice from us (and has not moved
    away): its jar in bags of the rice it buys, the people who eat from it, its delivery
    days; paused while the customer is blocked. Returns how many are followed."""
    rng = ctx.rng("jars")
    jars = []
    for buyer in everyone:
        facts, customer = buyer.facts, buyer.customer
        if buyer.kind != "household" or not facts.get("regular") or not customer.is_active:
            continue
        jars.append(
            Subscription(
                customer=customer,
                product=ctx.products[facts["sku"]],
                capacity=(Decimal(facts["jar"]) / facts["bag"]).quantize(Decimal("0.001")),
                people=customer.size or 2,
                preferred_days=list(customer.preferred_days or []),
                window=rng.choices(WINDOWS, weights=[5, 3, 1, 2])[0],
                is_active=not customer.is_blocked,
            )
        )
    Subscription.objects.bulk_create(jars, batch_size=1000)
    return sum(jar.is_active for jar in jars)
