"""Each customer's account while the history is written: invoices, when each is paid, and
what the promise rules see on any past day (open balance, overdue, open orders).

Pure Python. An invoice is issued on the delivery date; ``Payer`` decides, when it is
issued, the day it will be paid (or that it is still unpaid today).
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from kept.promising.rules import CustomerFacts

ZERO = Decimal("0.00")


@dataclass
class Bill:
    """An invoice to be: issued on delivery, due after the customer's terms."""

    order: object  # the OrderPlan it bills
    issue: date
    due: date
    amount: Decimal
    paid_on: date | None = None
    number: str = ""  # the invoice's, once saved


@dataclass
class Payer:
    """How one customer pays.

    ``delivery``: on the day of delivery (households, WeChat or cash at the door);
    ``runs``: in payment runs every ``period`` days (restaurants, canteens) paying what falls
    due before the next run; ``month_end``: at the end of the month (households on credit).
    ``late_share`` of the invoices are paid ``late_days`` after their due date. Invoices due
    on or after ``unpaid_from_due`` are not paid at all (a customer who stopped paying).
    """

    mode: str
    last_day: date  # payments are in the past: yesterday at the latest
    method: str
    period: int = 14
    phase: int = 0
    late_share: float = 0.0
    late_days: tuple[int, int] = (1, 10)
    unpaid_from_due: date | None = None

    def paid_on(self, issue: date, due: date, rng: random.Random) -> date | None:
        if self.unpaid_from_due is not None and due >= self.unpaid_from_due:
            return None
        late = rng.random() < self.late_share
        if self.mode == "delivery":
            day = issue + timedelta(days=rng.randint(*self.late_days) if late else 0)
        elif self.mode == "month_end":
            threshold = due + timedelta(days=rng.randint(*self.late_days)) if late else issue
            day = _month_end(max(threshold, issue))
        else:
            threshold = due + timedelta(days=rng.randint(*self.late_days)) if late else due
            if not late:
                threshold -= timedelta(days=self.period - 1)
            day = self._next_run(max(threshold, issue))
        return day if day <= self.last_day else None

    def _next_run(self, day: date) -> date:
        return day + timedelta(days=(self.phase - day.toordinal()) % self.period)


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


@dataclass
class Account:
    credit_limit: Decimal | None
    bills: list[Bill] = field(default_factory=list)
    _unsettled: list[Bill] = field(default_factory=list)
    _promised: list[tuple[date, Decimal]] = field(default_factory=list)

    def add_bill(self, bill: Bill) -> None:
        self.bills.append(bill)
        self._unsettled.append(bill)

    def promise(self, last_date: date, value: Decimal) -> None:
        """Goods promised and not yet delivered count against the credit limit."""
        self._promised.append((last_date, value))

    def facts(self, day: date, blocked_reason: str = "") -> CustomerFacts:
        """What the promise rules see on ``day`` (before that day's payments arrive)."""
        self._unsettled = [b for b in self._unsettled if b.paid_on is None or b.paid_on >= day]
        self._promised = [(d, v) for d, v in self._promised if d >= day]
        open_balance = overdue = ZERO
        oldest = None
        for bill in self._unsettled:
            if bill.issue >= day:
                continue
            open_balance += bill.amount
            if bill.due < day:
                overdue += bill.amount
                oldest = bill.due if oldest is None else min(oldest, bill.due)
        return CustomerFacts(
            is_blocked=bool(blocked_reason),
            blocked_reason=blocked_reason,
            credit_limit=self.credit_limit,
            open_receivables=open_balance,
            open_commitments=sum((v for _d, v in self._promised), ZERO),
            overdue_amount=overdue,
            oldest_overdue_days=(day - oldest).days if oldest else 0,
        )
