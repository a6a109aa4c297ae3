"""The rules behind a clear "no" (SPEC 2.3), and the decision for each line. Pure Python.

Each failed rule is a ``Reason``: a code, what it does to the line (decline, hold or
counter), the numbers it used, and which alternative to offer. Messages in the user's
language are written from these by ``kept.promising.explain``.

Decision per line, in order:
1. a *decline* reason (BLOCKED, OUT_OF_SCOPE, OVERDUE set to decline) → decline;
2. a *hold* reason (CREDIT_LIMIT, OVERDUE, BELOW_MARGIN, MAX_QUANTITY set to hold) → hold,
   unless a manager has waived those codes (approval);
3. feasible as requested (no LEAD_TIME or MAX_QUANTITY counter, ``ATP(date) ≥ q``) → commit;
4. otherwise counter with the alternatives of SPEC 2.3 — the full quantity on its earliest
   feasible date, and (accept-partial, ``ATP > 0``) that part on the date plus the rest on
   its earliest date; no alternative at all → decline with NO_SUPPLY.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from decimal import Decimal

from kept.promising.atp import Timeline

DECLINE, HOLD, COUNTER, COMMIT = "decline", "hold", "counter", "commit"
ZERO = Decimal(0)


@dataclass(frozen=True)
class Policy:
    """Rule parameters in force for one customer; ``None`` means no limit."""

    min_margin_percent: Decimal | None = None
    min_lead_days: int | None = None
    max_quantity: Decimal | None = None
    max_quantity_action: str = COUNTER
    overdue_amount_limit: Decimal | None = None
    overdue_days_limit: int | None = None
    overdue_action: str = HOLD
    excluded_skus: frozenset[str] = frozenset()


def resolve_policy(*layers: Mapping | None, excluded_skus: Iterable[str] = ()) -> Policy:
    """The first value set in the layers (customer override, group policy, default policy)."""
    values = {}
    for spec in fields(Policy):
        if spec.name == "excluded_skus":
            continue
        for layer in layers:
            if layer is not None and layer.get(spec.name) not in (None, ""):
                values[spec.name] = layer[spec.name]
                break
    return Policy(**values, excluded_skus=frozenset(excluded_skus))


@dataclass(frozen=True)
class Reason:
    code: str
    effect: str
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CustomerFacts:
    is_blocked: bool = False
    blocked_reason: str = ""
    credit_limit: Decimal | None = None
    open_receivables: Decimal = ZERO
    open_commitments: Decimal = ZERO
    overdue_amount: Decimal = ZERO
    oldest_overdue_days: int = 0


@dataclass(frozen=True)
class LineRequest:
    sku: str
    quantity: Decimal
    requested_date: date
    accept_partial: bool = False
    unit_price: Decimal = ZERO
    unit_cost: Decimal = ZERO
    sellable: bool = True
    delivery_lead_days: int = 0
    replenishment_lead_days: int | None = None


Part = tuple[Decimal, date, bool]  # quantity, date, to procure


@dataclass(frozen=True)
class LineDecision:
    decision: str
    reasons: tuple[Reason, ...] = ()
    parts: tuple[Part, ...] = ()  # what is committed (commit) or proposed (hold)
    offers: tuple[tuple[Part, ...], ...] = ()

    @property
    def quantity(self) -> Decimal:
        return sum((part[0] for part in self.parts), ZERO)


def _quantity(value: Decimal) -> str:
    """A quantity as people write it: 5, 2.5 — not 5.000."""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _money(value: Decimal) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


def order_reasons(customer: CustomerFacts, policy: Policy, order_value: Decimal) -> list[Reason]:
    """BLOCKED, CREDIT_LIMIT and OVERDUE: rules about the customer, for the whole order."""
    reasons = []
    if customer.is_blocked:
        reasons.append(Reason("BLOCKED", DECLINE, {"reason": customer.blocked_reason}))
    if customer.credit_limit is not None:
        exposure = customer.open_receivables + customer.open_commitments + order_value
        if exposure > customer.credit_limit:
            reasons.append(
                Reason(
                    "CREDIT_LIMIT",
                    HOLD,
                    {
                        "credit_limit": _money(customer.credit_limit),
                        "open_receivables": _money(customer.open_receivables),
                        "open_orders": _money(customer.open_commitments),
                        "this_order": _money(order_value),
                        "total": _money(exposure),
                        "over_by": _money(exposure - customer.credit_limit),
                    },
                )
            )
    amount_over = (
        policy.overdue_amount_limit is not None
        and customer.overdue_amount > policy.overdue_amount_limit
    )
    days_over = (
        policy.overdue_days_limit is not None
        and customer.oldest_overdue_days > policy.overdue_days_limit
    )
    if amount_over or days_over:
        reasons.append(
            Reason(
                "OVERDUE",
                policy.overdue_action,
                {
                    "overdue_amount": _money(customer.overdue_amount),
                    "overdue_amount_limit": None
                    if policy.overdue_amount_limit is None
                    else _money(policy.overdue_amount_limit),
                    "oldest_overdue_days": customer.oldest_overdue_days,
                    "overdue_days_limit": policy.overdue_days_limit,
                },
            )
        )
    return reasons


def lead_days(line: LineRequest, policy: Policy) -> int:
    return max(line.delivery_lead_days, policy.min_lead_days or 0)


def line_reasons(line: LineRequest, policy: Policy, today: date) -> list[Reason]:
    """OUT_OF_SCOPE, BELOW_MARGIN, LEAD_TIME and MAX_QUANTITY: rules about one line."""
    reasons = []
    if not line.sellable or line.sku in policy.excluded_skus:
        reasons.append(
            Reason("OUT_OF_SCOPE", DECLINE, {"sku": line.sku, "sellable": line.sellable})
        )
    if policy.min_margin_percent is not None:
        floor = line.unit_cost * (1 + policy.min_margin_percent / 100)
        if line.unit_price < floor:
            reasons.append(
                Reason(
                    "BELOW_MARGIN",
                    HOLD,
                    {
                        "unit_price": _money(line.unit_price),
                        "unit_cost": _money(line.unit_cost),
                        "min_margin_percent": str(policy.min_margin_percent),
                        "lowest_price": _money(floor),
                    },
                )
            )
    earliest = today + timedelta(days=lead_days(line, policy))
    if line.requested_date < earliest:
        reasons.append(
            Reason(
                "LEAD_TIME",
                COUNTER,
                {
                    "requested_date": line.requested_date.isoformat(),
                    "earliest_date": earliest.isoformat(),
                    "lead_days": lead_days(line, policy),
                },
            )
        )
    if policy.max_quantity is not None and line.quantity > policy.max_quantity:
        reasons.append(
            Reason(
                "MAX_QUANTITY",
                policy.max_quantity_action,
                {
                    "requested_quantity": _quantity(line.quantity),
                    "max_quantity": _quantity(policy.max_quantity),
                },
            )
        )
    return reasons


def _earliest_part(timeline: Timeline, quantity: Decimal, not_before: date, line: LineRequest):
    found = timeline.earliest_date(quantity, not_before, line.replenishment_lead_days)
    return None if found is None else (quantity, found.date, found.to_procure)


def counter_offers(line: LineRequest, timeline: Timeline, not_before: date, quantity: Decimal):
    """Full quantity on its earliest date; with accept-partial, what is there now + the rest."""
    offers = []
    full = _earliest_part(timeline, quantity, not_before, line)
    if full is not None:
        offers.append((full,))
    available = min(timeline.atp(not_before), quantity)
    if line.accept_partial and ZERO < available < quantity:
        rest = _earliest_part(
            timeline.with_commitment(available, not_before), quantity - available, not_before, line
        )
        if rest is not None and rest[1] > not_before:
            offers.append(((available, not_before, False), rest))
    return tuple(offers)


def decide_line(
    line: LineRequest,
    timeline: Timeline,
    policy: Policy,
    today: date,
    shared: Iterable[Reason] = (),
    waived: frozenset[str] = frozenset(),
) -> LineDecision:
    """Commit, counter, hold or decline one line against its product's timeline."""
    reasons = [r for r in (*shared, *line_reasons(line, policy, today)) if r.code not in waived]
    if any(r.effect == DECLINE for r in reasons):
        return LineDecision(DECLINE, tuple(reasons))
    not_before = max(line.requested_date, today + timedelta(days=lead_days(line, policy)))
    quantity = line.quantity
    capped = any(r.code == "MAX_QUANTITY" and r.effect == COUNTER for r in reasons)
    if capped:
        quantity = policy.max_quantity
    if any(r.effect == HOLD for r in reasons):
        proposal = _earliest_part(timeline, quantity, not_before, line)
        return LineDecision(HOLD, tuple(reasons), parts=(proposal,) if proposal else ())
    if (
        not capped
        and line.requested_date >= not_before
        and timeline.can_commit(quantity, line.requested_date)
    ):
        return LineDecision(COMMIT, tuple(reasons), parts=((quantity, line.requested_date, False),))
    offers = counter_offers(line, timeline, not_before, quantity)
    if not offers:
        return LineDecision(DECLINE, (*reasons, _no_supply(line, timeline, not_before)))
    if not any(r.effect == COUNTER for r in reasons):
        reasons.append(
            Reason(
                "NOT_ENOUGH_ON_DATE",
                COUNTER,
                {
                    "requested_quantity": _quantity(line.quantity),
                    "date": not_before.isoformat(),
                    "available": _quantity(max(timeline.atp(not_before), ZERO)),
                },
            )
        )
    return LineDecision(COUNTER, tuple(reasons), offers=offers)


def _no_supply(line: LineRequest, timeline: Timeline, not_before: date) -> Reason:
    return Reason(
        "NO_SUPPLY",
        DECLINE,
        {
            "requested_quantity": _quantity(line.quantity),
            "on_hand": _quantity(timeline.on_hand),
            "most_available": _quantity(max(timeline.atp(timeline.horizon()), ZERO)),
            "from_date": not_before.isoformat(),
        },
    )


def order_decision(decisions: Iterable[str]) -> str:
    """commit if every line commits; decline if every line is declined; hold if any line
    waits for a manager; otherwise counter."""
    decisions = list(decisions)
    if all(d == COMMIT for d in decisions):
        return COMMIT
    if all(d == DECLINE for d in decisions):
        return DECLINE
    if HOLD in decisions:
        return HOLD
    return COUNTER
