"""Available-to-promise: cumulative ATP with look-ahead, on calendar days (SPEC 2.3).

Pure Python, no Django. Quantities are ``Decimal``; dates are business-calendar dates.

    PAB(d) = on_hand + Σ receipts dated ≤ d − Σ open commitments dated ≤ d
    ATP(d) = min over τ ≥ d of PAB(τ)

Anything dated before ``today`` (an overdue commitment, a late receipt that has not
arrived) counts today: the customer still expects the goods, and the supplier still owes
them. A new promise of ``q`` on ``d`` is feasible iff ``ATP(d) ≥ q``, so it never takes stock
a later promise already holds. ATP is non-decreasing in ``d`` and committing ``q ≤ ATP(d)``
leaves every ATP non-negative (the proof is two lines: ATP(τ) drops by at most ``q`` and
only where ATP(τ) ≥ ATP(d) for τ ≥ d or min(…, ATP(d) − q) for τ < d).

Example::

    >>> from datetime import date
    >>> from decimal import Decimal as D
    >>> t = Timeline(date(2026, 1, 1), D(10), receipts=[(date(2026, 1, 5), D(20))],
    ...              commitments=[(date(2026, 1, 6), D(25))])
    >>> t.atp(date(2026, 1, 1)), t.atp(date(2026, 1, 5)), t.pab(date(2026, 1, 5))
    (Decimal('5'), Decimal('5'), Decimal('30'))
    >>> t.earliest_date(D(6), date(2026, 1, 1)) is None
    True
    >>> t.earliest_date(D(6), date(2026, 1, 1), replenishment_lead_days=7)
    Earliest(date=datetime.date(2026, 1, 8), to_procure=True)
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

ZERO = Decimal(0)
Dated = tuple[date, Decimal]


@dataclass(frozen=True)
class Earliest:
    """The earliest feasible date; ``to_procure`` when only replenishment makes it feasible."""

    date: date
    to_procure: bool = False


@dataclass(frozen=True)
class Day:
    date: date
    pab: Decimal
    atp: Decimal


@dataclass(frozen=True)
class Timeline:
    """Supply and demand of one product from ``today`` on."""

    today: date
    on_hand: Decimal
    receipts: Iterable[Dated] = ()
    commitments: Iterable[Dated] = ()
    _dates: tuple[date, ...] = field(init=False, repr=False)
    _pab: tuple[Decimal, ...] = field(init=False, repr=False)
    _suffix_min: tuple[Decimal, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        receipts = tuple((max(d, self.today), Decimal(q)) for d, q in self.receipts)
        commitments = tuple((max(d, self.today), Decimal(q)) for d, q in self.commitments)
        if any(q < 0 for _d, q in receipts + commitments):
            raise ValueError("receipt and commitment quantities must not be negative")
        object.__setattr__(self, "receipts", receipts)
        object.__setattr__(self, "commitments", commitments)
        change: dict[date, Decimal] = {self.today: ZERO}
        for day, quantity in receipts:
            change[day] = change.get(day, ZERO) + quantity
        for day, quantity in commitments:
            change[day] = change.get(day, ZERO) - quantity
        dates = tuple(sorted(change))
        running, pab = Decimal(self.on_hand), []
        for day in dates:
            running += change[day]
            pab.append(running)
        suffix, lowest = [ZERO] * len(pab), None
        for index in range(len(pab) - 1, -1, -1):
            lowest = pab[index] if lowest is None else min(lowest, pab[index])
            suffix[index] = lowest
        object.__setattr__(self, "_dates", dates)
        object.__setattr__(self, "_pab", tuple(pab))
        object.__setattr__(self, "_suffix_min", tuple(suffix))

    def _index(self, day: date) -> int:
        """Index of the last change on or before ``day`` (days before today read as today)."""
        return max(bisect_right(self._dates, max(day, self.today)) - 1, 0)

    def pab(self, day: date) -> Decimal:
        """Projected available balance at the end of ``day``."""
        return self._pab[self._index(day)]

    def atp(self, day: date) -> Decimal:
        """What can still be promised for ``day`` without touching later promises."""
        return self._suffix_min[self._index(day)]

    def can_commit(self, quantity: Decimal, day: date) -> bool:
        return self.atp(day) >= quantity

    def with_commitment(self, quantity: Decimal, day: date) -> Timeline:
        """The timeline after promising ``quantity`` on ``day`` (no feasibility check)."""
        return Timeline(
            self.today, self.on_hand, self.receipts, (*self.commitments, (day, Decimal(quantity)))
        )

    def earliest_date(
        self, quantity: Decimal, not_before: date, replenishment_lead_days: int | None = None
    ) -> Earliest | None:
        """First ``d ≥ not_before`` with ``ATP(d) ≥ quantity``.

        ATP only changes on the dates in the timeline and never decreases, so the answer is
        ``not_before`` or one of those dates. With a replenishment lead time ``L`` any date
        ``≥ today + L`` is feasible (supply can be procured): the earlier of the two wins, and
        the answer is marked ``to_procure`` when it relies on procurement. ``None``: no supply.
        """
        start = max(not_before, self.today)
        from_stock = next(
            (
                day
                for day in (start, *(d for d in self._dates if d > start))
                if self.atp(day) >= quantity
            ),
            None,
        )
        if replenishment_lead_days is None:
            return Earliest(from_stock) if from_stock is not None else None
        procured = max(start, self.today + timedelta(days=replenishment_lead_days))
        if from_stock is not None and from_stock <= procured:
            return Earliest(from_stock)
        return Earliest(procured, to_procure=True)

    def days(self, start: date, end: date) -> list[Day]:
        """PAB and ATP for each calendar day from ``start`` to ``end`` inclusive."""
        span = (end - start).days
        return [
            Day(d, self.pab(d), self.atp(d))
            for d in (start + timedelta(days=i) for i in range(span + 1))
        ]

    def horizon(self) -> date:
        """The last date on which anything changes; ATP and PAB are constant after it."""
        return self._dates[-1]

    def shortfall(self) -> Decimal:
        """How far the lowest PAB goes below zero (0 when every promise is covered)."""
        return max(ZERO, -self._suffix_min[0])
