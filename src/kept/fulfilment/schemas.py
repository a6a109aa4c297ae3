from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema


class DeliveryIn(Schema):
    line: str = Field(..., description="Order number / line number", examples=["SO-000123/1"])
    quantity: Decimal = Field(..., examples=["5"])
    delivered_at: datetime | None = Field(None, description="Default: now")
    quality_ok: bool = True
    defect: str = Field("", description="damaged, wrong_item, expired, contaminated, other")
    note: str = ""


class DeliveryOut(Schema):
    id: int
    line: str
    order: str
    sku: str
    quantity: Decimal
    delivered_at: datetime
    delivered_on: date
    quality_ok: bool
    defect: str
    note: str


class MetricsOut(Schema):
    key: str
    orders: int
    lines: int
    pending_lines: int
    perfect_order_rate: float | None
    otif: float | None
    on_time: float | None
    in_full: float | None
    quality: float | None
    unit_fill_rate: float | None
    line_fill_rate: float | None
    order_fill_rate: float | None


class ServiceLevelOut(Schema):
    start: date = Field(..., alias="from")
    end: date = Field(..., alias="to")
    by: str
    against: str
    groups: list[MetricsOut]
    total: MetricsOut


class FailureOut(Schema):
    line: str
    order: str
    customer: str
    sku: str
    key: str
    failed: list[str]
