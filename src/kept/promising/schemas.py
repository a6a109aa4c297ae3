from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

Quantity = Field(..., gt=0, max_digits=14, decimal_places=3)


class LineIn(Schema):
    sku: str = Field(..., min_length=1, max_length=32)
    quantity: Decimal = Quantity
    requested_date: date
    accept_partial: bool = False
    unit_price: Decimal | None = Field(
        None, ge=0, max_digits=14, decimal_places=2, description="Default: the product's price."
    )


class OrderIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "customer": "R0001",
                    "ship_complete": False,
                    "dry_run": False,
                    "lines": [
                        {
                            "sku": "RICE-NE-10",
                            "quantity": "20",
                            "requested_date": "2026-12-01",
                            "accept_partial": True,
                        },
                        {"sku": "OIL-PEANUT-5L", "quantity": "4", "requested_date": "2026-12-01"},
                    ],
                }
            ]
        }
    )

    customer: str = Field(..., min_length=1, max_length=32, description="Customer code.")
    ship_complete: bool = False
    dry_run: bool = Field(False, description="Answer without writing anything.")
    note: str = Field("", max_length=2000)
    lines: list[LineIn] = Field(..., min_length=1, max_length=100)


class ReasonOut(Schema):
    code: str
    message: str
    details: dict


class PartOut(Schema):
    quantity: Decimal
    date: date
    to_procure: bool = False


class OfferOut(Schema):
    offer: int
    parts: list[PartOut]


class LineOut(Schema):
    line: int
    sku: str
    decision: str
    status: str | None = None
    requested_quantity: Decimal
    requested_date: date
    promised_quantity: Decimal | None = None
    promised_date: date | None = None
    reasons: list[ReasonOut]
    offers: list[OfferOut]


class DecisionOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "order": "SO-000042",
                    "decision": "counter",
                    "accepted": None,
                    "lines": [
                        {
                            "line": 1,
                            "sku": "RICE-NE-10",
                            "decision": "counter",
                            "status": "offered",
                            "requested_quantity": "20.000",
                            "requested_date": "2026-12-01",
                            "promised_quantity": None,
                            "promised_date": None,
                            "reasons": [
                                {
                                    "code": "NOT_ENOUGH_ON_DATE",
                                    "message": "Only 12.000 can be promised for 2026-12-01; "
                                    "20 were asked for.",
                                    "details": {
                                        "available": "12.000",
                                        "instead": "Take one of the offers below.",
                                    },
                                }
                            ],
                            "offers": [
                                {
                                    "offer": 1,
                                    "parts": [
                                        {
                                            "quantity": "20",
                                            "date": "2026-12-04",
                                            "to_procure": False,
                                        }
                                    ],
                                },
                                {
                                    "offer": 2,
                                    "parts": [
                                        {
                                            "quantity": "12.000",
                                            "date": "2026-12-01",
                                            "to_procure": False,
                                        },
                                        {
                                            "quantity": "8.000",
                                            "date": "2026-12-04",
                                            "to_procure": False,
                                        },
                                    ],
                                },
                            ],
                        }
                    ],
                }
            ]
        }
    )

    order: str | None
    decision: str
    accepted: bool | None = None
    lines: list[LineOut]


class AcceptIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"line": 1, "offer": 2}]})

    line: int = Field(..., ge=1, le=1000)
    offer: int = Field(..., ge=1, le=100000)


class ReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


class ChangeIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "quantity": "20",
                    "date": "2026-12-05",
                    "kind": "agreed",
                    "reason": "Customer asked for Friday",
                }
            ]
        }
    )

    quantity: Decimal = Quantity
    date: date
    kind: Literal["agreed", "unilateral"]
    reason: str = Field(..., min_length=1, max_length=2000)


class CancelIn(Schema):
    by: Literal["customer", "supplier"]
    reason: str = Field("", max_length=2000)


class VersionOut(Schema):
    version: int
    kind: str
    quantity: Decimal
    date: date
    parts: list[PartOut]
    reason: str
    by: str | None
    at: datetime


class LedgerLineOut(LineOut):
    versions: list[VersionOut]


class OrderOut(Schema):
    order: str
    customer: str
    decision: str
    ship_complete: bool
    cancelled_by: str | None
    created_at: datetime
    lines: list[LedgerLineOut]


class OrderSummaryOut(Schema):
    order: str
    customer: str
    decision: str
    cancelled_by: str | None
    created_at: datetime
    lines: int


class OrderPage(Schema):
    count: int
    items: list[OrderSummaryOut]


class DayOut(Schema):
    date: date
    pab: Decimal
    atp: Decimal


class AvailabilityOut(Schema):
    sku: str
    on_hand: Decimal
    days: list[DayOut]


class AtRiskOut(Schema):
    order: str
    line: int
    customer: str
    sku: str
    quantity: Decimal
    date: date
    proposed_date: date | None
    to_procure: bool
    message: str


class AtRiskList(Schema):
    count: int
    items: list[AtRiskOut]


class DelayIn(Schema):
    expected_date: date
    reason: str = Field(..., min_length=1, max_length=500)


class WriteOffIn(Schema):
    sku: str = Field(..., min_length=1, max_length=32)
    quantity: Decimal = Quantity
    reason: str = Field(..., min_length=1, max_length=500)
