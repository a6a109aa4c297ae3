"""/api/v1/orders, /availability: the promise engine over REST."""

from __future__ import annotations

from datetime import date, timedelta

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field as SchemaField
from ninja import Query, Router, Schema, Status

from kept.catalog import actions as catalog_actions
from kept.catalog.models import Product, Receipt
from kept.core import dates
from kept.core.api_support import ERRORS, ApiError, needs
from kept.customers.models import Customer
from kept.promising import actions, queries, supply
from kept.promising.engine import LineInput
from kept.promising.models import Order
from kept.promising.present import evaluation_answer, new_order_answer, order_answer
from kept.promising.schemas import (
    AcceptIn,
    AtRiskList,
    AvailabilityOut,
    CancelIn,
    ChangeIn,
    DecisionOut,
    DelayIn,
    OrderIn,
    OrderOut,
    OrderPage,
    ReasonIn,
    WriteOffIn,
)

router = Router(tags=["promising"])
VIEW, PROMISE, APPROVE = "promising.view_order", "promising.add_order", "promising.approve_hold"
CHANGE = "promising.change_order"
MAX_DAYS = 366


def _inputs(payload: OrderIn) -> list[LineInput]:
    skus = {line.sku for line in payload.lines}
    products = {p.sku: p for p in Product.objects.filter(sku__in=skus)}
    missing = sorted(skus - products.keys())
    if missing:
        raise ApiError(
            422,
            "invalid",
            _("Unknown SKU: %(skus)s.") % {"skus": ", ".join(missing)},
            {"lines": missing},
        )
    return [
        LineInput(
            products[line.sku],
            line.quantity,
            line.requested_date,
            line.accept_partial,
            line.unit_price,
        )
        for line in payload.lines
    ]


def _order(number: str) -> Order:
    return get_object_or_404(Order, number=number)


def _answer(number: str, accepted: bool | None = None) -> dict:
    return order_answer(queries.order_with_lines(number), accepted)


@router.post(
    "/orders", response={200: DecisionOut, 201: DecisionOut, **ERRORS}, auth=needs(PROMISE)
)
def promise(request: HttpRequest, payload: OrderIn):
    """Decide every line: commit, counter (with offers), hold (a manager decides) or decline."""
    # a dry run reads the customer with its credit facts at once; a real decision reads them
    # again under the customer's lock
    if payload.dry_run:
        customer, facts = queries.promise_subject(queries.business_today(), code=payload.customer)
    else:
        customer, facts = Customer.objects.filter(code=payload.customer).only("pk").first(), None
    if customer is None:
        raise ApiError(
            422,
            "invalid",
            _("No customer with code %(code)s.") % {"code": payload.customer},
            {"customer": payload.customer},
        )
    lines = _inputs(payload)
    if payload.dry_run:
        evaluation = actions.check_order(
            customer, lines, ship_complete=payload.ship_complete, facts=facts
        )
        return evaluation_answer(evaluation, lines)
    promised = actions.promise_new_order(
        customer, lines, ship_complete=payload.ship_complete, note=payload.note, actor=request.user
    )
    return Status(201, new_order_answer(promised))


@router.post("/orders/{number}/accept", response={200: DecisionOut, **ERRORS}, auth=needs(CHANGE))
def accept(request: HttpRequest, number: str, payload: AcceptIn):
    """Accept a counter-offer: re-checked now; if the stock is gone, fresh offers come back."""
    result = actions.accept_offer(_order(number), payload.line, payload.offer, actor=request.user)
    return _answer(number, result.accepted)


@router.post("/orders/{number}/approve", response={200: DecisionOut, **ERRORS}, auth=needs(APPROVE))
def approve(request: HttpRequest, number: str, payload: ReasonIn):
    actions.approve_hold(_order(number), actor=request.user, reason=payload.reason)
    return _answer(number)


@router.post("/orders/{number}/reject", response={200: DecisionOut, **ERRORS}, auth=needs(APPROVE))
def reject(request: HttpRequest, number: str, payload: ReasonIn):
    actions.reject_hold(_order(number), actor=request.user, reason=payload.reason)
    return _answer(number)


@router.post(
    "/orders/{number}/lines/{line}/change", response={200: OrderOut, **ERRORS}, auth=needs(CHANGE)
)
def change(request: HttpRequest, number: str, line: int, payload: ChangeIn):
    """A new promise version: *agreed* with the customer, or *unilateral*."""
    order_line = get_object_or_404(_order(number).lines, number=line)
    actions.change_promise(
        order_line,
        payload.quantity,
        payload.date,
        kind=payload.kind,
        reason=payload.reason,
        actor=request.user,
    )
    return _answer(number)


@router.post("/orders/{number}/cancel", response={200: OrderOut, **ERRORS}, auth=needs(CHANGE))
def cancel(request: HttpRequest, number: str, payload: CancelIn):
    actions.cancel_order(_order(number), by=payload.by, reason=payload.reason, actor=request.user)
    return _answer(number)


