"""What every step of the demo build shares: seed, scale, dates and the rows made so far."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from kept.demo.names import PhoneBook

HISTORY_DAYS = 730  # two years of orders, invoices and payments


@dataclass
class DemoContext:
    seed: int
    scale: float
    today: date
    tz: tzinfo
    users: dict = field(default_factory=dict)
    groups: dict = field(default_factory=dict)
    regions: dict = field(default_factory=dict)
    tags: dict = field(default_factory=dict)
    products: dict = field(default_factory=dict)
    # Customer code → price factor of a supply contract (set by ``policies``).
    contract_prices: dict = field(default_factory=dict)
    phones: PhoneBook = field(init=False)

    def __post_init__(self) -> None:
        self.phones = PhoneBook(self.rng("phones"))

    def rng(self, topic: str) -> random.Random:
        """An independent, reproducible stream per topic: adding a topic shifts no other."""
        return random.Random(f"kept-demo:{self.seed}:{topic}")

    def count(self, full_size: int, minimum: int = 1) -> int:
        return max(minimum, round(full_size * self.scale))

    def at(self, days_ago: int, hour: int, minute: int = 0) -> datetime:
        """An aware datetime in the business time zone, ``days_ago`` days before today."""
        day = self.today - timedelta(days=days_ago)
        return datetime.combine(day, time(hour, minute), tzinfo=self.tz)

    @property
    def history_start(self) -> date:
        """The first day of the order history: two years before today."""
        return self.today - timedelta(days=HISTORY_DAYS)

    @property
    def yesterday(self) -> date:
        return self.today - timedelta(days=1)

    def staff(self) -> list:
        return [user for name, user in self.users.items() if name.startswith("staff")]
