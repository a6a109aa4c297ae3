from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator

from kept.customers.choices import CustomerKind, CustomerType, InteractionKind, Language, SizeUnit

Code = Field(..., min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
Weekdays = list[int]


def _business_time(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError(
            "give the time of day without a time zone; it is in the business time zone"
        )
    return value


LocalTime = Annotated[time, AfterValidator(_business_time)]


class CustomerFields(Schema):
    alias: str = Field("", max_length=200)
    kind: CustomerKind = CustomerKind.EXTERNAL
    customer_type: CustomerType = CustomerType.END_CONSUMER
    group: str | None = Field(None, max_length=32, description="Customer group code.")
    owner: str | None = Field(None, max_length=150, description="Owner's username.")
    phone: str = Field("", max_length=32)
    email: str = Field("", max_length=254)
    language: Language = Language.ZH_HANS
    address: str = Field("", max_length=2000)
    region: str | None = Field(None, max_length=32, description="Region code.")
    route: str = Field("", max_length=64)
    size: int | None = Field(None, ge=1, le=1_000_000)
    size_unit: SizeUnit = SizeUnit.PEOPLE
    preferences: str = Field("", max_length=4000)
    tags: list[str] = Field(default_factory=list, max_length=50)
    preferred_days: Weekdays = Field(
        default_factory=list, max_length=7, description="1 = Monday … 7 = Sunday."
    )
    window_start: LocalTime | None = None
    window_end: LocalTime | None = None
    credit_limit: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    payment_terms_days: int = Field(0, ge=0, le=365)
    is_blocked: bool = False
    blocked_reason: str = Field("", max_length=2000)


class CustomerIn(CustomerFields):
    code: str = Code
    name: str = Field(..., min_length=1, max_length=200)


class CustomerUpdate(CustomerFields):
    name: str = Field(..., min_length=1, max_length=200)
    reason: str = Field(
        "", max_length=500, description="Why credit, terms or blocking changed (audited)."
    )


class CustomerPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    alias: str | None = Field(None, max_length=200)
    kind: CustomerKind | None = None
    customer_type: CustomerType | None = None
    group: str | None = Field(None, max_length=32)
    owner: str | None = Field(None, max_length=150)
    phone: str | None = Field(None, max_length=32)
    email: str | None = Field(None, max_length=254)
    language: Language | None = None
    address: str | None = Field(None, max_length=2000)
    region: str | None = Field(None, max_length=32)
    route: str | None = Field(None, max_length=64)
    size: int | None = Field(None, ge=1, le=1_000_000)
    size_unit: SizeUnit | None = None
    preferences: str | None = Field(None, max_length=4000)
    tags: list[str] | None = Field(None, max_length=50)
    preferred_days: Weekdays | None = Field(None, max_length=7)
    window_start: LocalTime | None = None
    window_end: LocalTime | None = None
    credit_limit: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    payment_terms_days: int | None = Field(None, ge=0, le=365)
    is_blocked: bool | None = None
    blocked_reason: str | None = Field(None, max_length=2000)
    reason: str = Field("", max_length=500)


class CustomerOut(Schema):
    code: str
    name: str
    alias: str
    kind: str
    customer_type: str
    group: str | None
    owner: str | None
    phone: str
    email: str
    language: str
    address: str
    region: str | None
    route: str
    size: int | None
    size_unit: str
    preferences: str
    tags: list[str]
    preferred_days: list[int]
    window_start: time | None
    window_end: time | None
    credit_limit: Decimal | None
    payment_terms_days: int
    is_blocked: bool
    blocked_reason: str
    is_active: bool
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_group(obj) -> str | None:
        return obj.group.code if obj.group_id else None

    @staticmethod
    def resolve_region(obj) -> str | None:
        return obj.region.code if obj.region_id else None

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return obj.owner.get_username() if obj.owner_id else None

    @staticmethod
    def resolve_tags(obj) -> list[str]:
        return [tag.name for tag in obj.tags.all()]


class CustomerPage(Schema):
    count: int
    items: list[CustomerOut]


class ContactIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    role: str = Field("", max_length=100)
    phone: str = Field("", max_length=32)
    email: str = Field("", max_length=254)
    is_primary: bool = False
    notes: str = Field("", max_length=4000)


class ContactOut(ContactIn):
    id: int


class InteractionIn(Schema):
    kind: InteractionKind
    summary: str = Field(..., min_length=1, max_length=4000)
    occurred_at: datetime | None = None


class InteractionOut(Schema):
    id: int
    kind: str
    summary: str
    occurred_at: datetime
    author: str | None
    reference: str

    @staticmethod
    def resolve_author(obj) -> str | None:
        return obj.author.get_username() if obj.author_id else None


class InteractionPage(Schema):
    count: int
    items: list[InteractionOut]
