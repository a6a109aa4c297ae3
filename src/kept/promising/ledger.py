"""Writing decisions: promise versions (never edited), commitments, offers."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from kept.fulfilment import scores
from kept.promising.choices import Decision, LineStatus, VersionKind
from kept.promising.models import Commitment, Offer, Order, OrderLine, PromiseVersion
from kept.promising.rules import LineDecision, Reason

THOUSANDTH = Decimal("0.001")
STATUS = {
    Decision.COMMIT: LineStatus.PROMISED,
    Decision.COUNTER: LineStatus.OFFERED,
    Decision.HOLD: LineStatus.HELD,
    Decision.DECLINE: LineStatus.DECLINED,
}


def parts_json(parts) -> list[dict]:
    return [
        {"quantity": str(Decimal(q).quantize(THOUSANDTH)), "date": d.isoformat(), "to_procure": p}
        for q, d, p in parts
    ]


def write_version(line: OrderLine, parts, kind: str, *, actor, reason: str = "", figures=None):
    """Append the next promise version and replace the line's open commitments with its parts."""
    number = (line.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    by = actor if getattr(actor, "is_authenticated", False) else None
    version = _version(line, number, parts, kind, by, figures, reason, timezone.now())
    version.save(force_insert=True)
    if number == 1 or kind == VersionKind.AGREED:  # a unilateral change moves no target
        governing = _governing(parts)
        OrderLine.objects.filter(pk=line.pk).update(**governing)
        for name, value in governing.items():
            setattr(line, name, value)
        scores.mark_orders([line.order_id])
    line.commitments.filter(is_open=True).update(is_open=False)
    Commitment.objects.bulk_create(_commitment(line, version, part) for part in parts)
    return version


@dataclass
class RecordedLine:
    """A line as just written, with its versions and offers (to answer without re-reading)."""

    line: OrderLine
    versions: list[PromiseVersion] = field(default_factory=list)
    offers: list[Offer] = field(default_factory=list)


def record_new_lines(order: Order, lines, decisions, figures, *, actor) -> list[RecordedLine]:
    """The lines of a new order with their first decisions, in one insert per table.

    ``lines``: LineInput-like (product, quantity, requested_date, accept_partial, price());
    ``decisions``: the LineDecision of each; ``figures``: what each decision saw."""
    now = timezone.now()
    by = actor if getattr(actor, "is_authenticated", False) else None
    rows = OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            number=number,
            product=line.product,
            requested_quantity=Decimal(line.quantity).quantize(THOUSANDTH),
            requested_date=line.requested_date,
            accept_partial=line.accept_partial,
            unit_price=line.price(),
            unit_cost=line.product.cost,
            decision=decision.decision,
            status=STATUS[decision.decision],
            reasons=_reasons_json(decision),
            decided_at=now,
            **_governing(decision.parts if decision.decision == Decision.COMMIT else None),
        )
        for number, (line, decision) in enumerate(zip(lines, decisions, strict=True), 1)
    )
    recorded = [RecordedLine(row) for row in rows]
    committed = [
        (entry, decision, figure)
        for entry, decision, figure in zip(recorded, decisions, figures, strict=True)
        if decision.decision == Decision.COMMIT
    ]
    versions = PromiseVersion.objects.bulk_create(
        _version(entry.line, 1, decision.parts, VersionKind.INITIAL, by, figure, "", now)
        for entry, decision, figure in committed
    )
    for (entry, _decision, _figure), version in zip(committed, versions, strict=True):
        entry.versions.append(version)
    Commitment.objects.bulk_create(
        _commitment(entry.line, version, part)
        for (entry, decision, _figure), version in zip(committed, versions, strict=True)
        for part in decision.parts
    )
    for entry, decision in zip(recorded, decisions, strict=True):
        if decision.decision == Decision.COUNTER:
            entry.offers = _offers(entry.line, decision.offers, start=1)
    Offer.objects.bulk_create(offer for entry in recorded for offer in entry.offers)
    if committed:
        scores.mark_orders([order.pk])
    return recorded


def _offers(line: OrderLine, offers, *, start: int) -> list[Offer]:
    return [
        Offer(line=line, number=start + index, parts=parts_json(offer))
        for index, offer in enumerate(offers)
    ]


def _governing(parts) -> dict:
    """The line's fields service level measures against, for a first or agreed version."""
    if not parts:
        return {}
    return {
        "governing_quantity": sum((q for q, _d, _p in parts), Decimal(0)).quantize(THOUSANDTH),
        "governing_date": max(d for _q, d, _p in parts),
    }


def governing_fields(versions) -> dict:
    """Governing quantity and date of a line from its versions (objects with ``number``,
    ``kind``, ``quantity``, ``date``): the latest agreed version, else the first."""
    ordered = sorted(versions, key=lambda v: v.number)
    agreed = [v for v in ordered if v.kind == VersionKind.AGREED]
    chosen = agreed[-1] if agreed else (ordered[0] if ordered else None)
    if chosen is None:
        return {}
    return {"governing_quantity": chosen.quantity, "governing_date": chosen.date}


def _reasons_json(decision: LineDecision) -> list[dict]:
    return [{"code": r.code, "effect": r.effect, "details": r.details} for r in decision.reasons]


def _version(line, number, parts, kind, by, figures, reason, now) -> PromiseVersion:
    return PromiseVersion(
        line=line,
        number=number,
        kind=kind,
        quantity=sum((q for q, _d, _p in parts), Decimal(0)).quantize(THOUSANDTH),
        date=max(d for _q, d, _p in parts),
        parts=parts_json(parts),
        reason=reason,
        figures=figures or {},
        created_by=by,
        created_at=now,
    )


def _commitment(line, version, part) -> Commitment:
    quantity, day, to_procure = part
    return Commitment(
        line=line,
        version=version,
        product_id=line.product_id,
        date=day,
        quantity=quantity,
        to_procure=to_procure,
    )


def record_decision(line: OrderLine, decision: LineDecision, *, actor, figures=None) -> None:
    """Store the line's decision: a first promise, fresh offers, or the reasons for hold/decline."""
    line.decision = decision.decision
    line.status = STATUS[decision.decision]
    line.reasons = _reasons_json(decision)
    line.decided_at = timezone.now()
    line.save(update_fields=["decision", "status", "reasons", "decided_at"])
    line.offers.filter(is_current=True).update(is_current=False)
    if decision.decision == Decision.COMMIT:
        write_version(line, decision.parts, VersionKind.INITIAL, actor=actor, figures=figures)
    elif decision.decision == Decision.COUNTER:
        start = (line.offers.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        Offer.objects.bulk_create(_offers(line, decision.offers, start=start))


def reasons_of(line: OrderLine) -> list[Reason]:
    """The stored reasons of the line's last decision (explained in the reader's language)."""
    return [Reason(r["code"], r["effect"], r["details"]) for r in line.reasons]
