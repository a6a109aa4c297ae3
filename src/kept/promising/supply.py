"""Promises at risk after a supply change: which, the date to propose, the message to send."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import translation

from kept.catalog.choices import ReceiptStatus
from kept.catalog.models import Receipt, StockLevel
from kept.promising import queries
from kept.promising.atp import Earliest
from kept.promising.explain import late_promise_message
from kept.promising.models import Commitment
from kept.promising.risk import Held, promises_at_risk


@dataclass(frozen=True)
class PromiseAtRisk:
    commitment: Commitment
    proposal: Earliest | None
    message: str

    @property
    def line(self):
        return self.commitment.line


def at_risk(products=None, today: date | None = None) -> list[PromiseAtRisk]:
    """Every open promise supply no longer covers, earliest promise first keeping its stock."""
    today = today or queries.business_today()
    open_commitments = (
        Commitment.objects.open()
        .filter(to_procure=False)
        .select_related("line__order__customer", "line__product", "version")
        .order_by("line__order__created_at", "line__order_id", "line__number", "date", "pk")
    )
    if products is not None:
        open_commitments = open_commitments.filter(product__in=products)
    by_product: dict[int, list[Commitment]] = defaultdict(list)
    for commitment in open_commitments:
        by_product[commitment.product_id].append(commitment)
    if not by_product:
        return []
    on_hand = dict(
        StockLevel.objects.filter(product_id__in=by_product).values_list("product_id", "on_hand")
    )
    receipts = defaultdict(list)
    for pid, day, quantity in Receipt.objects.filter(
        product_id__in=by_product, status=ReceiptStatus.SCHEDULED
    ).values_list("product_id", "expected_date", "quantity"):
        receipts[pid].append((day, quantity))
    found = []
    for pid, commitments in by_product.items():
        held = [Held(c.pk, c.date, c.quantity) for c in commitments]
        lookup = {c.pk: c for c in commitments}
        lead = commitments[0].line.product.replenishment_lead_days
        for risk in promises_at_risk(
            today, on_hand.get(pid, Decimal(0)), receipts[pid], held, lead
        ):
            commitment = lookup[risk.key]
            found.append(
                PromiseAtRisk(commitment, risk.proposal, draft_message(commitment, risk.proposal))
            )
    return sorted(found, key=lambda r: (r.commitment.date, r.commitment.pk))


def draft_message(commitment: Commitment, proposal: Earliest | None) -> str:
    """A message to the customer, in the customer's language: tell early, offer a new date."""
    customer = commitment.line.order.customer
    with translation.override(customer.language):
        values = {
            "name": customer.name,
            "product": commitment.line.product.name,
            "quantity": commitment.quantity.normalize(),
            "unit": commitment.line.product.unit,
            "date": commitment.date.isoformat(),
            "order": commitment.line.order.number,
        }
        return late_promise_message(values, proposal.date if proposal else None)
