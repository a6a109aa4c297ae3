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
