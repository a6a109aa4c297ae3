"""This week's orders, through the real engine against today's stock.

The orders customers placed this past week for the coming days (and most restaurants'
order for next week) are promised with ``promise_order``; a few customers the desk must
show today are added (those who stopped paying, a blocked one, one asking for a discount,
rice bins wanted for tomorrow, a banquet). Then people act as they would: counter-offers are taken,
a manager approves one hold and leaves the others waiting, a customer moves a date, one
cancels. Last, a supplier's delivery slips a week and leaves two or three promises at risk.
"""

from __future__ import annotations

import random
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from kept.catalog.actions import reschedule_receipt
from kept.catalog.choices import ReceiptStatus
from kept.catalog.models import Receipt, StockLevel
from kept.customers.actions import update_customer
from kept.demo.buyers import OWES, STOPPED
from kept.demo.context import DemoContext
from kept.demo.habits import BANQUET, Buyer, Draft, next_delivery_day
from kept.promising import queries
from kept.promising.actions import (
    accept_offer,
    approve_hold,
    cancel_order,
    change_promise,
    check_order,
    promise_order,
)
from kept.promising.atp import Timeline
from kept.promising.choices import CancelledBy, Decision, LineStatus, VersionKind
from kept.promising.engine import LineInput
from kept.promising.models import Commitment, Offer, Order, OrderLine, PromiseVersion
from kept.promising.risk import Held, promises_at_risk
from kept.promising.supply import at_risk
from kept.receivables.queries import credit_position

CATERING = ("RICE-NE-25", "RICE-SM-25", "RICE-ZX-25", "OIL-SB-20", "OIL-RS-20")
DELAYS = (7, 10, 5)
APPROVAL = "老客户，已承诺本周五前付清欠款，先送这一单"
DELAY_REASON = "供应商来电：运输车辆故障，到货推迟 {days} 天（原定 {day}）"
AGREED_REASON = "客户要求改到周末送"
CANCEL_REASON = "客户说家里米还够，下周再订"
BLOCKED_NOTE = "客户来电要货（账户已冻结）"
TERM_NOTE = "下周有大型团餐，提前备货"
BIN_NOTE = "客户想明天就拿到米桶"


@dataclass
class Placed:
    buyer: Buyer
    order: Order


@dataclass
class Current:
    next_number: int
    placed: list[Placed] = field(default_factory=list)
    delayed: Receipt | None = None
    at_risk: int = 0

    def promise(self, buyer: Buyer, draft: Draft, at: datetime | None = None) -> Order:
        """``promise_order``, numbered after the history (the engine numbers by row id,
        which a rebuilt database does not repeat), and taken at ``at`` if given."""
        actor = buyer.customer.owner
        order, _result = promise_order(buyer.customer, draft.lines, note=draft.note, actor=actor)
        order.number = f"SO-{self.next_number:06d}"
        self.next_number += 1
        Order.objects.filter(pk=order.pk).update(number=order.number)
        if at is not None:  # taken during the past days, not all in this second
            Order.objects.filter(pk=order.pk).update(created_at=at)
            OrderLine.objects.filter(order=order).update(decided_at=at)
            PromiseVersion.objects.filter(line__order=order).update(created_at=at)
            Offer.objects.filter(line__order=order).update(created_at=at)
            order.created_at = at
        self.placed.append(Placed(buyer, order))
        return order


def build_current(ctx: DemoContext, buyers: list[Buyer], drafts: list[tuple[Buyer, Draft]]):
    rng = ctx.rng("current")
    current = Current(next_number=Order.objects.count() + 1)
    _lower_credit_limit(ctx, buyers)
    drafts = sorted(
        drafts + _standing(ctx, rng, buyers), key=lambda pair: (pair[1].at, pair[0].code)
    )
    drafts += _forced(ctx, rng, buyers, {buyer.code for buyer, _draft in drafts})
    now = timezone.now()
    for index, (buyer, draft) in enumerate(drafts):
        at = min(draft.at, now - timedelta(seconds=30 * (len(drafts) - index)))
        current.promise(buyer, draft, at)
    _crafted_counters(ctx, buyers, current)
    _act(ctx, rng, current)
    _delay_a_receipt(ctx, rng, buyers, current)
    return current


def _lower_credit_limit(ctx: DemoContext, buyers: list[Buyer]) -> None:
    """The manager cuts the credit limit of the customer most in arrears, below what it
    owes: until it pays, every new order waits for approval."""
    buyer = next((b for b in buyers if b.role == "over90"), None)
    if buyer is None:
        return
    customer = buyer.customer
    owed = credit_position(customer, ctx.today).open_balance
    limit = max(
        Decimal(1000), (owed * Decimal("0.8") / 1000).quantize(Decimal(1), ROUND_FLOOR) * 1000
    )
    if customer.credit_limit is None or limit >= customer.credit_limit:
        return
    reason = (
        f"欠款 ¥{owed}，最早一张发票逾期超过 90 天：信用额度从 ¥{customer.credit_limit:.0f} "
        f"下调到 ¥{limit:.0f}，结清前新订单都要经理审批"
    )
    buyer.customer = update_customer(
        customer, {"credit_limit": limit}, actor=ctx.users["manager"], reason=reason
    )


