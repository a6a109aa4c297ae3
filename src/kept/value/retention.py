"""Retention (SPEC 2.7), pure: the monthly cohort table, the repurchase rate by period, and
acquisition against retention cost.

A customer's **cohort** is the month of their first purchase. Cell (cohort, k) of the
table is the share of the cohort that bought again in the k-th month after it (k = 0 is
the cohort month itself, always 100 %).

>>> table = cohort_table({"a": [date(2026, 1, 5), date(2026, 2, 9)], "b": [date(2026, 1, 20)]})
>>> table.rows[0].cohort, table.rows[0].size, table.rows[0].retained
('2026-01', 2, [1.0, 0.5])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


def _month(day: date) -> int:
    return day.year * 12 + day.month - 1


def _label(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


@dataclass(frozen=True)
class CohortRow:
    cohort: str
    size: int
    retained: list[float]  # share of the cohort buying in month k after the first, k = 0…


@dataclass(frozen=True)
class CohortTable:
    rows: list[CohortRow]
    months: int  # the longest row


def cohort_table(
    purchases: Mapping[str, Iterable[date]], *, until: date | None = None
) -> CohortTable:
    """The monthly cohort retention table of ``purchases`` (customer → purchase dates). A
    cohort's row ends at ``until``'s month (default: the latest purchase)."""
    months: dict[str, set[int]] = {}
    for customer, days in purchases.items():
        seen = {_month(day) for day in days}
        if seen:
            months[customer] = seen
    if not months:
        return CohortTable([], 0)
    last = _month(until) if until else max(max(m) for m in months.values())
    cohorts: dict[int, list[set[int]]] = {}
    for seen in months.values():
        cohorts.setdefault(min(seen), []).append(seen)
    rows = []
    for start in sorted(cohorts):
        members = cohorts[start]
        span = last - start + 1
        retained = [
            sum(1 for seen in members if start + k in seen) / len(members) for k in range(span)
        ]
        rows.append(CohortRow(_label(start), len(members), retained))
    return CohortTable(rows, max((len(r.retained) for r in rows), default=0))


def repurchase_rate(buyers_before: set[str], buyers_in: set[str]) -> float | None:
    """Of the customers who bought in one period, the share who bought again in the next
    (None when nobody bought in the first)."""
    if not buyers_before:
        return None
    return len(buyers_before & buyers_in) / len(buyers_before)


@dataclass(frozen=True)
class CostRatio:
    acquisition_per_customer: Decimal | None
    retention_per_customer: Decimal | None

    @property
    def ratio(self) -> Decimal | None:
        """How many times dearer a new customer is than a kept one (the literature's 5–6)."""
        if not self.acquisition_per_customer or not self.retention_per_customer:
            return None
        return self.acquisition_per_customer / self.retention_per_customer


def cost_ratio(
    acquisition_cost: Decimal, new_customers: int, retention_cost: Decimal, kept_customers: int
) -> CostRatio:
    """Acquisition cost per new customer against retention cost per kept customer."""
    return CostRatio(
        acquisition_cost / new_customers if new_customers else None,
        retention_cost / kept_customers if kept_customers else None,
    )
