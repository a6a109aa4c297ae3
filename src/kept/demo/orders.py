"""Saving the decided history: orders, lines, the promise ledger, commitments (all closed),
offers, and the audit entries of the people who acted on them. Bulk inserts, in time order."""

from __future__ import annotations

from kept.core.models import AuditEntry
from kept.demo.history import OrderPlan
from kept.promising.ledger import governing_fields, parts_json
from kept.promising.models import Commitment, Offer, Order, OrderLine, PromiseVersion

BATCH = 1000
ORDER_TYPE = Order._meta.label_lower


def save_orders(plans: list[OrderPlan]) -> dict[str, int]:
    """Insert the plans (numbered, sorted by time). Returns row counts per table."""
    orders = [
        Order(
            number=plan.number,
            customer=plan.buyer.customer,
            decision=plan.decision,
            note=plan.note,
            cancelled_at=plan.cancelled_at,
            cancelled_by=plan.cancelled_by,
            created_by=plan.by,
            created_at=plan.at,
        )
        for plan in plans
    ]
    _insert(Order, orders)
    lines, pairs = [], []
    for plan, order in zip(plans, orders, strict=True):
        plan.pk = order.pk
        for row in plan.lines:
            line = OrderLine(
                order=order,
                number=row.number,
                product=row.line.product,
                requested_quantity=row.line.quantity,
                requested_date=row.line.requested_date,
                accept_partial=row.line.accept_partial,
                unit_price=row.line.price(),
                unit_cost=row.line.product.cost,
                decision=row.decision,
                status=row.status,
                reasons=row.reasons,
                decided_at=row.decided_at,
                **governing_fields(row.versions),
            )
            lines.append(line)
            pairs.append((row, line))
    _insert(OrderLine, lines)
    versions, offers, owners = [], [], []
    for row, line in pairs:
        row.pk = line.pk
        for plan_version in row.versions:
            version = PromiseVersion(
                line=line,
                number=plan_version.number,
                kind=plan_version.kind,
                quantity=plan_version.quantity,
                date=plan_version.date,
                parts=parts_json(plan_version.parts),
                reason=plan_version.reason,
                figures=plan_version.figures,
                created_by=plan_version.by,
                created_at=plan_version.at,
            )
            versions.append(version)
            owners.append((plan_version, line))
        offers.extend(
            Offer(
                line=line, number=number, parts=parts_json(parts), created_at=at, is_current=False
            )
            for number, parts, at in row.offers
        )
    _insert(PromiseVersion, versions)
    Offer.objects.bulk_create(offers, batch_size=BATCH)
    commitments = [
        Commitment(
            line=line,
            version=version,
            product_id=line.product_id,
            date=day,
            quantity=quantity,
            to_procure=to_procure,
            is_open=False,  # delivered (or replaced by a later version): nothing held today
        )
        for version, (plan_version, line) in zip(versions, owners, strict=True)
        for quantity, day, to_procure in plan_version.parts
    ]
    Commitment.objects.bulk_create(commitments, batch_size=BATCH)
    entries = [
        AuditEntry(
            at=at,
            actor=actor,
            action=action,
            object_type=ORDER_TYPE,
            object_id=str(plan.pk),
            object_repr=plan.number,
            reason=reason,
            changes=changes,
        )
        for plan in plans
        for action, at, actor, reason, changes in plan.events
    ]
    AuditEntry.objects.bulk_create(entries, batch_size=BATCH)
    return {
        "orders": len(orders),
        "lines": len(lines),
        "versions": len(versions),
        "commitments": len(commitments),
        "offers": len(offers),
        "audit": len(entries),
    }


def _insert(model, rows: list) -> None:
    """Bulk insert; the database hands the new ids back (SQLite ≥ 3.35, PostgreSQL)."""
    model.objects.bulk_create(rows, batch_size=BATCH)
    if rows and rows[-1].pk is None:
        raise RuntimeError(f"{model.__name__}: the database did not return the new ids")
