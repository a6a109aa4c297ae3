"""Which promises a supply change leaves uncovered, and the dates to propose. Pure Python.

After a receipt slips or is cancelled, or stock is written off, supply may no longer cover
every open commitment of a product. The earliest promise keeps its stock: commitments are
re-placed one by one in the order they were promised; each that still fits (``ATP(date) ≥
q`` on the timeline built so far) stays, each that does not is *at risk* and gets the
earliest date on which it would fit now (tell the customer early).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from kept.promising.atp import Dated, Earliest, Timeline


@dataclass(frozen=True)
class Held:
    key: Hashable
    date: date
    quantity: Decimal


@dataclass(frozen=True)
class AtRisk:
    key: Hashable
    date: date
    quantity: Decimal
    proposal: Earliest | None


def promises_at_risk(
    today: date,
    on_hand: Decimal,
    receipts: Iterable[Dated],
    held: Iterable[Held],
    replenishment_lead_days: int | None = None,
) -> list[AtRisk]:
    """``held`` in promise order (earliest promise first)."""
    timeline = Timeline(today, on_hand, receipts)
    risky = []
    for commitment in held:
        if timeline.can_commit(commitment.quantity, commitment.date):
            timeline = timeline.with_commitment(commitment.quantity, commitment.date)
            continue
        proposal = timeline.earliest_date(
            commitment.quantity, commitment.date, replenishment_lead_days
        )
        risky.append(AtRisk(commitment.key, commitment.date, commitment.quantity, proposal))
        if proposal is not None and not proposal.to_procure:
            timeline = timeline.with_commitment(commitment.quantity, proposal.date)
    return risky