def _usual(ctx: DemoContext, buyer: Buyer, rng: random.Random, *, price=None, ahead=1) -> Draft:
    """The customer's usual order, for the first delivery day from ``ahead`` days on."""
    facts, today = buyer.facts, ctx.today
    sku = facts.get("sku", "RICE-NE-25")
    bags = max(1, round(facts.get("bags", 2) * rng.uniform(0.85, 1.15)))
    day = next_delivery_day(today + timedelta(days=ahead - 1), buyer.customer.preferred_days, rng)
    lines = [LineInput(ctx.products[sku], Decimal(bags), day, False, price)]
    if facts.get("oil") and buyer.kind == "restaurant":
        lines.append(
            LineInput(ctx.products[facts["oil"]], Decimal(max(1, round(facts["drums"]))), day)
        )
    return Draft(timezone.now(), lines)


def _standing(ctx: DemoContext, rng: random.Random, buyers: list[Buyer]):
    """Most restaurants have already ordered next week's delivery too."""
    standing = []
    for buyer in _in_good_standing(buyers, "restaurant"):
        if rng.random() < 0.7:
            draft = _usual(ctx, buyer, rng, ahead=8)
            draft.at = ctx.at(rng.randint(1, 3), rng.randint(14, 21), rng.randrange(60))
            standing.append((buyer, draft))
    return standing


def _forced(ctx: DemoContext, rng: random.Random, buyers: list[Buyer], placed: set[str]):
    """Whoever the desk must show today: the customers who stopped paying order as usual
    (held), one blocked customer tries (declined), one restaurant asks for a discount
    (held), households want a rice bin tomorrow (too soon: counter) or a banquet's rice
    (more than a household may order: counter)."""
    forced = []
    for buyer in buyers:
        if buyer.code in placed or not buyer.facts:
            continue
        if buyer.role in STOPPED or (buyer.role == OWES and buyer.account.bills):
            forced.append((buyer, _usual(ctx, buyer, rng)))
    blocked = [b for b in buyers if b.customer.is_blocked and b.facts and b.code not in placed]
    blocked.sort(key=lambda b: (b.kind != "restaurant", b.code))
    if blocked:
        draft = _usual(ctx, blocked[0], rng)
        draft.note = BLOCKED_NOTE
        forced.append((blocked[0], draft))
    contract = {b.code for b in buyers if b.code in ctx.contract_prices}
    restaurants = _in_good_standing(buyers, "restaurant")
    restaurants = [b for b in restaurants if b.code not in placed | contract]
    haggler = max(restaurants, key=lambda b: (b.facts["bags"], b.code), default=None)
    if haggler is not None:
        placed.add(haggler.code)
        sku = haggler.facts["sku"]
        price = (ctx.products[sku].price * Decimal("0.9")).quantize(Decimal(1))
        draft = _usual(ctx, haggler, rng, price=price)
        draft.note = "老板说隔壁供应商便宜，要求按九折给"
        forced.append((haggler, draft))
    for buyer in [b for b in _in_good_standing(buyers, "household") if b.code not in placed][
        : ctx.count(3)
    ]:
        # A rice bin for tomorrow: bins need two days, so the engine offers the day after.
        tomorrow = ctx.today + timedelta(days=1)
        sku = "BIN-15" if buyer.facts.get("bags", 1) <= 1 else "BIN-25"
        lines = [LineInput(ctx.products[sku], Decimal(1), tomorrow)]
        forced.append((buyer, Draft(timezone.now(), lines, BIN_NOTE)))
        placed.add(buyer.code)
    banquet = _clean(buyers, "household", placed)
    if banquet is not None:  # more than the 6 a household may order on one line
        draft = _usual(ctx, banquet, rng, ahead=3)
        draft.lines[0] = LineInput(
            draft.lines[0].product, Decimal(8), draft.lines[0].requested_date
        )
        draft.note = BANQUET
        forced.append((banquet, draft))
    return forced


def _clean(buyers: list[Buyer], kind: str, taken: set[str]) -> Buyer | None:
    """A customer in good standing of the kind not yet in ``taken`` (now taken)."""
    for buyer in _in_good_standing(buyers, kind):
        if buyer.code not in taken:
            taken.add(buyer.code)
            return buyer
    return None


