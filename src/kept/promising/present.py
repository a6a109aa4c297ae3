"""The answer to a promise request, as the API and the promise desk show it."""

from __future__ import annotations

from kept.promising.engine import Evaluation, LineInput
from kept.promising.explain import explained
from kept.promising.ledger import reasons_of
from kept.promising.models import Order, OrderLine


def _parts(parts) -> list[dict]:
    return [{"quantity": q, "date": d, "to_procure": p} for q, d, p in parts]


def evaluation_answer(evaluation: Evaluation, lines: list[LineInput]) -> dict:
    """A dry run: the decision as it would be, with offers numbered from 1."""
    answer_lines = []
    for number, (line, decision) in enumerate(zip(lines, evaluation.lines, strict=True), 1):
        committed = decision.decision == "commit"
        answer_lines.append(
            {
                "line": number,
                "sku": line.product.sku,
                "decision": decision.decision,
                "status": None,
                "requested_quantity": line.quantity,
                "requested_date": line.requested_date,
                "promised_quantity": decision.quantity if committed else None,
                "promised_date": max(p[1] for p in decision.parts) if committed else None,
                "reasons": [explained(r) for r in decision.reasons],
                "offers": [
                    {"offer": i, "parts": _parts(o)} for i, o in enumerate(decision.offers, 1)
                ],
            }
        )
    return {"order": None, "decision": evaluation.decision, "accepted": None, "lines": answer_lines}


def line_answer(line: OrderLine, versions=None, offers=None) -> dict:
    """One line's answer; ``versions`` and ``offers`` default to the line's (prefetched) own."""
    versions = sorted(line.versions.all() if versions is None else versions, key=_number)
    latest = versions[-1] if versions and line.status == "promised" else None
    offers = line.offers.all() if offers is None else offers
    offers = sorted((o for o in offers if o.is_current), key=_number)
    return {
        "line": line.number,
        "sku": line.product.sku,
        "decision": line.decision,
        "status": line.status,
        "requested_quantity": line.requested_quantity,
        "requested_date": line.requested_date,
        "promised_quantity": latest.quantity if latest else None,
        "promised_date": latest.date if latest else None,
        "reasons": [explained(r) for r in reasons_of(line)],
        "offers": [{"offer": o.number, "parts": o.parts} for o in offers],
        "versions": [
            {
                "version": v.number,
                "kind": v.kind,
                "quantity": v.quantity,
                "date": v.date,
                "parts": v.parts,
                "reason": v.reason,
                "by": v.created_by.get_username() if v.created_by else None,
                "at": v.created_at,
            }
            for v in versions
        ],
    }


def _number(record) -> int:
    return record.number


def order_answer(order: Order, accepted: bool | None = None) -> dict:
    """The answer for an order read with ``queries.order_with_lines`` (relations prefetched)."""
    lines = sorted(order.lines.all(), key=_number)
    return _order_answer(order, [line_answer(line) for line in lines], accepted)


def new_order_answer(promised) -> dict:
    """The answer for an order just written (``actions.Promised``), without reading it back."""
    answers = [line_answer(r.line, r.versions, r.offers) for r in promised.lines]
    return _order_answer(promised.order, answers, None)


def _order_answer(order: Order, answers: list[dict], accepted: bool | None) -> dict:
    return {
        "order": order.number,
        "customer": order.customer.code,
        "decision": order.decision,
        "accepted": accepted,
        "ship_complete": order.ship_complete,
        "cancelled_by": order.cancelled_by or None,
        "created_at": order.created_at,
        "lines": answers,
    }
