"""Writes of the promise engine. The check and the write are one transaction under locks:
the customer row (credit), then each product's stock row in id order (ATP)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kept.catalog.models import StockLevel
from kept.core import audit
from kept.core.db import retry_on_conflict
from kept.customers.models import Customer
from kept.fulfilment import scores
from kept.promising import queries
from kept.promising.choices import CancelledBy, Decision, LineStatus, VersionKind
from kept.promising.engine import Evaluation, LineInput, evaluate
from kept.promising.ledger import RecordedLine, record_decision, record_new_lines, write_version
from kept.promising.models import Order, OrderLine
from kept.promising.rules import HOLD, order_decision

APPROVE = "promising.approve_hold"


def _lock(customer_id: int, product_ids) -> None:
    _lock_customer(customer_id)
    _lock_stock(product_ids)


def _lock_customer(customer_id: int) -> None:
    list(Customer.objects.select_for_update().filter(pk=customer_id).values_list("pk", flat=True))


def _lock_stock(product_ids) -> None:
    list(
        StockLevel.objects.select_for_update()
        .filter(product_id__in=sorted(set(product_ids)))
        .order_by("product_id")
        .values_list("pk", flat=True)
    )


def _refresh_order_decision(order: Order) -> None:
    decisions = [
        d for d, s in order.lines.values_list("decision", "status") if s != LineStatus.CANCELLED
    ]
    order.decision = order_decision(decisions) if decisions else Decision.DECLINE
    order.save(update_fields=["decision"])


def _validate(lines: list[LineInput]) -> None:
    if not lines:
        raise ValidationError({"lines": _("An order needs at least one line.")})
    for number, line in enumerate(lines, 1):
        if line.quantity <= 0:
            raise ValidationError(
                {"lines": _("Line %(n)s: the quantity must be more than zero.") % {"n": number}}
            )
        if line.unit_price is not None and line.unit_price < 0:
            raise ValidationError(
                {"lines": _("Line %(n)s: the price cannot be negative.") % {"n": number}}
            )


def check_order(
    customer: Customer, lines: list[LineInput], *, ship_complete: bool = False, facts=None
) -> Evaluation:
    """The decision promise_order would make now, writing nothing (a dry run). ``facts``:
    the customer's credit facts if read already (``queries.promise_subject``)."""
    _validate(lines)
    return evaluate(customer, lines, ship_complete=ship_complete, facts=facts)


@dataclass
class Promised:
    """A new order as written: its lines with their versions and offers, and the evaluation."""

    order: Order
    lines: list[RecordedLine]
    evaluation: Evaluation


def promise_order(
    customer: Customer,
    lines: list[LineInput],
    *,
    ship_complete: bool = False,
    note: str = "",
    actor=None,
) -> tuple[Order, Evaluation]:
    """Decide and record a new order: commitments for what is promised, offers for the rest."""
    promised = promise_new_order(
        customer, lines, ship_complete=ship_complete, note=note, actor=actor
    )
    return promised.order, promised.evaluation