def _crafted_counters(ctx: DemoContext, buyers: list[Buyer], current: Current) -> None:
    """A canteen asks for more than is free on the day: counter-offers (two, whatever
    happened naturally: one is taken below, one stays open)."""
    today = queries.business_today()
    day = ctx.today + timedelta(days=3)
    canteens = _in_good_standing(buyers, "institution") + _in_good_standing(buyers, "internal")
    for sku in ("OIL-SB-20", "RICE-NE-25"):
        product = ctx.products[sku]
        free = queries.timeline(product, today).atp(day)
        quantity = max(Decimal(1), free) + max(5, round(free / 4))
        lines = [LineInput(product, quantity, day, accept_partial=True)]
        for canteen in canteens:
            if check_order(canteen.customer, lines).decision == Decision.COUNTER:
                current.promise(canteen, Draft(timezone.now(), lines, TERM_NOTE))
                break


def _act(ctx: DemoContext, rng: random.Random, current: Current) -> None:
    """Take about half of the counter-offers (the others wait), approve one hold, move a
    promised date with the customer, and let one customer cancel."""
    countered = [p for p in current.placed if p.order.decision == Decision.COUNTER]
    countered = [p for p in countered if p.order.lines.filter(status=LineStatus.OFFERED).exists()]
    for placed in countered[::2]:
        for line in placed.order.lines.filter(status=LineStatus.OFFERED).order_by("number"):
            offer = line.offers.filter(is_current=True).order_by("number").first()
            if offer is None:
                continue
            try:
                accept_offer(
                    placed.order, line.number, offer.number, actor=placed.buyer.customer.owner
                )
            except ValidationError:
                continue
            placed.order.refresh_from_db()
            if placed.order.ship_complete:
                break
    held = [p for p in current.placed if p.order.decision == Decision.HOLD]
    credit = [p for p in held if _codes(p.order) & {"OVERDUE", "CREDIT_LIMIT"}]
    chosen = min(credit, key=_oldest_overdue) if len(credit) >= 2 else held[-1] if held else None
    if len(held) >= 2:  # one approved, the others wait for the manager
        reason = APPROVAL if chosen in credit else "老客户，同意本单按九折出货"
        approve_hold(chosen.order, actor=ctx.users["manager"], reason=reason)
    households = [
        p
        for p in current.placed
        if p.buyer.kind == "household"
        and p.order.decision == Decision.COMMIT
        and not p.order.note
        and p.order.lines.filter(product__sku__startswith="RICE").exists()
    ]
    if households:
        _agree_later(households[0])
    if len(households) > 1:
        placed = households[-1]
        cancel_order(
            placed.order,
            by=CancelledBy.CUSTOMER,
            reason=CANCEL_REASON,
            actor=placed.buyer.customer.owner,
        )


def _codes(order: Order) -> set[str]:
    return {r["code"] for line in order.lines.all() for r in line.reasons}


def _oldest_overdue(placed: Placed) -> int:
    days = [
        r["details"].get("oldest_overdue_days", 0)
        for line in placed.order.lines.all()
        for r in line.reasons
        if r["code"] == "OVERDUE"
    ]
    return max(days, default=0)


def _agree_later(placed: Placed) -> None:
    line = placed.order.lines.filter(status=LineStatus.PROMISED).order_by("number").first()
    version = line.versions.order_by("-number").first()
    saturday = version.date + timedelta(days=(6 - version.date.isoweekday()) % 7 or 7)
    with suppress(ValidationError):  # not free on that Saturday: the customer keeps the date
        change_promise(
            line,
            version.quantity,
            saturday,
            kind=VersionKind.AGREED,
            reason=AGREED_REASON,
            actor=placed.buyer.customer.owner,
        )


# A receipt slips ---------------------------------------------------------------------------


def _delay_a_receipt(ctx: DemoContext, rng: random.Random, buyers: list[Buyer], current: Current):
    """A catering-pack receipt in the coming days slips: the supplier is late. Before, a
    canteen's big order takes what is free until the receipt (when this week's orders have
    not) and two or three restaurants promise against it, so their promises are at risk."""
    today = queries.business_today()
    receipts = Receipt.objects.filter(
        product__sku__in=CATERING,
        status=ReceiptStatus.SCHEDULED,
        expected_date__gte=ctx.today + timedelta(days=3),
        expected_date__lte=ctx.today + timedelta(days=24),
    ).select_related("product")
    waiting = {p.buyer.code for p in current.placed if p.order.decision != Decision.COMMIT}
    kitchens = _in_good_standing(buyers, "restaurant")
    kitchens.sort(key=lambda b: b.code in waiting)  # those with nothing waiting first
    plans = []
    for receipt in receipts.order_by("expected_date", "pk"):
        for delay in DELAYS:
            plan = _risk_plan(ctx, rng, receipt, delay, today, min(3, len(kitchens)))
            if plan is not None:  # rice, a canteen-size order, within two weeks: best
                take, soon = plan[0][1], receipt.expected_date <= ctx.today + timedelta(days=14)
                key = (not receipt.product.sku.startswith("RICE"), take > 60, not soon, take)
                plans.append((*key, len(plans), receipt, delay, plan))
    for *_key, receipt, delay, plan in sorted(plans, key=lambda p: p[:5]):
        if _place_risk(buyers, kitchens, current, receipt, plan):
            day = receipt.expected_date
            reschedule_receipt(
                receipt,
                day + timedelta(days=delay),
                actor=ctx.users["warehouse"],
                reason=DELAY_REASON.format(days=delay, day=day.isoformat()),
            )
            current.delayed = receipt
            current.at_risk = len(at_risk(products=[receipt.product_id]))
            return


