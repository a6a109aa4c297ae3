"""Request and response shapes of /api/v1/products, /stock and /receipts.

Quantities and money are decimals, answered as strings with fixed places ("12.500" for
quantities, "60.00" for money) so no precision is lost; requests accept numbers or strings.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import PlainSerializer, model_serializer

from kept.catalog.choices import MANUAL_REASONS, MovementReason, ReceiptStatus
from kept.catalog.models import QUANTITY
from kept.core.roles import can_see_financials

SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
SKU_FILTER_PATTERN = r"^([A-Za-z0-9][A-Za-z0-9._-]*)?$"
MAX_DAYS = 32767  # PositiveSmallIntegerField
MONEY_FIELD = {"max_digits": 14, "decimal_places": 2, "ge": 0}
QUANTITY_FIELD = {
    "max_digits": QUANTITY["max_digits"],
    "decimal_places": QUANTITY["decimal_places"],
}


def _fixed_places(places: int) -> PlainSerializer:
    exponent = Decimal(1).scaleb(-places)
    return PlainSerializer(
        lambda value: str(value.quantize(exponent)), return_type=str, when_used="unless-none"
    )


# Output types: the same number of places whether the value comes from a column or a sum.
Quantity = Annotated[Decimal, _fixed_places(QUANTITY["decimal_places"])]
Money = Annotated[Decimal, _fixed_places(MONEY_FIELD["decimal_places"])]
ManualReason = Literal[tuple(reason.value for reason in MANUAL_REASONS)]  # type: ignore[valid-type]


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


# Products ---------------------------------------------------------------------------------


class ProductFields(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    unit: str = Field(..., min_length=1, max_length=16, examples=["kg"])
    price: Decimal = Field(..., **MONEY_FIELD)
    cost: Decimal = Field(..., **MONEY_FIELD, description="Needs the financials permission.")
    sellable: bool = True
    grade: str = Field("", max_length=100, description="Quality grade or spec.")
    delivery_lead_days: int = Field(0, ge=0, le=MAX_DAYS)
    replenishment_lead_days: int | None = Field(
        None, ge=0, le=MAX_DAYS, description="Empty when it cannot be procured on demand."
    )
    consumable: bool = False


class ProductIn(ProductFields):
    sku: str = Field(..., min_length=1, max_length=32, pattern=SKU_PATTERN)


class ProductPatch(Schema):
    name: str = Field(None, min_length=1, max_length=200)
    unit: str = Field(None, min_length=1, max_length=16)
    price: Decimal = Field(None, **MONEY_FIELD)
    cost: Decimal = Field(None, **MONEY_FIELD, description="Needs the financials permission.")
    sellable: bool = None
    grade: str = Field(None, max_length=100)
    delivery_lead_days: int = Field(None, ge=0, le=MAX_DAYS)
    replenishment_lead_days: int | None = Field(None, ge=0, le=MAX_DAYS)
    consumable: bool = None


class ProductOut(Schema):
    sku: str
    name: str
    unit: str
    price: Money
    cost: Money | None = Field(
        None, description="Only present for roles that may see cost, margin and profit."
    )
    sellable: bool
    grade: str
    delivery_lead_days: int
    replenishment_lead_days: int | None
    consumable: bool
    on_hand: Quantity
    incoming: Quantity = Field(..., description="Quantity on open (scheduled) receipts.")
    created_at: datetime

    @model_serializer(mode="wrap")
    def _hide_cost(self, handler, info):
        # Fail closed: without a request that may see financials, cost is not in the output.
        data = handler(self)
        request = (info.context or {}).get("request")
        if request is None or not can_see_financials(request.user):
            data.pop("cost", None)
        return data


class ProductPage(Schema):
    count: int
    items: list[ProductOut]


class ProductQuery(PageQuery):
    q: str = Field("", max_length=100, description="Part of the SKU or name.")
    sellable: bool | None = None
    consumable: bool | None = None


# Stock ------------------------------------------------------------------------------------


class StockOut(Schema):
    sku: str
    name: str
    unit: str
    on_hand: Quantity
    incoming: Quantity
    open_receipts: int
    next_receipt_date: date | None


class StockPage(Schema):
    count: int
    items: list[StockOut]


class StockQuery(PageQuery):
    q: str = Field("", max_length=100, description="Part of the SKU or name.")


class MovementIn(Schema):
    product: str = Field(..., max_length=32, pattern=SKU_PATTERN, description="SKU.")
    quantity: Decimal = Field(..., **QUANTITY_FIELD, description="Positive in, negative out.")
    reason: ManualReason
    note: str = Field("", max_length=500, description="Required for write_off, damage and count.")


class MovementOut(Schema):
    id: int
    product: str = Field(..., description="SKU.")
    quantity: Quantity
    reason: MovementReason
    note: str
    balance_after: Quantity
    receipt: int | None
    created_by: str | None
    created_at: datetime

    @staticmethod
    def resolve_product(movement) -> str:
        return movement.product.sku

    @staticmethod
    def resolve_receipt(movement) -> int | None:
        return movement.receipt_id

    @staticmethod
    def resolve_created_by(movement) -> str | None:
        return movement.created_by.get_username() if movement.created_by else None


class MovementPage(Schema):
    count: int
    items: list[MovementOut]


class MovementQuery(PageQuery):
    product: str = Field("", max_length=32, pattern=SKU_FILTER_PATTERN, description="SKU.")
    reason: MovementReason | None = None
    date_from: date | None = Field(None, description="Business date, inclusive.")
    date_to: date | None = Field(None, description="Business date, inclusive.")


# Receipts ---------------------------------------------------------------------------------


class ReceiptIn(Schema):
    product: str = Field(..., max_length=32, pattern=SKU_PATTERN, description="SKU.")
    quantity: Decimal = Field(..., gt=0, **QUANTITY_FIELD)
    expected_date: date
    reference: str = Field("", max_length=64, description="Supplier or PO number.")


class ReceiptOut(Schema):
    id: int
    product: str = Field(..., description="SKU.")
    product_name: str
    unit: str
    quantity: Quantity = Field(..., description="Quantity expected.")
    received_quantity: Quantity | None = Field(..., description="Quantity booked into stock.")
    expected_date: date
    status: ReceiptStatus
    reference: str
    received_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_product(receipt) -> str:
        return receipt.product.sku

    @staticmethod
    def resolve_product_name(receipt) -> str:
        return receipt.product.name

    @staticmethod
    def resolve_unit(receipt) -> str:
        return receipt.product.unit


class ReceiptPage(Schema):
    count: int
    items: list[ReceiptOut]


class ReceiptQuery(PageQuery):
    status: ReceiptStatus | None = None
    product: str = Field("", max_length=32, pattern=SKU_FILTER_PATTERN, description="SKU.")
    date_from: date | None = Field(None, description="Expected on or after.")
    date_to: date | None = Field(None, description="Expected on or before.")


class RescheduleIn(Schema):
    expected_date: date
    reason: str = Field("", max_length=500)


class ReceiveIn(Schema):
    quantity: Decimal | None = Field(
        None, gt=0, **QUANTITY_FIELD, description="Quantity actually received; default expected."
    )


class CancelIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500)


# Stock targets ----------------------------------------------------------------------------

Percent = Annotated[Decimal, _fixed_places(2)]
TARGET_PERCENT = {"ge": 50, "le": Decimal("99.99"), "max_digits": 5, "decimal_places": 2}


def _hide_money(data: dict, info, fields: tuple[str, ...]) -> dict:
    # Fail closed: without a request that may see financials, money is not in the output.
    request = (info.context or {}).get("request")
    if request is None or not can_see_financials(request.user):
        for name in fields:
            data.pop(name, None)
    return data


class StockTargetQuery(PageQuery):
    q: str = Field("", max_length=100, description="Part of the SKU or name.")
    cycle_service_level: Decimal = Field(
        Decimal(95), **TARGET_PERCENT, description="Percent of cycles without a stockout."
    )
    fill_rate: Decimal | None = Field(
        None,
        **TARGET_PERCENT,
        description="Percent of demand met from stock; when given, it is the target.",
    )
    window_days: int = Field(90, ge=2, le=730, description="Days of demand history to yesterday.")
    review_days: int = Field(7, ge=0, le=365, description="Days between two orders (R).")
    order_days: int = Field(7, ge=1, le=365, description="Days of mean demand one order brings.")
    holding_rate: Decimal = Field(
        Decimal(25), ge=0, le=1000, max_digits=6, decimal_places=2, description="Percent a year."
    )


class SafetyStockLevelOut(Schema):
    level: Percent = Field(..., description="Percent.")
    cycle_service_safety_stock: Quantity
    fill_rate_safety_stock: Quantity
    holding_cost: Money | None = Field(
        None, description="Per year, of the cycle-service safety stock; financial roles only."
    )

    @model_serializer(mode="wrap")
    def _hide_cost(self, handler, info):
        return _hide_money(handler(self), info, ("holding_cost",))


class StockTargetOut(Schema):
    sku: str
    name: str
    unit: str
    lead_days: int = Field(..., description="Replenishment lead time L in days.")
    lead_days_missing: bool = Field(..., description="No lead time recorded; 0 was used.")
    review_days: int
    mean_daily_demand: Quantity
    std_dev_daily_demand: Quantity
    target_kind: Literal["cycle_service", "fill_rate"]
    target_level: Percent
    order_quantity: Quantity = Field(..., description="Q in the fill-rate formula.")
    safety_stock: Quantity
    reorder_point: Quantity = Field(..., description="s = mean demand over L + safety stock.")
    needed: Quantity = Field(..., description="Order-up-to level S: what the target needs.")
    on_hand: Quantity
    incoming: Quantity = Field(..., description="Quantity on scheduled receipts.")
    committed: Quantity = Field(..., description="Open commitments served from stock.")
    position: Quantity = Field(..., description="on_hand + incoming − committed.")
    verdict: Literal["short", "on_target", "over_serving"]
    shortfall: Quantity = Field(..., description="needed − position when short.")
    excess: Quantity = Field(..., description="position − needed when over-serving.")
    excess_holding_cost: Money | None = Field(
        None, description="Per year, of the excess; financial roles only."
    )
    levels: list[SafetyStockLevelOut]

    @staticmethod
    def resolve_sku(row) -> str:
        return row.product.sku

    @staticmethod
    def resolve_name(row) -> str:
        return row.product.name

    @staticmethod
    def resolve_unit(row) -> str:
        return row.product.unit

    @model_serializer(mode="wrap")
    def _hide_cost(self, handler, info):
        return _hide_money(handler(self), info, ("excess_holding_cost",))


class StockTargetPage(Schema):
    count: int
    first_day: date = Field(..., description="First day of the demand history.")
    last_day: date = Field(..., description="Last day of the demand history.")
    items: list[StockTargetOut]
