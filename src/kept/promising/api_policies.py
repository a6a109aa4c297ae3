"""/api/v1/policies and /api/v1/customers/{code}/policy: the rules' parameters (managers)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from kept.core.api_support import ERRORS, needs
from kept.customers.models import Customer, CustomerGroup
from kept.promising import policies
from kept.promising.models import CustomerPolicy, PromisePolicy
from kept.promising.queries import POLICY_FIELDS

router = Router(tags=["policies"])
VIEW, CHANGE = "promising.view_promisepolicy", "promising.change_promisepolicy"
CUSTOMER_VIEW, CUSTOMER_CHANGE = "promising.view_customerpolicy", "promising.change_customerpolicy"


class PolicyFieldsIn(Schema):
    min_margin_percent: Decimal | None = Field(
        None, ge=-100, le=10000, max_digits=6, decimal_places=2
    )
    min_lead_days: int | None = Field(None, ge=0, le=365)
    max_quantity: Decimal | None = Field(None, gt=0, max_digits=14, decimal_places=3)
    max_quantity_action: Literal["counter", "hold"] | None = None
    overdue_amount_limit: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    overdue_days_limit: int | None = Field(None, ge=0, le=3650)
    overdue_action: Literal["hold", "decline"] | None = None


class GroupPolicyIn(PolicyFieldsIn):
    excluded_products: list[str] = Field(default_factory=list, max_length=1000)


class CustomerPolicyIn(PolicyFieldsIn):
    reason: str = Field(..., min_length=1, max_length=2000)


class GroupPolicyOut(PolicyFieldsIn):
    group: str
    excluded_products: list[str]


class CustomerPolicyOut(PolicyFieldsIn):
    customer: str
    reason: str


def _fields(policy) -> dict:
    return {name: getattr(policy, name) or None for name in POLICY_FIELDS}


def _group_out(policy: PromisePolicy) -> dict:
    return {
        **_fields(policy),
        "group": policy.group.code if policy.group_id else "default",
        "excluded_products": sorted(policy.excluded_products.values_list("sku", flat=True)),
    }


def _group(code: str) -> CustomerGroup | None:
    return None if code == "default" else get_object_or_404(CustomerGroup, code=code)


@router.get("/policies", response={200: list[GroupPolicyOut], **ERRORS}, auth=needs(VIEW))
def list_policies(request: HttpRequest):
    """The default policy ("default") and one per customer group that has its own."""
    return [
        _group_out(p)
        for p in PromisePolicy.objects.select_related("group").prefetch_related("excluded_products")
    ]


@router.put("/policies/{group}", response={200: GroupPolicyOut, **ERRORS}, auth=needs(CHANGE))
def put_policy(request: HttpRequest, group: str, payload: GroupPolicyIn):
    """Set a group's rules; ``group`` is a customer group code or ``default``. Empty = no limit."""
    values = payload.dict(exclude={"excluded_products"})
    policy = policies.save_group_policy(
        _group(group), values, excluded_skus=payload.excluded_products, actor=request.user
    )
    return _group_out(policy)


@router.get(
    "/customers/{code}/policy",
    response={200: CustomerPolicyOut, **ERRORS},
    auth=needs(CUSTOMER_VIEW),
)
def get_customer_policy(request: HttpRequest, code: str):
    policy = get_object_or_404(
        CustomerPolicy.objects.select_related("customer"), customer__code=code
    )
    return {**_fields(policy), "customer": code, "reason": policy.reason}


@router.put(
    "/customers/{code}/policy",
    response={200: CustomerPolicyOut, **ERRORS},
    auth=needs(CUSTOMER_CHANGE),
)
def put_customer_policy(request: HttpRequest, code: str, payload: CustomerPolicyIn):
    """Override the group's rules for one customer (empty fields inherit); audited."""
    customer = get_object_or_404(Customer, code=code)
    policy = policies.save_customer_policy(
        customer, payload.dict(exclude={"reason"}), reason=payload.reason, actor=request.user
    )
    return {**_fields(policy), "customer": code, "reason": policy.reason}


@router.delete(
    "/customers/{code}/policy", response={204: None, **ERRORS}, auth=needs(CUSTOMER_CHANGE)
)
def delete_customer_policy(request: HttpRequest, code: str):
    policies.remove_customer_policy(get_object_or_404(Customer, code=code), actor=request.user)
    return Status(204, None)