def _risk_plan(ctx, rng, receipt: Receipt, delay: int, today: date, most: int):
    """(what a canteen takes before the receipt: date, quantity — maybe 0; then 3 or 2
    promises after it that only the receipt covers), or None when this receipt cannot."""
    product = receipt.product
    on_hand = StockLevel.objects.get(product=product).on_hand
    scheduled = list(
        Receipt.objects.filter(product=product, status=ReceiptStatus.SCHEDULED).values_list(
            "pk", "expected_date", "quantity"
        )
    )
    later = receipt.expected_date + timedelta(days=delay)
    before = [(d, q) for _pk, d, q in scheduled]
    after = [(later if pk == receipt.pk else d, q) for pk, d, q in scheduled]
    existing = list(
        Commitment.objects.open()
        .filter(product=product, to_procure=False)
        .order_by("line__order__created_at", "line__order_id", "line__number", "date", "pk")
        .values_list("pk", "date", "quantity")
    )
    held = [Held(pk, d, q) for pk, d, q in existing]
    lead = product.replenishment_lead_days
    if promises_at_risk(today, on_hand, after, held, lead):
        return None  # the delay alone would already hurt earlier promises: not this one
    commitments = [(d, q) for _pk, d, q in existing]
    first = ctx.today + timedelta(days=3)
    free = Timeline(today, on_hand, after, commitments).atp(first)
    for count in range(most, 1, -1):
        quantity = Decimal(rng.randint(4, 9))
        take = free - rng.randint(0, int(quantity) - 1)
        days = [receipt.expected_date + timedelta(days=n) for n in range(1, count + 1)]
        if take < 0 or days[-1] >= later:
            continue
        promises = [(d, quantity) for d in days]
        timeline = Timeline(today, on_hand, before, commitments)
        feasible = True
        for day, amount in [(first, take), *promises]:
            feasible = feasible and timeline.can_commit(amount, day)
            timeline = timeline.with_commitment(amount, day)
        if not feasible:
            continue
        keys = [f"new{n}" for n in range(count)]
        trial = [*held, Held("take", first, take)] if take else list(held)
        trial += [Held(k, d, q) for k, (d, q) in zip(keys, promises, strict=True)]
        if {risk.key for risk in promises_at_risk(today, on_hand, after, trial, lead)} == set(keys):
            return (first, take), promises
    return None


def _place_risk(buyers, kitchens, current: Current, receipt: Receipt, plan) -> bool:
    """Place the plan's orders; False (and nothing placed) when nobody can take them."""
    product = receipt.product
    (first, take), promises = plan
    canteen = None
    if take:
        lines = [LineInput(product, take, first)]
        canteens = sorted(
            _in_good_standing(buyers, "institution"), key=lambda b: (-b.facts["bags"], b.code)
        ) + _in_good_standing(buyers, "internal")
        canteen = next(
            (b for b in canteens if check_order(b.customer, lines).decision == Decision.COMMIT),
            None,
        )
        if canteen is None:
            return False
        current.promise(canteen, Draft(timezone.now(), lines, TERM_NOTE))
    kitchens = list(kitchens)
    for day, quantity in promises:
        lines = [LineInput(product, quantity, day)]
        buyer = next(
            (b for b in kitchens if check_order(b.customer, lines).decision == Decision.COMMIT),
            None,
        )
        if buyer is None:
            return True  # placed what could be; the delay still puts those at risk
        kitchens.remove(buyer)
        current.promise(buyer, Draft(timezone.now(), lines))
    return True


def _in_good_standing(buyers: list[Buyer], kind: str) -> list[Buyer]:
    return [
        b
        for b in buyers
        if b.kind == kind
        and b.facts
        and not b.role
        and "churned_on" not in b.facts
        and b.customer.is_active
        and not b.customer.is_blocked
    ]
