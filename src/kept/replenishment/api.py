"""/api/v1/subscriptions and /api/v1/plan (SPEC 2.5)."""

import datetime as dt

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from kept.catalog.models import Product
from kept.core.api_support import ERRORS, ApiError, Paging, needs
from kept.customers.models import Customer
from kept.replenishment import actions, queries
from kept.replenishment.choices import Outcome
from kept.replenishment.models import Subscription
from kept.replenishment.report import proposed_row
from kept.replenishment.schemas import (
    AnswerIn,
    AnswerOut,
    PlanOut,
    ReadingIn,
    ReadingOut,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionPatch,
)

router = Router(tags=["replenishment"])
VIEW, EDIT = "replenishment.view_subscription", "replenishment.change_subscription"
ADD, READ = "replenishment.add_subscription", "replenishment.add_reading"
ANSWER = "replenishment.add_proposal"


def subscription_out(subscription: Subscription, outlook=None) -> dict:
    return {
        "id": subscription.pk,
        "customer": subscription.customer.code,
        "sku": subscription.product.sku,
        "capacity": subscription.capacity,
        "people": subscription.people,
        "fill_policy": subscription.fill_policy,
        "fixed_quantity": subscription.fixed_quantity,
        "preferred_days": subscription.preferred_days,
        "window": subscription.window,
        "is_active": subscription.is_active,
        "note": subscription.note,
        "outlook": outlook.as_dict() if outlook else None,
    }


def _invalid(field: str, message: str, value) -> ApiError:
    return ApiError(422, "invalid", message, {field: value})


class SubscriptionFilter(Schema):
    customer: str = ""
    active: bool | None = None


@router.get("/subscriptions", response={200: list[SubscriptionOut], **ERRORS}, auth=needs(VIEW))
@paginate(Paging)
def subscriptions(request: HttpRequest, filters: Query[SubscriptionFilter]):
    found = Subscription.objects.select_related("customer", "product")
    if filters.customer:
        found = found.filter(customer__code=filters.customer)
    if filters.active is not None:
        found = found.filter(is_active=filters.active)
    return [subscription_out(s) for s in found.order_by("id")[:10_000]]


@router.post("/subscriptions", response={201: SubscriptionOut, **ERRORS}, auth=needs(ADD))
def create(request: HttpRequest, payload: SubscriptionIn):
    customer = Customer.objects.filter(code=payload.customer).first()
    if customer is None:
        raise _invalid(
            "customer", _("No customer %(code)s.") % {"code": payload.customer}, payload.customer
        )
    product = Product.objects.filter(sku=payload.sku).first()
    if product is None:
        raise _invalid("sku", _("No product %(sku)s.") % {"sku": payload.sku}, payload.sku)
    if Subscription.objects.filter(customer=customer, product=product).exists():
        raise ApiError(
            409, "conflict", _("This customer already has a subscription to this product.")
        )
    values = payload.dict(exclude={"customer", "sku"})
    subscription = actions.save_subscription(
        customer, {**values, "product": product}, actor=request.user
    )
    return Status(201, subscription_out(subscription))


def _subscription(pk: int) -> Subscription:
    return get_object_or_404(Subscription.objects.select_related("customer", "product"), pk=pk)


@router.get("/subscriptions/{pk}", response={200: SubscriptionOut, **ERRORS}, auth=needs(VIEW))
def detail(request: HttpRequest, pk: int):
    """The subscription with its outlook: level today, daily use, run-out dates."""
    subscription = _subscription(pk)
    return subscription_out(subscription, queries.outlook(subscription))


@router.patch("/subscriptions/{pk}", response={200: SubscriptionOut, **ERRORS}, auth=needs(EDIT))
def change(request: HttpRequest, pk: int, payload: SubscriptionPatch):
    subscription = _subscription(pk)
    values = payload.dict(exclude_unset=True)
    subscription = actions.save_subscription(
        subscription.customer, values, subscription=subscription, actor=request.user
    )
    return subscription_out(subscription)


@router.post("/subscriptions/{pk}/readings", response={201: ReadingOut, **ERRORS}, auth=needs(READ))
def read(request: HttpRequest, pk: int, payload: ReadingIn):
    """A level seen in the container, or what the customer said was left."""
    subscription = _subscription(pk)
    reading = actions.record_reading(
        subscription,
        payload.level,
        day=payload.day,
        source=payload.source,
        note=payload.note,
        actor=request.user,
    )
    return Status(
        201,
        {
            "id": reading.pk,
            "subscription": subscription.pk,
            "day": reading.day,
            "level": reading.level,
            "source": reading.source,
        },
    )


class PlanQuery(Schema):
    date: dt.date | None = None


@router.get("/plan", response={200: PlanOut, **ERRORS}, auth=needs(VIEW))
def plan(request: HttpRequest, params: Query[PlanQuery]):
    """Today's plan (or the plan of ``date``): the subscriptions likely to run out before
    the next delivery can reach them, most urgent first, with the quantity to bring."""
    day = params.date or queries.business_today()
    return {"date": day, "proposals": [proposed_row(p) for p in queries.todays_plan(day)]}


@router.post(
    "/plan/{subscription}/answer",
    response={201: AnswerOut, **ERRORS},
    auth=needs(ANSWER, "promising.add_order"),
)
def answer(request: HttpRequest, subscription: int, payload: AnswerIn):
    """What became of a proposal: ``accepted`` orders it through the promise engine (the
    answer carries the promise's decision); ``postponed``, ``declined``, ``still_had``."""
    day = payload.date or queries.business_today()
    proposed = queries.proposal_for(subscription, day)
    if proposed is None:
        raise ApiError(
            409,
            "not_proposed",
            _("The plan of %(day)s proposes nothing for this subscription.") % {"day": day},
        )
    target = proposed.subscription
    if payload.outcome == Outcome.ACCEPTED:
        proposal, promised = actions.order_proposal(
            target, proposed, quantity=payload.quantity, actor=request.user
        )
        return Status(
            201,
            {
                "subscription": target.pk,
                "outcome": proposal.outcome,
                "order": promised.order.number,
                "decision": promised.order.decision,
            },
        )
    proposal = actions.record_outcome(
        target,
        proposed,
        payload.outcome,
        postponed_until=payload.postponed_until,
        still_had=payload.still_had,
        actor=request.user,
    )
    return Status(201, {"subscription": target.pk, "outcome": proposal.outcome})
