"""What really arrived for two years of promises, and the tolerances it is scored with.

Most goods arrive on the promised day (each part of a split promise on its own day, in the
customer's delivery window); a date we moved ourselves (unilateral) is kept on the new
day, which is late against the promise the customer still holds us to. The failures tell
a story that the service-level page should find (SPEC 2.4, 4):

- **the late route**: 成华区. On Saturdays one driver runs two routes and 成华 comes last,
  so its Saturday deliveries often slip to Monday; in the rainy season (July, August) the
  二仙桥 underpass floods and they slip a day or two. Elsewhere a day late is rare;
- **short picks** on two products whose shelf count is often wrong (泰国香米 5 kg, repacked
  imports; 大豆油 20 L drums): part on the day, the rest a few days later, or never;
- **damaged bags**, mostly 东北大米 10 kg, and more since the mill switched to thinner bags
  eight months ago; now and then a wrong item, a leaking drum, damp rice;
- a few lines **never delivered** (nobody home three times, the goods went back).

Rows are written in bulk like the orders: ``record_delivery`` would move stock and release
commitments, which the history has already closed. Nothing is delivered today or later:
a rest still due is simply not delivered yet. The same seed gives the same deliveries.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from kept.demo.context import DemoContext
from kept.demo.history import LinePlan, OrderPlan
from kept.fulfilment.actions import save_tolerance
from kept.fulfilment.choices import Defect
from kept.fulfilment.models import Delivery

BATCH = 1000
SATURDAY = 6
LATE_REGION = "cd-chenghua"
RAINY_MONTHS = (7, 8)
# Chance that a delivery day slips by (one, two) days.
SLIP_ANYWHERE = (0.012, 0.003)
SLIP_IN_THE_RAIN = (0.03, 0.005)
SLIP_LATE_REGION_SATURDAY = (0.12, 0.48)  # two days: to Monday
SLIP_LATE_REGION_RAIN = (0.22, 0.16)
EARLY = 0.003  # the van had room the day before
NEVER_DELIVERED = 0.003
# Chance that a line is short-picked, per product (else SHORT_PICK); the rest never comes
# in NOT_TOPPED_UP of those cases.
SHORT_PICK, SHORT_PICKED = 0.004, {"RICE-TH-5": 0.14, "OIL-SB-20": 0.12}
NOT_TOPPED_UP = 0.2
# Chance that a delivery arrives damaged (before, since the thinner bags) per product.
DAMAGED, DAMAGED_MORE = 0.002, {"RICE-NE-10": (0.03, 0.1), "OIL-PN-5": (0.008, 0.008)}
THINNER_BAGS_DAYS = 240
WRONG_ITEM, SPOILED = 0.002, 0.001
# (group code, None for everyone else; early days, late days)
TOLERANCES = ((None, 0, 0), ("household", 1, 1), ("institution", 2, 0))

# fmt: off
LATE_SATURDAY = "周六只有一位司机跑两条线，成华区排在最后，顺延到周一"
LATE_RAIN_REGION = "暴雨，二仙桥下穿隧道积水，绕行送晚了"
LATE_RAIN = "暴雨，路上积水，送晚了"
LATE_ANY = ("路上堵车，赶不上时间，次日送达", "送货车临时故障，次日送达", "司机病假，次日补送")
EARLY_NOTE = "顺路，客户同意提前送"
SHORT_NOTE = "拣货时货架上不够，缺 {missing} {unit}，余下改天补送"
SHORT_NEVER = "拣货时货架上不够，缺 {missing} {unit}；客户说不用补了"
TOP_UP = "补送上次缺的 {missing} {unit}"
DEFECTS = {  # per product family, or per SKU
    Defect.DAMAGED: {
        "RICE": ("编织袋破了，撒了一些米", "袋子开线，客户拍照反映", "搬运时袋子磨破"),
        "RICE-NE-10": ("新包装袋太薄，搬运时破了", "编织袋破裂，撒了不少米", "袋子开线漏米"),
        "OIL": ("油桶渗漏", "桶盖松动，漏了一些油", "桶身压瘪"),
        "BIN": ("米桶盖子裂了", "米桶运输中磕坏"),
    },
    Defect.WRONG_ITEM: {
        "RICE": ("送错品种，客户要的是另一种米", "送错规格，大小袋拿反了", "送成了别家的货"),
        "OIL": ("送成了另一种油", "送错规格，大小桶拿反了", "送成了别家的货"),
        "BIN": ("米桶送错了尺寸",),
    },
    Defect.EXPIRED: {
        "RICE": ("米受潮结块", "米里发现米虫"),
        "OIL": ("油已过保质期", "油有哈喇味"),
        "BIN": (),  # a bin does not spoil
    },
}
# fmt: on


@dataclass(frozen=True)
class Drop:
    """One delivery of a line, before it is a row."""

    quantity: Decimal
    day: date
    note: str = ""
    quality_ok: bool = True
    defect: str = ""


def save_deliveries(ctx: DemoContext, plans: list[OrderPlan]) -> dict[str, int]:
    """Deliver every promised line of the saved history (plans carry their line ids) and set
    the service-level tolerances. Returns counts for the summary."""
    tolerances = _save_tolerances(ctx)
    courier = _Courier(ctx)
    rows = []
    for plan in plans:
        rows.extend(courier.deliver(plan))
    Delivery.objects.bulk_create(rows, batch_size=BATCH)
    return {
        "deliveries": len(rows),
        "late_deliveries": courier.late,
        "not_ok_deliveries": sum(not row.quality_ok for row in rows),
        "undelivered_lines": courier.undelivered,
        "tolerances": tolerances,
    }


def _save_tolerances(ctx: DemoContext) -> int:
    for code, early, late in TOLERANCES:
        group = ctx.groups[code] if code else None
        values = {"early_days": early, "late_days": late, "short_percent": Decimal(0)}
        save_tolerance(group, values, actor=ctx.users["manager"])
    return len(TOLERANCES)


class _Courier:
    """The vans, the pickers and the roads: turns a promise into deliveries."""

    def __init__(self, ctx: DemoContext) -> None:
        self.ctx, self.rng = ctx, ctx.rng("deliveries")
        self.late_region = ctx.regions[LATE_REGION].pk
        self.thinner_bags = ctx.today - timedelta(days=THINNER_BAGS_DAYS)
        self.recorder = ctx.users["warehouse"]
        self.late = self.undelivered = 0

    def deliver(self, plan: OrderPlan) -> list[Delivery]:
        """The deliveries of an order's promised lines; one van trip per day for the order,
        so its lines slip together."""
        trips: dict[date, tuple[date, str]] = {}
        rows = []
        for row in plan.delivered():
            drops = self._drops(plan, row, trips)
            if not drops:
                self.undelivered += 1
            rows.extend(self._row(plan, row, drop) for drop in drops)
        return rows

    def _drops(self, plan: OrderPlan, row: LinePlan, trips: dict) -> list[Drop]:
        rng, sku = self.rng, row.line.product.sku
        if rng.random() < NEVER_DELIVERED:
            return []
        drops = []
        for quantity, day, _to_procure in sorted(row.promised.parts, key=lambda part: part[1]):
            if day not in trips:
                trips[day] = self._trip_day(plan, day)
            actual, note = trips[day]
            drops.append(Drop(quantity, actual, note))
        drops = self._short_pick(sku, row.line.product.unit, drops)
        drops = [self._quality(sku, drop) for drop in drops if drop.day < self.ctx.today]
        self.late += sum(drop.day > row.promised.date for drop in drops)
        return drops

    def _trip_day(self, plan: OrderPlan, day: date) -> tuple[date, str]:
        """The day the van really came for goods due on ``day``, and why it differs."""
        rng = self.rng
        in_late_region = plan.buyer.customer.region_id == self.late_region
        rain = day.month in RAINY_MONTHS
        if in_late_region and day.isoweekday() == SATURDAY:
            chances, note = SLIP_LATE_REGION_SATURDAY, LATE_SATURDAY
        elif in_late_region and rain:
            chances, note = SLIP_LATE_REGION_RAIN, LATE_RAIN_REGION
        elif rain:
            chances, note = SLIP_IN_THE_RAIN, LATE_RAIN
        else:
            chances, note = SLIP_ANYWHERE, rng.choice(LATE_ANY)
        roll = rng.random()
        if roll < chances[1]:
            return day + timedelta(days=2), note
        if roll < chances[0] + chances[1]:
            return day + timedelta(days=1), note
        if roll > 1 - EARLY and day - timedelta(days=1) > plan.at.date():
            return day - timedelta(days=1), EARLY_NOTE
        return day, ""

    def _short_pick(self, sku: str, unit: str, drops: list[Drop]) -> list[Drop]:
        """The first delivery leaves some behind; the rest follows in a few days, or never."""
        rng = self.rng
        if rng.random() >= SHORT_PICKED.get(sku, SHORT_PICK):
            return drops
        first, later = drops[0], drops[1:]
        most = max(1, int(first.quantity) // 2)
        missing = min(first.quantity, Decimal(rng.randint(1, most)))
        words = {"missing": _plain(missing), "unit": unit}
        picked = replace(first, quantity=first.quantity - missing, note=SHORT_NOTE.format(**words))
        if rng.random() < NOT_TOPPED_UP:
            picked, rest = replace(picked, note=SHORT_NEVER.format(**words)), None
        else:
            day = first.day + timedelta(days=rng.randint(1, 4))
            rest = Drop(missing, day, TOP_UP.format(**words))
        drops = [drop for drop in (picked, rest, *later) if drop and drop.quantity > 0]
        return sorted(drops, key=lambda drop: drop.day)

    def _quality(self, sku: str, drop: Drop) -> Drop:
        before, since = DAMAGED_MORE.get(sku, (DAMAGED, DAMAGED))
        damaged = since if drop.day >= self.thinner_bags else before
        roll = self.rng.random()
        for defect, chance in (
            (Defect.DAMAGED, damaged),
            (Defect.WRONG_ITEM, WRONG_ITEM),
            (Defect.EXPIRED, SPOILED),
        ):
            if roll < chance:
                notes = DEFECTS[defect]
                notes = notes.get(sku) or notes[sku.split("-")[0]]
                if not notes:
                    return drop
                note = self.rng.choice(notes)
                return replace(drop, quality_ok=False, defect=defect, note=note)
            roll -= chance
        return drop

    def _row(self, plan: OrderPlan, row: LinePlan, drop: Drop) -> Delivery:
        at = _moment(self.rng, self.ctx, plan.buyer.customer, drop.day)
        return Delivery(
            line_id=row.pk,
            quantity=drop.quantity,
            delivered_at=at,
            delivered_on=drop.day,
            quality_ok=drop.quality_ok,
            defect=drop.defect,
            note=drop.note,
            created_by=self.recorder,
            created_at=at + timedelta(minutes=self.rng.randint(3, 50)),
        )


def _moment(rng: random.Random, ctx: DemoContext, customer, day: date) -> datetime:
    """A moment inside the customer's delivery window (else 9:00–18:00), in the business
    time zone."""
    start, end = customer.window_start or time(9), customer.window_end or time(18)
    first, last = start.hour * 60 + start.minute, end.hour * 60 + end.minute - 1
    minute = rng.randint(first, max(first, last))
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=ctx.tz)


def _plain(quantity: Decimal) -> str:
    """3 rather than 3.000 in a note."""
    return f"{quantity.normalize():f}"
