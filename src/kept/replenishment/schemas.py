from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from kept.replenishment.choices import FillPolicy, Outcome, ReadingSource, Window


class SubscriptionIn(Schema):
    customer: str = Field(..., description="Customer code", examples=["H0001"])
    sku: str = Field(..., examples=["RICE-NE-10"])
    capacity: Decimal = Field(..., description="What the container holds, in the unit")
    people: int = Field(1, ge=1, le=500)
    fill_policy: FillPolicy = FillPolicy.TO_CAPACITY
    fixed_quantity: Decimal | None = None
    preferred_days: list[int] = Field([], description="ISO weekdays, 1 = Monday")
    window: Window = Window.ANY
    is_active: bool = True
    note: str = ""


class SubscriptionPatch(Schema):
    capacity: Decimal | None = None
    people: int | None = Field(None, ge=1, le=500)
    fill_policy: FillPolicy | None = None
    fixed_quantity: Decimal | None = None
    preferred_days: list[int] | None = None
    window: Window | None = None
    is_active: bool | None = None
    note: str | None = None


class OutlookOut(Schema):
    level_today: float | None
    rate_per_day: float
    expected_runout: dt.date | None
    runout_at_risk: dt.date | None
    risk: float


class SubscriptionOut(Schema):
    id: int
    customer: str
    sku: str
    capacity: Decimal
    people: int
    fill_policy: str
    fixed_quantity: Decimal | None
    preferred_days: list[int]
    window: str
    is_active: bool
    note: str
    outlook: OutlookOut | None = None


class ReadingIn(Schema):
    level: Decimal
    day: dt.date | None = Field(None, description="Default: today")
    source: ReadingSource = ReadingSource.READING
    note: str = ""


class ReadingOut(Schema):
    id: int
    subscription: int
    day: dt.date
    level: Decimal
    source: str


class ProposedOut(Schema):
    subscription: int
    customer: str
    customer_name: str
    region: str
    route: str
    window: str
    sku: str
    plan_date: dt.date
    delivery_date: dt.date
    quantity: float
    level_today: float
    expected_runout: dt.date | None
    risk_date: dt.date


class PlanOut(Schema):
    date: dt.date
    proposals: list[ProposedOut]


class AnswerIn(Schema):
    date: dt.date | None = Field(None, description="The plan's date (default: today)")
    outcome: Outcome
    quantity: Decimal | None = Field(None, description="accepted: the quantity to order")
    postponed_until: dt.date | None = None
    still_had: Decimal | None = None


class AnswerOut(Schema):
    subscription: int
    outcome: str
    order: str | None = None
    decision: str | None = None
