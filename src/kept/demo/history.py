"""Two years of orders, decided the way the engine decides them, up to yesterday.

The history cannot go through ``promise_order`` (that decides against today's stock), so
each order is decided here with the engine's own rules (``rules.decide_line`` and
``rules.order_reasons``) against the customer's account on that day and a believable stock
picture of that day; then what people did next is played out: a manager approves or
rejects a hold, the customer takes a counter-offer or cancels, the date is moved with the
customer (agreed) or by us (unilateral). Every commitment of the history is closed and
invoiced on the last promised date; ``deliveries`` writes what really arrived, and when.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from kept.demo.accounts import Bill
from kept.demo.buyers import OWES
from kept.demo.catalog import ITEMS
from kept.demo.context import DemoContext
from kept.demo.habits import NEW_YEAR, Buyer, Draft, drafts
from kept.promising.atp import Timeline
from kept.promising.choices import CancelledBy, Decision, LineStatus, VersionKind
from kept.promising.engine import LineInput
from kept.promising.rules import (
    COMMIT,
    COUNTER,
    DECLINE,
    HOLD,
    CustomerFacts,
    LineDecision,
    decide_line,
    order_decision,
    order_reasons,
)

CENT = Decimal("0.01")
OPENING = {item.sku: item.opening for item in ITEMS}
# How often the stock on the asked date was short, per product (else SHORT).
SHORT, SHORTER = 0.025, {"RICE-TH-5": 0.08, "BIN-15": 0.06, "BIN-25": 0.06}
AGREED, UNILATERAL, CANCELLED = 0.05, 0.03, 0.008

# fmt: off
APPROVE = {
    "OVERDUE": ("老板承诺本周内结清上月货款，先送这一单", "财务说款已在走流程，同意先送",
                "合作多年，先送，同时加紧催款"),
    "CREDIT_LIMIT": ("老客户，信誉一直不错，本单临时放行", "已电话确认下周一付款，同意先送",
                     "节前备货量大，临时提高额度"),
    "BELOW_MARGIN": ("老客户，同意本单按优惠价出货", "隔壁供应商报价更低，同意让价保住客户",
                     "量大从优，同意"),
}
REJECT = {
    "OVERDUE": ("欠款已超过 60 天，先结清再送", "多次催款未付，暂停送货，请先付款"),
    "CREDIT_LIMIT": ("超出额度太多，请先付部分货款再下单",),
    "BELOW_MARGIN": ("低于最低毛利，不同意，请按原价重新下单",),
}
CANCEL_OFFER = ("客户不接受改期，取消订单", "客户说等不及，已在附近超市买了",
                "客户说改天再订")
CANCEL_PROMISE = ("客户临时出差，本次不要了", "客户说家里米还够，下次再订",
                  "客户电话取消：家里有事，改天再订", "餐厅临时停业装修一周")
AGREED_REASONS = ("客户要求改到周末送", "客户临时出门，约好推迟两天", "客户家里没人，改期再送",
                  "客户要求推迟到下周")
UNILATERAL_REASONS = ("送货车故障，顺延一天", "上游到货晚了，推迟两天送", "暴雨，配送推迟一天",
                      "司机请假，线路顺延")
# fmt: on


@dataclass
class VersionPlan:
    number: int
    kind: str
    parts: tuple  # (quantity, date, to_procure)
    at: datetime
    by: object
    reason: str = ""
    figures: dict = field(default_factory=dict)

    @property
    def quantity(self) -> Decimal:
        return sum((part[0] for part in self.parts), Decimal(0))

    @property
    def date(self) -> date:
        return max(part[1] for part in self.parts)


@dataclass
class LinePlan:
    number: int
    line: LineInput
    decision: str
    status: str
    reasons: list
    decided_at: datetime
    versions: list[VersionPlan] = field(default_factory=list)
    offers: list[tuple] = field(default_factory=list)  # (number, parts, created_at)
    pk: int | None = None

    @property
    def promised(self) -> VersionPlan | None:
        return self.versions[-1] if self.status == LineStatus.PROMISED else None


@dataclass
class OrderPlan:
    buyer: Buyer
    at: datetime
    by: object
    note: str
    lines: list[LinePlan]
    decision: str = ""
    cancelled_at: datetime | None = None
    cancelled_by: str = ""
    events: list[tuple] = field(default_factory=list)  # (action, at, actor, reason, changes)
    number: str = ""
    pk: int | None = None

    def delivered(self) -> list[LinePlan]:
        return [] if self.cancelled_at else [line for line in self.lines if line.promised]

    def last_date(self) -> date:
        dates = [line.line.requested_date for line in self.lines]
        dates += [v.date for line in self.lines for v in line.versions]
        dates += [p[1] for line in self.lines for _n, parts, _at in line.offers for p in parts]
        return max(dates)

    def amount(self) -> Decimal:
        total = sum(
            (line.promised.quantity * line.line.price() for line in self.delivered()), Decimal(0)
        )
        return total.quantize(CENT)


@dataclass
class History:
    orders: list[OrderPlan] = field(default_factory=list)
    current: list[tuple[Buyer, Draft]] = field(default_factory=list)


def write_history(ctx: DemoContext, buyers: list[Buyer]) -> History:
    """Decide every buyer's orders of the past two years; keep this week's for the engine."""
    history = History()
    for buyer in buyers:
        _Customer(ctx, buyer, history).run()
    _unpaid_at_the_door(ctx, buyers)
    history.orders.sort(key=lambda plan: (plan.at, plan.buyer.code))
    for number, plan in enumerate(history.orders, 1):
        plan.number = f"SO-{number:06d}"
    return history


def _unpaid_at_the_door(ctx: DemoContext, buyers: list[Buyer]) -> None:
    """A few households did not pay their last delivery ("nobody home with cash, next time"):
    it is overdue today, one of them for less than 30 days."""
    rng = ctx.rng("owes")
    recent = []
    for buyer in buyers:
        if buyer.kind != "household" or buyer.payer is None or buyer.payer.mode != "delivery":
            continue
        last = buyer.account.bills[-1] if buyer.account.bills else None
        if last and last.paid_on and 3 <= (ctx.today - last.issue).days <= 45:
            recent.append((buyer, last))
    within_30 = [pair for pair in recent if (ctx.today - pair[1].issue).days <= 30]
    chosen = rng.sample(within_30, 1) if within_30 else []
    others = [pair for pair in recent if not chosen or pair[0] is not chosen[0][0]]
    chosen += rng.sample(others, min(len(others), ctx.count(10) - len(chosen)))
    for buyer, bill in chosen:
        bill.paid_on = None
        buyer.role = OWES


class _Customer:
    """One buyer's orders, in time order, against their account."""

    def __init__(self, ctx: DemoContext, buyer: Buyer, history: History) -> None:
        self.ctx, self.buyer, self.history, self.rng = ctx, buyer, history, buyer.rng
        self.staff = buyer.customer.owner or ctx.users["manager"]
        self.manager = ctx.users["manager"]

    def run(self) -> None:
        ctx, buyer = self.ctx, self.buyer
        recent = ctx.today - timedelta(days=7)
        for draft in drafts(ctx, buyer, ctx.today):
            if buyer.blocked_on and draft.day >= buyer.blocked_on:
                self._block(draft)
                return
            if draft.last_date >= ctx.today:
                if recent <= draft.day < ctx.today and draft.first_date > ctx.today:
                    self.history.current.append((buyer, draft))  # placed this past week
                continue
            if buyer.facts.get("sulking"):
                buyer.facts["sulking"] -= 1
                continue  # refused, the customer skips an order or two
            plan = self._decide(draft)
            if plan.last_date() >= ctx.today:
                continue  # still open today: such orders come through the engine
            self._keep(plan)
        if buyer.blocked_on:
            self._block(None)
        if buyer.role == "over90":
            self._owe_for_three_months()

    def _owe_for_three_months(self) -> None:
        """The customer longest in arrears owes at least one invoice over 90 days overdue
        (should refusals have left no delivery in that week)."""
        limit = self.ctx.today - timedelta(days=91)
        bills = [bill for bill in self.buyer.account.bills if bill.due <= limit]
        if bills and not any(bill.paid_on is None for bill in bills):
            bills[-1].paid_on = None

    def _block(self, draft: Draft | None) -> None:
        """Why the customer was blocked, in the figures of that day. The first order after
        the block is declined; the customer orders no more."""
        facts = self.buyer.account.facts(self.buyer.blocked_on)
        reason = self.buyer.customer.blocked_reason
        if self.buyer.kind == "restaurant" and facts.overdue_amount:
            reason = (
                f"逾期 {facts.oldest_overdue_days} 天未付货款 ¥{facts.overdue_amount}，暂停送货"
            )
        elif "欠款" in reason:
            reason = (
                f"连续两次拒收，欠款 ¥{facts.open_receivables} 未结清"
                if facts.open_receivables
                else "送货地址无法核实，电话停机"
            )
        self.buyer.facts["blocked_reason"] = reason
        if draft is None or draft.last_date >= self.ctx.today:
            return
        if self.rng.random() < (1.0 if self.buyer.kind == "restaurant" else 0.4):
            plan = self._decide(draft, reason)
            if plan.last_date() < self.ctx.today:
                self._keep(plan)

    def _keep(self, plan: OrderPlan) -> None:
        self.history.orders.append(plan)
        amount = plan.amount()
        if not amount:
            return
        last = max(line.promised.date for line in plan.delivered())
        self.buyer.account.promise(last, amount)
        payer = self.buyer.payer
        if payer is None:
            return
        due = last + timedelta(days=self.buyer.customer.payment_terms_days)
        bill = Bill(plan, last, due, amount, payer.paid_on(last, due, self.rng))
        self.buyer.account.add_bill(bill)

    # Deciding ---------------------------------------------------------------------------

    def _decide(self, draft: Draft, blocked_reason: str = "") -> OrderPlan:
        buyer, day = self.buyer, draft.day
        facts = buyer.account.facts(day, blocked_reason)
        value = sum((line.quantity * line.price() for line in draft.lines), Decimal(0))
        shared = order_reasons(facts, buyer.policy, value)
        plan = OrderPlan(buyer, draft.at, self.staff, draft.note, [])
        timelines = []
        for number, line in enumerate(draft.lines, 1):
            timeline = self._timeline(line, day)
            decision = decide_line(line.request(), timeline, buyer.policy, day, shared)
            row = LinePlan(number, line, "", "", [], draft.at)
            self._record(row, decision, draft.at, _figures(timeline, line, day))
            plan.lines.append(row)
            timelines.append(timeline)
        plan.decision = order_decision(row.decision for row in plan.lines)
        if plan.decision == HOLD:
            self._resolve_hold(plan, timelines, facts)
        if any(row.status == LineStatus.OFFERED for row in plan.lines):
            self._answer_offers(plan, timelines)
        if not plan.cancelled_at and any(row.promised for row in plan.lines):
            self._after_promise(plan)
        return plan

    def _timeline(self, line: LineInput, day: date) -> Timeline:
        """A believable stock picture of ``day`` for the line's product: enough, or short."""
        rng, sku = self.rng, line.product.sku
        opening, quantity = OPENING[sku], line.quantity
        short = SHORTER.get(sku, SHORT)
        sold_out = sku == "RICE-GL-2.5" and _days_to_new_year(day) <= 10
        if sold_out:
            short = 0.3
        if rng.random() < short:
            available = Decimal(rng.randint(0, max(0, int(quantity) - 1)))
            if sold_out:
                return Timeline(day, available)
            arrives = line.requested_date + timedelta(days=rng.randint(1, 6))
            size = max(quantity, round(opening * rng.uniform(0.5, 1.0)))
            return Timeline(day, available, [(arrives, Decimal(size))])
        held = [
            (
                day + timedelta(days=rng.randint(1, 6)),
                Decimal(max(1, round(opening * rng.uniform(0.02, 0.12)))),
            )
            for _ in range(rng.randint(0, 3))
        ]
        on_hand = quantity + sum(q for _d, q in held) + round(opening * rng.uniform(0.15, 0.9))
        arrives = day + timedelta(days=rng.randint(2, 12))
        receipt = Decimal(round(opening * rng.uniform(0.5, 1.0)))
        return Timeline(day, Decimal(on_hand), [(arrives, receipt)], held)

    def _record(self, row: LinePlan, decision: LineDecision, at: datetime, figures: dict) -> None:
        """Like ``ledger.record_decision``: status, reasons, a first version or offers."""
        row.decision = decision.decision
        row.status = {
            COMMIT: LineStatus.PROMISED,
            COUNTER: LineStatus.OFFERED,
            HOLD: LineStatus.HELD,
            DECLINE: LineStatus.DECLINED,
        }[decision.decision]
        row.reasons = [
            {"code": r.code, "effect": r.effect, "details": r.details} for r in decision.reasons
        ]
        row.decided_at = at
        if decision.decision == COMMIT:
            row.versions.append(
                VersionPlan(1, VersionKind.INITIAL, decision.parts, at, self.staff, "", figures)
            )
        elif decision.decision == COUNTER:
            start = len(row.offers) + 1
            row.offers.extend(
                (start + index, offer, at) for index, offer in enumerate(decision.offers)
            )

    def _resolve_hold(self, plan: OrderPlan, timelines: list[Timeline], facts) -> None:
        """A manager decides the same day: approves (stock checked again) or rejects."""
        held = [row for row in plan.lines if row.status == LineStatus.HELD]
        waived = frozenset(r["code"] for row in held for r in row.reasons if r["effect"] == HOLD)
        main = next((code for code in APPROVE if code in waived), "CREDIT_LIMIT")
        at = plan.at + timedelta(minutes=self.rng.randint(20, 300))
        approve = self.rng.random() < _approval_chance(main, facts)
        reason = self.rng.choice((APPROVE if approve else REJECT)[main])
        day = plan.at.date()
        for row in held:
            if approve:
                timeline = timelines[row.number - 1]
                decision = decide_line(
                    row.line.request(), timeline, self.buyer.policy, day, (), waived
                )
                figures = {**_figures(timeline, row.line, day), "approved": sorted(waived)}
                self._record(row, decision, at, figures)
            else:
                row.decision, row.status, row.decided_at = DECLINE, LineStatus.DECLINED, at
        plan.decision = order_decision(row.decision for row in plan.lines)
        if approve:
            plan.events.append(
                ("order.approve", at, self.manager, reason, {"waived": sorted(waived)})
            )
        else:
            plan.events.append(("order.reject", at, self.manager, reason, {}))
            self.buyer.facts["sulking"] = self.rng.randint(1, 2)

    def _answer_offers(self, plan: OrderPlan, timelines: list[Timeline]) -> None:
        """The customer takes an offer (usually the first) or cancels the order."""
        rows = [row for row in plan.lines if row.status == LineStatus.OFFERED]
        codes = {r["code"] for row in rows for r in row.reasons}
        chance = 0.2 if "NOT_ENOUGH_ON_DATE" in codes else 0.08
        at = max(row.decided_at for row in rows) + timedelta(minutes=self.rng.randint(5, 180))
        if self.rng.random() < chance:
            self._cancel(plan, at, self.rng.choice(CANCEL_OFFER))
            return
        for row in rows:
            number, parts, _made = row.offers[0]
            if len(row.offers) > 1 and self.rng.random() < 0.35:
                number, parts, _made = row.offers[1]
            reason = _("Counter-offer %(n)s accepted.") % {"n": number}
            timeline = timelines[row.number - 1]
            figures = {  # as ``actions._accept`` keeps them
                "today": at.date().isoformat(),
                "on_hand": str(timeline.on_hand),
                "atp": {d.isoformat(): str(timeline.atp(d)) for _q, d, _p in parts},
            }
            number = len(row.versions) + 1
            row.versions.append(
                VersionPlan(number, VersionKind.INITIAL, parts, at, self.staff, reason, figures)
            )
            row.decision, row.status, row.decided_at = Decision.COMMIT, LineStatus.PROMISED, at
        plan.decision = order_decision(row.decision for row in plan.lines)

    def _cancel(self, plan: OrderPlan, at: datetime, reason: str) -> None:
        plan.cancelled_at, plan.cancelled_by = at, CancelledBy.CUSTOMER
        for row in plan.lines:
            row.status = LineStatus.CANCELLED
        plan.events.append(("order.cancel", at, self.staff, reason, {"by": CancelledBy.CUSTOMER}))

    def _after_promise(self, plan: OrderPlan) -> None:
        """Before delivery: the customer may cancel; a date may move, agreed or not."""
        rng = self.rng
        promised = [row for row in plan.lines if row.promised]
        first = min(row.promised.date for row in promised)
        if rng.random() < CANCELLED:
            self._cancel(plan, _between(self.ctx, rng, plan.at, first), rng.choice(CANCEL_PROMISE))
            return
        roll = rng.random()
        if roll >= AGREED + UNILATERAL:
            return
        kind = VersionKind.AGREED if roll < AGREED else VersionKind.UNILATERAL
        row = rng.choice(promised)
        old = row.promised
        at = _between(self.ctx, rng, old.at, old.date)
        if kind == VersionKind.AGREED:
            reason = rng.choice(AGREED_REASONS)
            day = old.date + timedelta(days=rng.randint(1, 5))
            quantity = old.quantity
            if "周末" in reason:
                day = old.date + timedelta(days=(6 - old.date.isoweekday()) % 7 or 7)
        else:
            reason = rng.choice(UNILATERAL_REASONS)
            day = old.date + timedelta(days=2 if "两天" in reason else 1)
            quantity = old.quantity
        figures = {"today": at.date().isoformat(), "atp": str(quantity + rng.randint(0, 40))}
        by = self.staff if kind == VersionKind.AGREED else self.manager
        row.versions.append(
            VersionPlan(
                len(row.versions) + 1, kind, ((quantity, day, False),), at, by, reason, figures
            )
        )
        changes = {"line": row.number, "quantity": str(quantity), "date": day.isoformat()}
        plan.events.append((f"promise.{kind}", at, by, reason, changes))


