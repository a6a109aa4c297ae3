"""Writing decisions: promise versions (never edited), commitments, offers."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from kept.promising.choices import Decision, LineStatus, VersionKind
from kept.promising.models import Commitment, Offer, OrderLine, PromiseVersion
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
    version = PromiseVersion.objects.create(
        line=line,
        number=number,
        kind=kind,
        quantity=sum((q for q, _d, _p in parts), Decimal(0)),
        date=max(d for _q, d, _p in parts),
        parts=parts_json(parts),
        reason=reason,
        figures=figures or {},
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    line.commitments.filter(is_open=True).update(is_open=False)
    Commitment.objects.bulk_create(
        Commitment(
            line=line, version=version, product_id=line.product_id, date=d, quantity=q, to_procure=p
        )
        for q, d, p in parts
    )
    return version


def record_decision(line: OrderLine, decision: LineDecision, *, actor, figures=None) -> None:
    """Store the line's decision: a first promise, fresh offers, or the reasons for hold/decline."""
    line.decision = decision.decision
    line.status = STATUS[decision.decision]
    line.reasons = [
        {"code": r.code, "effect": r.effect, "details": r.details} for r in decision.reasons
    ]
    line.decided_at = timezone.now()
    line.save(update_fields=["decision", "status", "reasons", "decided_at"])
    line.offers.filter(is_current=True).update(is_current=False)
    if decision.decision == Decision.COMMIT:
        write_version(line, decision.parts, VersionKind.INITIAL, actor=actor, figures=figures)
    elif decision.decision == Decision.COUNTER:
        start = (line.offers.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        Offer.objects.bulk_create(
            Offer(line=line, number=start + index, parts=parts_json(offer))
            for index, offer in enumerate(decision.offers)
        )


def reasons_of(line: OrderLine) -> list[Reason]:
    """The stored reasons of the line's last decision (explained in the reader's language)."""
    return [Reason(r["code"], r["effect"], r["details"]) for r in line.reasons]