@retry_on_conflict()
def promise_new_order(
    customer: Customer,
    lines: list[LineInput],
    *,
    ship_complete: bool = False,
    note: str = "",
    actor=None,
) -> Promised:
    """``promise_order`` with everything it wrote, for an answer without reading it back."""
    _validate(lines)
    # credit first (the customer row), then stock: the products' rows are the contended ones,
    # so they are locked last and held for as short a time as can be
    today = queries.business_today()
    customer, facts = queries.promise_subject(today, pk=customer.pk, lock=True)
    _lock_stock([line.product.pk for line in lines])
    result = evaluate(customer, lines, ship_complete=ship_complete, today=today, facts=facts)
    order = Order.objects.create(
        number=f"tmp-{uuid.uuid4().hex[:12]}",
        customer=customer,
        ship_complete=ship_complete,
        decision=result.decision,
        note=note,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    order.number = f"SO-{order.pk:06d}"
    order.save(update_fields=["number"])
    recorded = record_new_lines(order, lines, result.lines, result.figures, actor=actor)
    return Promised(order, recorded, result)


def _inputs(lines) -> list[LineInput]:
    return [
        LineInput(
            line.product,
            line.requested_quantity,
            line.requested_date,
            line.accept_partial,
            line.unit_price,
        )
        for line in lines
    ]


def _feasible(parts: list[dict], timeline, product, today: date) -> bool:
    for part in parts:
        quantity, day = Decimal(part["quantity"]), date.fromisoformat(part["date"])
        if day < today:
            return False
        if part["to_procure"]:
            lead = product.replenishment_lead_days
            if lead is None or day < today + timedelta(days=lead):
                return False
        elif timeline.atp(day) < quantity:
            return False
        else:
            timeline = timeline.with_commitment(quantity, day)
    return True


@dataclass(frozen=True)
class Acceptance:
    accepted: bool
    order: Order


@retry_on_conflict()
def accept_offer(order: Order, line_number: int, offer_number: int, *, actor=None) -> Acceptance:
    """Re-check the offer under the locks: commit it, or answer with fresh offers."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    lines = list(order.lines.select_related("product").order_by("number"))
    chosen = [line for line in lines if order.ship_complete or line.number == line_number]
    if not any(line.number == line_number for line in chosen):
        raise ValidationError({"line": _("This order has no line %(n)s.") % {"n": line_number}})
    if order.is_cancelled():
        raise ValidationError(_("This order was cancelled."))
    _lock(order.customer_id, [line.product_id for line in chosen])
    offers = {}
    for line in chosen:
        offer = line.offers.filter(number=offer_number, is_current=True).first()
        if line.status == LineStatus.OFFERED and offer is None and line.number == line_number:
            raise ValidationError(
                {"offer": _("Offer %(n)s is not open on this line.") % {"n": offer_number}}
            )
        if offer is not None:
            offers[line.pk] = offer
    if not offers:
        raise ValidationError(
            {"offer": _("Offer %(n)s is not open on this line.") % {"n": offer_number}}
        )
    today = queries.business_today()
    product_timelines = queries.timelines({line.product_id for line in chosen}, today)
    if all(
        _feasible(offers[line.pk].parts, product_timelines[line.product_id], line.product, today)
        for line in chosen
        if line.pk in offers
    ):
        for line in chosen:
            if line.pk in offers:
                _accept(line, offers[line.pk], actor, product_timelines[line.product_id], today)
        _refresh_order_decision(order)
        return Acceptance(True, order)
    fresh = evaluate(order.customer, _inputs(chosen), ship_complete=order.ship_complete)
    for line, decision, figures in zip(chosen, fresh.lines, fresh.figures, strict=True):
        record_decision(line, decision, actor=actor, figures=figures)
    _refresh_order_decision(order)
    return Acceptance(False, order)


def _accept(line: OrderLine, offer, actor, timeline, today: date) -> None:
    parts = [
        (Decimal(p["quantity"]), date.fromisoformat(p["date"]), p["to_procure"])
        for p in offer.parts
    ]
    figures = {
        "today": today.isoformat(),
        "on_hand": str(timeline.on_hand),
        "atp": {d.isoformat(): str(timeline.atp(d)) for _q, d, _p in parts},
    }
    write_version(
        line,
        parts,
        VersionKind.INITIAL,
        actor=actor,
        figures=figures,
        reason=_("Counter-offer %(n)s accepted.") % {"n": offer.number},
    )
    line.offers.filter(is_current=True).update(is_current=False)
    line.decision, line.status, line.decided_at = (
        Decision.COMMIT,
        LineStatus.PROMISED,
        timezone.now(),
    )
    line.save(update_fields=["decision", "status", "decided_at"])


def _require_manager(actor, reason: str) -> None:
    if actor is None or not actor.has_perm(APPROVE):
        raise PermissionDenied(_("Only a manager may approve or reject a held order."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the decision.")})


def _held(order: Order) -> list[OrderLine]:
    lines = list(
        order.lines.select_related("product").filter(status=LineStatus.HELD).order_by("number")
    )
    if not lines:
        raise ValidationError(_("Nothing on this order is waiting for approval."))
    return lines


@retry_on_conflict()
def approve_hold(order: Order, *, actor, reason: str) -> Order:
    """A manager waives the soft rules that held the order; stock is checked again now."""
    _require_manager(actor, reason)
    order = Order.objects.select_for_update().get(pk=order.pk)  # one approval at a time
    held = _held(order)
    _lock(order.customer_id, [line.product_id for line in held])
    waived = frozenset(r["code"] for line in held for r in line.reasons if r["effect"] == HOLD)
    waived |= {"SHIP_COMPLETE"} if order.ship_complete else set()
    result = evaluate(
        order.customer, _inputs(held), ship_complete=order.ship_complete, waived=waived
    )
    for line, decision, figures in zip(held, result.lines, result.figures, strict=True):
        record_decision(
            line, decision, actor=actor, figures={**figures, "approved": sorted(waived)}
        )
    _refresh_order_decision(order)
    audit.record(actor, "order.approve", order, reason=reason, changes={"waived": sorted(waived)})
    return order


@transaction.atomic
def reject_hold(order: Order, *, actor, reason: str) -> Order:
    _require_manager(actor, reason)
    order = Order.objects.select_for_update().get(pk=order.pk)
    held = _held(order)
    for line in held:
        line.decision, line.status, line.decided_at = (
            Decision.DECLINE,
            LineStatus.DECLINED,
            timezone.now(),
        )
        line.save(update_fields=["decision", "status", "decided_at"])
    _refresh_order_decision(order)
    declined = {str(line.number): [LineStatus.HELD, LineStatus.DECLINED] for line in held}
    audit.record(actor, "order.reject", order, reason=reason, changes={"lines": declined})
    return order


@retry_on_conflict()
def change_promise(
    line: OrderLine, quantity: Decimal, day: date, *, kind: str, reason: str, actor=None
) -> OrderLine:
    """A new version of a kept promise. *Agreed* versions reset what service level measures;
    *unilateral* ones do not. The new promise must be feasible like any other."""
    if kind not in (VersionKind.AGREED, VersionKind.UNILATERAL):
        raise ValidationError({"kind": _("Choose agreed or unilateral.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the promise changes.")})
    # The order row first (as cancel_order does), so a concurrent cancel waits or wins cleanly.
    list(Order.objects.select_for_update().filter(pk=line.order_id).values_list("pk", flat=True))
    line = OrderLine.objects.select_related("product", "order").get(pk=line.pk)
    if line.status != LineStatus.PROMISED:
        raise ValidationError(_("Only a promised line can be changed."))
    if quantity <= 0:
        raise ValidationError({"quantity": _("The quantity must be more than zero.")})
    _lock(line.order.customer_id, [line.product_id])
    line.commitments.filter(is_open=True).update(
        is_open=False
    )  # the line's own stock is free again
    today = queries.business_today()
    timeline = queries.timeline(line.product, today)
    part = {"quantity": str(quantity), "date": day.isoformat(), "to_procure": False}
    if not _feasible([part], timeline, line.product, today):
        part["to_procure"] = True
        if not _feasible([part], timeline, line.product, today):
            earliest = timeline.earliest_date(
                quantity, max(day, today), line.product.replenishment_lead_days
            )
            raise ValidationError(
                {
                    "date": _(
                        "%(quantity)s cannot be promised for %(date)s; the earliest date is "
                        "%(earliest)s."
                    )
                    % {
                        "quantity": quantity,
                        "date": day,
                        "earliest": earliest.date if earliest else "—",
                    }
                }
            )
    write_version(
        line,
        [(quantity, day, part["to_procure"])],
        kind,
        actor=actor,
        reason=reason,
        figures={"today": today.isoformat(), "atp": str(timeline.atp(day))},
    )
    audit.record(
        actor,
        f"promise.{kind}",
        line.order,
        reason=reason,
        changes={"line": line.number, "quantity": str(quantity), "date": day.isoformat()},
    )
    return line


@transaction.atomic
def cancel_order(order: Order, *, by: str, reason: str = "", actor=None) -> Order:
    """Cancel every open line; the stock they held is free at once. The ledger stays."""
    if by not in CancelledBy.values:
        raise ValidationError({"by": _("Say who cancelled: the customer or us.")})
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.is_cancelled():
        raise ValidationError(_("This order is already cancelled."))
    for line in order.lines.all():
        line.commitments.filter(is_open=True).update(is_open=False)
        line.offers.filter(is_current=True).update(is_current=False)
    order.lines.update(status=LineStatus.CANCELLED)
    order.cancelled_at, order.cancelled_by = timezone.now(), by
    order.save(update_fields=["cancelled_at", "cancelled_by"])
    scores.mark_orders([order.pk])
    audit.record(actor, "order.cancel", order, reason=reason, changes={"by": by})
    return order