def _figures(timeline: Timeline, line: LineInput, day: date) -> dict:
    """The figures the engine keeps with a decision (``engine._figures``)."""
    return {
        "today": day.isoformat(),
        "on_hand": str(timeline.on_hand),
        "atp_on_requested_date": str(timeline.atp(line.requested_date)),
        "pab_on_requested_date": str(timeline.pab(line.requested_date)),
    }


def _approval_chance(code: str, facts: CustomerFacts) -> float:
    if code == "OVERDUE":
        days = facts.oldest_overdue_days
        return 0.9 if days <= 45 else 0.6 if days <= 60 else 0.15
    return 0.8 if code == "CREDIT_LIMIT" else 0.85


def _days_to_new_year(day: date) -> int:
    return min(((d - day).days for d in NEW_YEAR if d >= day), default=999)


def _between(ctx: DemoContext, rng: random.Random, start: datetime, last: date) -> datetime:
    """A working-hours moment after ``start`` and before the day ``last``."""
    days = max(0, (last - start.date()).days - 1)
    day = start.date() + timedelta(days=rng.randint(0, days))
    moment = datetime.combine(day, time(rng.randint(9, 18), rng.randrange(60)), tzinfo=ctx.tz)
    return max(moment, start + timedelta(minutes=rng.randint(30, 120)))
