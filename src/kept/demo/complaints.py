"""Complaints of the last six months, most about real demo deliveries that went wrong.

A late delivery is complained about as late, a short pick as short, a damaged, wrong or spoiled
delivery as quality; a few bags are found bad days after a delivery recorded as OK, and the
confirmed complaint marks that delivery not OK (its line drops out of the service level).
Restaurants and canteens complain more readily than households. Some complaints are about a
driver or a bill. Each gets a remedy with what it cost us, and a follow-up date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import F

from kept.customers.models import Customer
from kept.demo import desk_texts as texts
from kept.demo.deliveries import SHORT_NEVER, SHORT_NOTE
from kept.demo.tickets import COMPLAINT, CONFIRM, HOUR, Planner, Story, daytime, pick
from kept.fulfilment.models import Delivery
from kept.servicedesk.choices import Priority, Remedy, RootCause, TicketKind

# Complaints in six months at full scale, per root cause.
COUNTS = {"late": 24, "short": 14, "quality": 18, "found_later": 5, "staff": 6, "billing": 7}
GROUP_WEIGHT = {"household": 1.0, "restaurant": 4.0, "institution": 4.0}  # who complains
TRIP = Decimal("15.00")  # one extra van trip
CENTS = Decimal("0.01")
SHORT_PREFIX = SHORT_NOTE.split("，")[0]
NEVER_TOPPED_UP = SHORT_NEVER.rsplit("；", 1)[1]
MISSING = re.compile(r"缺 ([\d.]+) ")
REOPENED, FOLLOWED_UP, CONFIRMED = 0.04, 0.7, 0.85  # shares of complaints
GIFT = Decimal("38.00")  # a bottle of peanut oil, at cost
CONFIRMATIONS = ("看了客户发来的照片，确认属实。", "司机和仓库都确认了。")
DAMAGED_RICE = ("damaged", "RICE")


@dataclass
class Fix:
    remedy: str
    cost: Decimal  # what the remedy costs us (cost-to-serve)
    amount: Decimal = Decimal(0)  # what the customer gets back, for the reply


@dataclass
class Case:
    """One complaint as it will be worked: the customer's words, the words to fill in, what
    happened as staff wrote it down, the root cause and the fix."""

    voice: texts.Voice
    words: dict
    cause: str
    happened: str
    fix: Fix
    note: str = ""  # the topic of the internal note (default: the root cause)
    confirm: tuple[str, str] | None = None  # (how it was confirmed, the defect)
    ask_photo: bool = False


def complaint_stories(planner: Planner) -> list[Story]:
    deliveries = _Candidates(planner)
    stories = [_late(planner, d) for d in deliveries.late()]
    stories += [_short(planner, d) for d in deliveries.short()]
    # the first is always put right with new goods: customer service hands the redelivery
    # to the fleet, at any scale
    stories += [_quality(planner, d, n == 0) for n, d in enumerate(deliveries.quality())]
    stories += [_found_later(planner, d) for d in deliveries.found_later()]
    stories += [_about(planner, c, RootCause.STAFF) for c in _customers(planner, "staff")]
    stories += [_about(planner, c, RootCause.BILLING) for c in _customers(planner, "billing")]
    return stories


class _Candidates:
    """Deliveries of the history window to external customers writing Chinese, picked by a
    weighted draw (restaurants and canteens complain more)."""

    def __init__(self, planner: Planner) -> None:
        self.ctx, self.rng = planner.ctx, planner.rng
        self.window = Delivery.objects.filter(
            delivered_on__range=(planner.first_day, planner.last_day - timedelta(days=2)),
            line__order__customer__kind="external",
            line__order__customer__is_active=True,
            line__order__customer__language="zh-hans",
        )

    def _draw(self, found, cause: str) -> list[Delivery]:
        rows = list(found.order_by("pk").values_list("pk", "line__order__customer__group__code"))
        weights = [GROUP_WEIGHT.get(group, 1.0) for _pk, group in rows]
        chosen = pick(self.rng, [pk for pk, _g in rows], weights, self.ctx.count(COUNTS[cause]))
        found = Delivery.objects.filter(pk__in=chosen).select_related(
            "line__order__customer__group", "line__order__customer__owner", "line__product"
        )
        return sorted(found, key=lambda d: d.pk)

    def late(self) -> list[Delivery]:
        return self._draw(self.window.filter(delivered_on__gt=F("line__governing_date")), "late")

    def short(self) -> list[Delivery]:
        return self._draw(self.window.filter(note__startswith=SHORT_PREFIX), "short")

    def quality(self) -> list[Delivery]:
        return self._draw(self.window.filter(quality_ok=False), "quality")

    def found_later(self) -> list[Delivery]:
        rice = self.window.filter(
            quality_ok=True,
            line__product__sku__startswith="RICE",
            line__order__customer__group__code="household",
        )
        return self._draw(rice, "found_later")


def _customers(planner: Planner, cause: str) -> list[Customer]:
    customers = planner.customers(("household", "restaurant", "institution"))
    weights = [GROUP_WEIGHT[c.group.code] for c in customers]
    return pick(planner.rng, customers, weights, planner.ctx.count(COUNTS[cause]))


def _words(delivery: Delivery, **extra) -> dict:
    line = delivery.line
    return {
        "product": line.product.name,
        "unit": line.product.unit,
        "ordered": _plain(line.governing_quantity or delivery.quantity),
        "got": _plain(delivery.quantity),
        "missing": "",
        "amount": "",
        **extra,
    }


def _tone(customer: Customer) -> str:
    return "household" if customer.group.code == "household" else "business"


def _voices(pool: dict, customer: Customer) -> tuple:
    """The customer's group's own words if there are any, else those of its kind."""
    return pool.get(customer.group.code) or pool[_tone(customer)]


def _priority(planner: Planner, customer: Customer) -> str:
    if customer.group.code == "household":
        return Priority.HIGH if planner.rng.random() < 0.2 else Priority.NORMAL
    weights = [15, 50, 35]
    return planner.rng.choices([Priority.URGENT, Priority.HIGH, Priority.NORMAL], weights)[0]


def _story(planner: Planner, customer: Customer, case: Case, **details) -> Story:
    assignee = details.pop("assignee", None) or planner.assignee_of(customer)
    return Story(
        customer=customer,
        kind=TicketKind.COMPLAINT,
        priority=details.pop("priority", None) or _priority(planner, customer),
        channel=planner.channel(customer),
        subject=case.voice.subject.format(**case.words),
        description=case.voice.said.format(**case.words),
        assignee=assignee,
        actor=details.pop("actor", assignee),
        complaint={"what_happened": case.happened, "customer_wants": case.voice.wants},
        **details,
    )


def _about_delivery(planner: Planner, delivery: Delivery, case: Case, **details) -> Story:
    """The customer calls or writes some time after the van left."""
    later = delivery.delivered_at + planner.rng.randint(1, 30) * HOUR / 2
    details.setdefault("created_at", daytime(later, planner.ctx.tz))
    return _work(
        planner,
        _story(planner, delivery.line.order.customer, case, delivery=delivery, **details),
        case,
    )


def _work(planner: Planner, story: Story, case: Case) -> Story:
    """Answer, look into it (a note), record root cause and remedy, confirm it if it was,
    resolve with the remedy; sometimes reopened; a follow-up date on most."""
    rng = planner.rng
    words = {**case.words, "amount": _plain(case.fix.amount)}
    values = {"root_cause": case.cause, "remedy": case.fix.remedy, "remedy_cost": case.fix.cost}
    before_done = [(COMPLAINT, {"values": values})]
    if case.confirm:
        before_done.append((CONFIRM, {"text": case.confirm[0], "defect": case.confirm[1]}))
    photo = (rng.choice(texts.ASK_PHOTO), rng.choice(texts.PHOTO_SENT))
    resolved = planner.flow(
        story,
        first=rng.choice(texts.FIRST_REPLY).format(name=""),
        done=rng.choice(texts.REMEDY_REPLY[case.fix.remedy]).format(**words),
        ask=photo if case.ask_photo else None,
        notes=(rng.choice(texts.CAUSE_NOTE[case.note or case.cause]),),
        before_done=before_done,
        reopen=rng.choice(texts.REOPEN_SAID) if rng.random() < REOPENED else "",
    )
    if rng.random() < FOLLOWED_UP:
        # the form's values are the step's: the date is known once the resolution is planned
        follow_up = resolved + timedelta(days=rng.randint(5, 14))
        values["follow_up_on"] = follow_up.astimezone(planner.ctx.tz).date()
    return story


def _late(planner: Planner, delivery: Delivery) -> Story:
    customer, rng, line = delivery.line.order.customer, planner.rng, delivery.line
    days = (delivery.delivered_on - line.governing_date).days
    happened = (
        f"承诺 {line.governing_date:%m-%d} 送达，实际 {delivery.delivered_on:%m-%d} 送到，"
        f"晚了 {days} 天。"
    )
    if delivery.note:
        happened += f"车队记录：{delivery.note}"
    if customer.group.code == "restaurant" and rng.random() < 0.7:
        fix = _credit(rng.choice([30, 50, 80]))  # what lunch service lost
    elif customer.group.code == "household" and rng.random() < 0.25:
        fix = _credit(rng.choice([10, 20]))
    else:
        fix = Fix(Remedy.APOLOGY, Decimal(0))
    voice = rng.choice(_voices(texts.LATE, customer))
    return _about_delivery(
        planner, delivery, Case(voice, _words(delivery), RootCause.LATE, happened, fix)
    )


def _short(planner: Planner, delivery: Delivery) -> Story:
    customer, rng, line = delivery.line.order.customer, planner.rng, delivery.line
    found = MISSING.search(delivery.note)
    missing = Decimal(found.group(1)) if found else Decimal(1)
    words = _words(delivery, missing=_plain(missing))
    never = NEVER_TOPPED_UP in delivery.note
    voice = texts.SHORT_REFUND if never else rng.choice(_voices(texts.SHORT, customer))
    happened = (
        f"订单 {line.order.number}：{line.product.name} 少送 {words['missing']} "
        f"{line.product.unit}。{delivery.note}"
    )
    if never:
        refund = (missing * line.unit_price).quantize(CENTS)
        fix = Fix(Remedy.REFUND, refund, refund)
    else:
        fix = Fix(Remedy.REDELIVER, TRIP)
    story = _about_delivery(planner, delivery, Case(voice, words, RootCause.SHORT, happened, fix))
    if not never:
        story.handoffs.append(("repick", words))
    return story


def quality_voice(rng, delivery: Delivery, replaced: Decimal = Decimal(1)):
    """(voice, words) of a complaint about a delivery recorded not OK."""
    family = delivery.line.product.sku.split("-")[0]
    voices = texts.QUALITY.get((delivery.defect, family))
    voices = voices or texts.QUALITY.get((delivery.defect, "")) or texts.QUALITY[DAMAGED_RICE]
    return rng.choice(voices), _words(delivery, missing=_plain(replaced))


def _quality(planner: Planner, delivery: Delivery, replace: bool = False) -> Story:
    rng, line = planner.rng, delivery.line
    replaced = min(delivery.quantity, Decimal(rng.choice([1, 1, 2])))
    voice, words = quality_voice(rng, delivery, replaced)
    recorded = delivery.note or delivery.get_defect_display()
    happened = f"订单 {line.order.number}：{line.product.name}，送货时登记：{recorded}"
    fix = _goods_fix(planner, line, replaced, replace)
    case = Case(voice, words, RootCause.QUALITY, happened, fix)
    case.note = delivery.defect if delivery.defect in ("damaged", "wrong_item") else "spoiled"
    case.ask_photo = rng.random() < 0.35
    if rng.random() < CONFIRMED:
        case.confirm = (rng.choice(CONFIRMATIONS), delivery.defect)
    story = _about_delivery(planner, delivery, case)
    if case.fix.remedy == Remedy.REDELIVER:
        story.handoffs.append(("redeliver", words))
    return story


def _found_later(planner: Planner, delivery: Delivery) -> Story:
    """A bag opened days later: the delivery was recorded OK; the confirmation marks it."""
    rng, line = planner.rng, delivery.line
    defect, voice = rng.choice(texts.FOUND_LATER)
    opened = delivery.delivered_at + timedelta(days=rng.randint(2, 9), hours=rng.randint(0, 10))
    happened = (
        f"{delivery.delivered_on:%m-%d} 送的 {line.product.name}，"
        "客户拆袋后发现问题（送货时未发现）。"
    )
    case = Case(
        voice, _words(delivery, missing="1"), RootCause.QUALITY, happened,
        _goods_fix(planner, line, Decimal(1)), note="spoiled", ask_photo=True,
        confirm=("客户拍了照片，同批次库存抽查也有同样问题，确认属实。", defect),
    )  # fmt: skip
    return _about_delivery(
        planner,
        delivery,
        case,
        priority=Priority.NORMAL,
        created_at=daytime(opened, planner.ctx.tz),
    )


def _goods_fix(planner: Planner, line, quantity: Decimal, replace: bool = False) -> Fix:
    """Replace the goods (their cost and a trip), refund them, or a credit."""
    roll = planner.rng.random()
    if replace or roll < 0.6:
        return Fix(Remedy.REDELIVER, (quantity * line.unit_cost + TRIP).quantize(CENTS))
    if roll < 0.85:
        refund = (quantity * line.unit_price).quantize(CENTS)
        return Fix(Remedy.REFUND, refund, refund)
    return _credit(planner.rng.choice([20, 30, 50]))


def _credit(yuan: int) -> Fix:
    return Fix(Remedy.CREDIT, Decimal(yuan), Decimal(yuan))


def _about(planner: Planner, customer: Customer, cause: str) -> Story:
    """A complaint about a person (the manager takes it) or a bill, not about a delivery."""
    rng = planner.rng
    voice = rng.choice(
        _voices(texts.STAFF if cause == RootCause.STAFF else texts.BILLING, customer)
    )
    amount = Decimal(rng.choice([62, 124, 148, 235]))
    words = {
        "product": "一级大豆油 20 L 餐饮桶",
        "amount": _plain(amount),
        "missing": "",
        "unit": "",
    }
    subject = voice.subject.format(**words)
    if cause == RootCause.BILLING:
        # putting our own mistake right costs nothing beyond what was owed anyway
        remedy = Remedy.REFUND if "付" in voice.said else Remedy.CREDIT
        fix = Fix(Remedy.APOLOGY if "发票" in voice.said else remedy, Decimal(0), amount)
        case = Case(voice, words, cause, f"核对送货单和付款记录：{subject}", fix)
        return _work(planner, _history_story(planner, customer, case), case)
    gift = rng.random() < 0.3  # a bottle of peanut oil with the apology
    fix = Fix(Remedy.APOLOGY, GIFT if gift else Decimal(0))
    case = Case(voice, words, cause, f"客户反映：{subject}", fix)
    manager = planner.ctx.users["manager"]
    return _work(planner, _history_story(planner, customer, case, assignee=manager), case)


def _history_story(planner: Planner, customer: Customer, case: Case, **details) -> Story:
    priority = Priority.NORMAL if planner.rng.random() < 0.7 else Priority.HIGH
    details.setdefault("actor", planner.assignee_of(customer))  # who took the call
    return _story(
        planner,
        customer,
        case,
        priority=priority,
        created_at=planner.moment(planner.history_day()),
        **details,
    )


def _plain(quantity) -> str:
    value = Decimal(quantity)
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.2f}"
