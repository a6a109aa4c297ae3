"""Ageing buckets and days sales outstanding: the arithmetic of receivables, free of Django.

Days overdue are counted from the due date, in whole business days::

    days_overdue = today − due_date

An invoice due today (0 days) or later (negative) is *current*: it is not yet overdue.
From the day after the due date it ages into the buckets of SPEC 2.3::

    days overdue   ≤ 0      1 … 30   31 … 60   61 … 90   ≥ 91
    bucket         current  0-30     31-60     61-90     >90

The "0-30" name follows the usual ageing report headings (SPEC 2.3: 0–30, 31–60, 61–90,
>90 days); day 0 itself is still current, so the first overdue bucket holds days 1 to 30.

>>> bucket(0), bucket(1), bucket(30), bucket(31), bucket(91)
('current', '0-30', '0-30', '31-60', '>90')
>>> dso(Decimal("3000"), Decimal("9000"), 90)
Decimal('30')
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Bucket:
    """One ageing bucket: invoices ``first_day`` to ``last_day`` days overdue (inclusive).

    ``None`` means unbounded on that side. ``key`` is the same bucket as an identifier
    (for SQL aliases, JSON fields and template variables).
    """

    name: str
    key: str
    first_day: int | None
    last_day: int | None

    def holds(self, days_overdue: int) -> bool:
        above = self.first_day is None or days_overdue >= self.first_day
        below = self.last_day is None or days_overdue <= self.last_day
        return above and below


CURRENT = Bucket("current", "current", None, 0)
BUCKETS: tuple[Bucket, ...] = (
    CURRENT,
    Bucket("0-30", "days_0_30", 1, 30),
    Bucket("31-60", "days_31_60", 31, 60),
    Bucket("61-90", "days_61_90", 61, 90),
    Bucket(">90", "days_over_90", 91, None),
)
OVERDUE_BUCKETS = BUCKETS[1:]


def days_overdue(due_date: date, today: date) -> int:
    """Whole days from the due date to today: 0 on the due date, negative before it."""
    return (today - due_date).days


def bucket(days_overdue: int) -> str:
    """The ageing bucket of an invoice that is ``days_overdue`` days past its due date.

    ``days_overdue ≤ 0`` → "current" (not yet due; due today counts as current);
    1–30 → "0-30"; 31–60 → "31-60"; 61–90 → "61-90"; 91 and more → ">90".
    """
    return next(b.name for b in BUCKETS if b.holds(days_overdue))


def dso(receivables: Decimal, credit_sales: Decimal, days: int) -> Decimal | None:
    """Days sales outstanding: how many days of credit sales are still unpaid.

    ``DSO = receivables / credit_sales × days``

    where ``receivables`` is the open (unpaid) balance at the end of the period and
    ``credit_sales`` the amount invoiced on credit during the ``days`` of the period. This
    is the standard definition (e.g. Ross, Westerfield & Jordan, *Fundamentals of
    Corporate Finance*, "days' sales in receivables" = 365 / receivables turnover, with
    receivables turnover = sales / accounts receivable; here over a period of ``days``).

    Returns ``None`` when there were no credit sales in the period (DSO is undefined).
    Raises ``ValueError`` for a period that is not a positive number of days.
    """
    if days <= 0:
        raise ValueError("the period must be at least one day")
    if credit_sales == 0:
        return None
    # Multiply first: 3000 × 90 / 9000 is exactly 30, 3000 / 9000 × 90 is 29.999…
    return receivables * days / credit_sales
