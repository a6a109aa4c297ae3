"""The promise decision for a whole order, read from the database (no writes, no locks).

``promise_order`` calls this under the locks; a dry run calls it as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from kept.catalog.models import Product
from kept.customers.models import Customer
from kept.promising import queries
from kept.promising.atp import Timeline
from kept.promising.rules import (
    COMMIT,
    COUNTER,
    DECLINE,
    HOLD,
    CustomerFacts,
    LineDecision,
    LineRequest,
    Reason,
    decide_line,
    order_decision,
    order_reasons,
)

ZERO = Decimal(0)


@dataclass(frozen=True)
class LineInput:
    product: Product
    quantity: Decimal
    requested_date: date
    accept_partial: bool = False
    unit_price: Decimal | None = None

    def price(self) -> Decimal:
        return self.product.price if self.unit_price is None else self.unit_price

    def request(self) -> LineRequest:
        product = self.product
        return LineRequest(
            sku=product.sku,
            quantity=self.quantity,
            requested_date=self.requested_date,
            accept_partial=self.accept_partial,
            unit_price=self.price(),
            unit_cost=product.cost,
            sellable=product.sellable,
            delivery_lead_days=product.delivery_lead_days,
            replenishment_lead_days=product.replenishment_lead_days,
        )


@dataclass
class Evaluation:
    decision: str
    lines: list[LineDecision]
    figures: list[dict] = field(default_factory=list)


def _apply(timeline: Timeline, decision: LineDecision) -> Timeline:
    for quantity, day, to_procure in decision.parts:
        if not to_procure:
            timeline = timeline.with_commitment(quantity, day)
    return timeline


def _figures(timeline: Timeline, line: LineInput, today: date) -> dict:
    return {
        "today": today.isoformat(),
        "on_hand": str(timeline.on_hand),
        "atp_on_requested_date": str(timeline.atp(line.requested_date)),
        "pab_on_requested_date": str(timeline.pab(line.requested_date)),
    }


def evaluate(
    customer: Customer,
    lines: list[LineInput],
    *,
    ship_complete: bool = False,
    today: date | None = None,
    waived: frozenset[str] = frozenset(),
    facts: CustomerFacts | None = None,
) -> Evaluation:
    """Decide every line in order; later lines of the same product see earlier commitments.

    ``facts``: the customer's credit facts when the caller has read them already (with the
    customer, in ``queries.promise_subject``); else they are read here."""
    today = today or queries.business_today()
    policy = queries.policy_for(customer)
    facts = facts or queries.customer_facts(customer, today)
    order_value = sum((line.quantity * line.price() for line in lines), ZERO)
    shared = order_reasons(facts, policy, order_value)
    product_timelines = queries.timelines({line.product.pk for line in lines}, today)
    start = dict(product_timelines)
    decisions, figures = [], []
    for line in lines:
        current = product_timelines[line.product.pk]
        figures.append(_figures(current, line, today))
        decision = decide_line(line.request(), current, policy, today, shared, waived)
        if decision.decision == COMMIT:
            product_timelines[line.product.pk] = _apply(current, decision)
        decisions.append(decision)
    if ship_complete and len(lines) > 1:
        decisions = _ship_complete(lines, decisions, start, today)
    return Evaluation(order_decision(d.decision for d in decisions), decisions, figures)


def _ship_complete(lines, decisions, timelines, today) -> list[LineDecision]:
    """One shipment: every line on one date, no partial deliveries."""
    effects = {d.decision for d in decisions}
    if effects == {COMMIT} and len({d.parts[0][1] for d in decisions}) == 1:
        return decisions
    if DECLINE in effects or HOLD in effects:
        worst = DECLINE if DECLINE in effects else HOLD
        blocking = next(n for n, d in enumerate(decisions, 1) if d.decision == worst)
        reason = Reason("SHIP_COMPLETE", worst, {"line": blocking})
        return [
            d if d.decision == worst else LineDecision(worst, (*d.reasons, reason))
            for d in decisions
        ]
    common = _common_date(lines, decisions, dict(timelines), today)
    if common is None:
        return [
            LineDecision(DECLINE, (*d.reasons, Reason("SHIP_COMPLETE", DECLINE, {"line": 0})))
            for d in decisions
        ]
    day, parts = common
    reason = Reason("SHIP_COMPLETE", COUNTER, {"date": day.isoformat()})
    return [
        LineDecision(COUNTER, (*d.reasons, reason), offers=((part,),))
        for d, part in zip(decisions, parts, strict=True)
    ]


def _common_date(lines, decisions, timelines, today):
    """The first date on which every line can be promised in full, and each line's part."""
    candidates = []
    for line, decision in zip(lines, decisions, strict=True):
        dates = [p[1] for p in decision.parts] + [p[1] for offer in decision.offers for p in offer]
        candidates.append(max([line.requested_date, *dates]))
    day = max(candidates)
    for _attempt in range(400):
        parts, local = [], dict(timelines)
        for line in lines:
            part = _part_on(local[line.product.pk], line, day, today)
            if part is None:
                break
            parts.append(part)
            if not part[2]:
                local[line.product.pk] = local[line.product.pk].with_commitment(part[0], day)
        else:
            return day, parts
        day += timedelta(days=1)
    return None


def _part_on(timeline: Timeline, line: LineInput, day: date, today: date):
    if timeline.atp(day) >= line.quantity:
        return (line.quantity, day, False)
    lead = line.product.replenishment_lead_days
    if lead is not None and day >= today + timedelta(days=lead):
        return (line.quantity, day, True)
    return None