@router.get("/orders/{number}", response={200: OrderOut, **ERRORS}, auth=needs(VIEW))
def get_order(request: HttpRequest, number: str):
    """The order with every line's promise ledger (versions, newest last)."""
    _order(number)
    return _answer(number)


class OrderQuery(Schema):
    customer: str = SchemaField("", max_length=32)
    decision: str = SchemaField("", max_length=8)
    limit: int = SchemaField(50, ge=1, le=500)
    offset: int = SchemaField(0, ge=0, le=10_000_000)


@router.get("/orders", response={200: OrderPage, **ERRORS}, auth=needs(VIEW))
def list_orders(request: HttpRequest, query: Query[OrderQuery]):
    orders = queries.order_list(customer=query.customer, decision=query.decision)
    items = [
        {
            "order": o.number,
            "customer": o.customer.code,
            "decision": o.decision,
            "cancelled_by": o.cancelled_by or None,
            "created_at": o.created_at,
            "lines": o.line_count,
        }
        for o in orders[query.offset : query.offset + query.limit]
    ]
    return {"count": orders.count(), "items": items}


class AvailabilityQuery(Schema):
    from_: date | None = SchemaField(None, alias="from")
    to: date | None = None


@router.get(
    "/availability/{sku}",
    response={200: AvailabilityOut, **ERRORS},
    auth=needs("catalog.view_product"),
)
def availability(request: HttpRequest, sku: str, query: Query[AvailabilityQuery]):
    """PAB and ATP per calendar day (default: today and the next 27 days, at most 366 days)."""
    product = get_object_or_404(Product, sku=sku)
    start = query.from_ or queries.business_today()
    if not dates.in_range(start, *([query.to] if query.to else [])):
        raise ApiError(422, "invalid", str(dates.OUT_OF_RANGE), {"from": str(start)})
    end = query.to or start + timedelta(days=27)
    if end < start or (end - start).days >= MAX_DAYS:
        raise ApiError(
            422,
            "invalid",
            _("Choose a range of 1 to 366 days, from before to."),
            {"from": str(start), "to": str(end)},
        )
    found = queries.availability(product, start, end)
    return {"sku": sku, "on_hand": found.on_hand, "days": found.days}


def _at_risk(products=None) -> dict:
    items = [
        {
            "order": r.line.order.number,
            "line": r.line.number,
            "customer": r.line.order.customer.code,
            "sku": r.line.product.sku,
            "quantity": r.commitment.quantity,
            "date": r.commitment.date,
            "proposed_date": r.proposal.date if r.proposal else None,
            "to_procure": bool(r.proposal and r.proposal.to_procure),
            "message": r.message,
        }
        for r in supply.at_risk(products)
    ]
    return {"count": len(items), "items": items}


class AtRiskQuery(Schema):
    sku: str = SchemaField("", max_length=32)


@router.get("/promises/at-risk", response={200: AtRiskList, **ERRORS}, auth=needs(VIEW))
def promises_at_risk(request: HttpRequest, query: Query[AtRiskQuery]):
    """Open promises that supply no longer covers, with a proposed date and a draft message."""
    products = list(Product.objects.filter(sku=query.sku)) if query.sku else None
    return _at_risk(products)


@router.post(
    "/supply/receipts/{receipt_id}/delay",
    response={200: AtRiskList, **ERRORS},
    auth=needs("catalog.change_receipt"),
)
def delay_receipt(request: HttpRequest, receipt_id: int, payload: DelayIn):
    """Move a receipt to a later date; answers with the promises now at risk."""
    receipt = get_object_or_404(Receipt, pk=receipt_id)
    catalog_actions.reschedule_receipt(
        receipt, payload.expected_date, actor=request.user, reason=payload.reason
    )
    return _at_risk([receipt.product])


@router.post(
    "/supply/receipts/{receipt_id}/cancel",
    response={200: AtRiskList, **ERRORS},
    auth=needs("catalog.change_receipt"),
)
def cancel_receipt(request: HttpRequest, receipt_id: int, payload: ReasonIn):
    receipt = get_object_or_404(Receipt, pk=receipt_id)
    catalog_actions.cancel_receipt(receipt, actor=request.user, reason=payload.reason)
    return _at_risk([receipt.product])


@router.post(
    "/supply/write-offs",
    response={200: AtRiskList, **ERRORS},
    auth=needs("catalog.add_stockmovement"),
)
def write_off(request: HttpRequest, payload: WriteOffIn):
    """Write stock off (damaged, lost); answers with the promises now at risk."""
    product = get_object_or_404(Product, sku=payload.sku)
    catalog_actions.record_manual_movement(
        product, -payload.quantity, "write_off", note=payload.reason, actor=request.user
    )
    return _at_risk([product])
