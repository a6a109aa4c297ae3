"""What every step of the demo build shares: seed, scale, dates and the rows made so far."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from kept.demo.names import PhoneBook


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

    def staff(self) -> list:
        return [user for name, user in self.users.items() if name.startswith("staff")]
