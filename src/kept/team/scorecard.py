"""The arithmetic of a value scorecard (pure: no Django). Scores are 1 or 0, so an average is
the share of 1s; self and peer scores are kept apart and never added together, as
satisfaction and service level are never mixed (SPEC 0.2).

For one person, item and period: ``self`` is the person's own score (or None), ``peer
average`` = (sum of the peers' scores) / (number of peers who scored), None when nobody did.
Across items: ``self total`` = Σ self scores, out of the items self-scored; ``peer total`` =
Σ peer averages, out of the items peers scored.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ItemScore:
    """One person's scores on one item in one period."""

    self_value: int | None
    peer_sum: int
    peer_count: int

    @property
    def peer_average(self) -> float | None:
        return self.peer_sum / self.peer_count if self.peer_count else None


NOT_SCORED = ItemScore(None, 0, 0)


@dataclass(frozen=True)
class Totals:
    self_total: int
    self_items: int  # items the person scored themselves on
    peer_total: float
    peer_items: int  # items at least one peer scored

    @property
    def self_share(self) -> float | None:
        """Self total / items self-scored: 0–1."""
        return self.self_total / self.self_items if self.self_items else None

    @property
    def peer_share(self) -> float | None:
        """Σ peer averages / items peers scored: 0–1."""
        return self.peer_total / self.peer_items if self.peer_items else None


def totals(items: Iterable[ItemScore]) -> Totals:
    """The person's self and peer totals over the items of a period."""
    items = list(items)
    mine = [item.self_value for item in items if item.self_value is not None]
    peers = [item.peer_average for item in items if item.peer_average is not None]
    return Totals(sum(mine), len(mine), round(sum(peers), 9), len(peers))


def share(part: int | float, whole: int | float) -> float | None:
    """part / whole, or None when nothing was counted (a gap, not a zero)."""
    return part / whole if whole else None


def month_of(day: date) -> tuple[date, date]:
    """The first and last day of the calendar month holding ``day``."""
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def parse_month(text: str) -> date | None:
    """The first day of the month written YYYY-MM, or None when it is not one."""
    year, dash, month = text.partition("-")
    if not (dash and year.isdigit() and month.isdigit() and len(year) == 4 and len(month) == 2):
        return None
    if not 1 <= int(month) <= 12 or int(year) < 1900:
        return None
    return date(int(year), int(month), 1)


def previous_months(day: date, count: int) -> list[date]:
    """The first days of ``count`` months ending with the month of ``day``, oldest first."""
    year, month = day.year, day.month
    firsts = []
    for _ in range(count):
        firsts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return firsts[::-1]
