"""Shapes of /api/v1/value: the customer P&L, a customer's value, the lapsing list, a refit.

Money is in the business's currency with two decimals. The lapsing list carries no money:
staff and viewers read it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Schema


class PnLOut(Schema):
    revenue: Decimal = Field(..., description="What was delivered, at the order lines' prices")
    cost_of_goods: Decimal = Field(..., description="What was delivered, at the lines' costs")
    gross_margin: Decimal = Field(..., description="revenue − cost_of_goods")
    cost_to_serve: Decimal = Field(..., description="The sum of the drivers")
    profit: Decimal = Field(..., description="gross_margin − cost_to_serve")
    drivers: dict[str, Decimal] = Field(
        ...,
        description="Cost-to-serve by activity: orders, deliveries, tickets, remedies, "
        "reminders, vip",
    )


class ProfitRowOut(PnLOut):
    code: str = Field(..., description="Customer code")
    name: str


class ProfitOut(Schema):
    start: dt.date
    end: dt.date
    totals: PnLOut = Field(..., description="Every customer of the period, not only this page")
    count: int = Field(..., description="Customers with activity in the period")
    items: list[ProfitRowOut] = Field(..., description="The most profitable first")


class PeriodPnLOut(PnLOut):
    start: dt.date
    end: dt.date


class RfmOut(Schema):
    recency: int = Field(..., description="Quintile score 1–5 (5: bought most recently)")
    frequency: int = Field(..., description="Quintile score 1–5")
    monetary: int = Field(..., description="Quintile score 1–5")
    code: str = Field(..., description="The three scores, e.g. 545")


class QuadrantOut(Schema):
    key: str
    name: str = Field(..., description="The business's name for the quadrant")
    strategy: str


class ValueOut(Schema):
    clv: Decimal = Field(..., description="Discounted margin expected over the horizon")
    horizon_months: int
    p_alive: float = Field(..., description="Probability the customer is still buying (0–1)")
    expected_purchases: float = Field(..., description="Purchases expected over the horizon")
    expected_spend: Decimal = Field(..., description="Expected spend per purchase")
    rfm: RfmOut
    quadrant: QuadrantOut
    first_purchase: dt.date
    last_purchase: dt.date
    expected_next_purchase: dt.date | None
    overdue_on: dt.date | None = Field(
        ..., description="Past this day a customer still buying is overdue"
    )
    refit_as_of: dt.date = Field(..., description="The refit read purchases up to this day")
    refitted_at: dt.datetime | None


class CustomerValueOut(Schema):
    code: str
    name: str
    value: ValueOut | None = Field(..., description="null until a refit has scored them")
    pnl: PeriodPnLOut = Field(..., description="The last 12 months")


class LapsingOut(Schema):
    """A customer to call: no money here."""

    code: str
    name: str
    phone: str
    owner: str | None = Field(None, description="Owner's username")
    last_purchase: dt.date
    purchases: int = Field(..., description="Purchase days up to the last refit")
    expected_next_purchase: dt.date | None
    overdue_on: dt.date
    days_overdue: int
    p_alive: float = Field(..., description="Probability the customer is still buying (0–1)")

    @staticmethod
    def resolve_code(found) -> str:
        return found.customer.code

    @staticmethod
    def resolve_name(found) -> str:
        return found.customer.name

    @staticmethod
    def resolve_phone(found) -> str:
        return found.customer.phone

    @staticmethod
    def resolve_owner(found) -> str | None:
        return found.customer.owner.get_username() if found.customer.owner_id else None

    @staticmethod
    def resolve_purchases(found) -> int:
        return found.frequency + 1

    @staticmethod
    def resolve_days_overdue(found) -> int:
        return (timezone.localdate() - found.overdue_on).days


class RefitOut(Schema):
    run: int
    status: str
    as_of: dt.date
    created_at: dt.datetime
