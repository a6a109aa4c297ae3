"""What each customer buys and when: the order drafts of two years, from their habits.

Households order rice (and oil with it, now and then) when the jar runs low: how often
follows the family's size, the jar, and how much of their rice they buy from us. Restaurants
order every week for their delivery day, more before the holidays; canteens every week, not
in the school holidays; the staff kitchen every Monday. Drafts are only requests: the
history (``history``) and the engine (``current``) decide them.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from kept.customers.models import Customer
from kept.demo.accounts import Account, Payer
from kept.demo.context import DemoContext
from kept.promising.engine import LineInput
from kept.promising.rules import Policy

ONE = Decimal(1)
HALF = Decimal("0.5")
# Chinese New Year's Day: restaurants close around it, families buy glutinous rice before.
# fmt: off
NEW_YEAR = tuple(date.fromisoformat(d) for d in (
    "2022-02-01", "2023-01-22", "2024-02-10", "2025-01-29", "2026-02-17", "2027-02-06",
    "2028-01-26", "2029-02-13", "2030-02-03", "2031-01-23", "2032-02-11", "2033-01-31",
    "2034-02-19", "2035-02-08", "2036-01-28",
))
# fmt: on
# How much of its rice a household buys from us: (share from, to, weight).
LOYALTY = ((0.4, 0.7, 20), (0.1, 0.28, 40), (0.02, 0.06, 40))
RICE = {
    "喜欢东北大米": ("RICE-NE-5", "RICE-NE-10"),
    "只吃五常稻花香": ("RICE-WC-5", "RICE-WC-10"),
    "喜欢丝苗米": ("RICE-SM-10", "RICE-SM-10"),
    "喜欢泰国香米": ("RICE-TH-5", "RICE-TH-5"),
}
OIL = {"用菜籽油": "OIL-RS-5", "用花生油": "OIL-PN-5", "用大豆油": "OIL-SB-5"}
RESTAURANT_RICE = {"早籼米": "RICE-ZX-25", "丝苗米": "RICE-SM-25", "东北大米": "RICE-NE-25"}
RESTAURANT_OIL = {"菜籽油": "OIL-RS-20", "大豆油": "OIL-SB-20"}
# Household notes that go with an unusual order.
BANQUET = "家里办酒席，要多备些米"
DRUM = "客户想要一桶 20 L 的大桶菜籽油"
DISCOUNT = "老板说隔壁供应商便宜，要求按九折给"


@dataclass
class Draft:
    """An order as the customer asks for it."""

    at: datetime
    lines: list[LineInput]
    note: str = ""

    @property
    def day(self) -> date:
        return self.at.date()

    @property
    def first_date(self) -> date:
        return min(line.requested_date for line in self.lines)

    @property
    def last_date(self) -> date:
        return max(line.requested_date for line in self.lines)


@dataclass
class Buyer:
    """One customer with their habits, account and the rules in force for them."""

    customer: Customer
    kind: str  # the group code
    policy: Policy
    rng: random.Random
    first_day: date
    last_day: date  # no orders after this day (blocked, moved away, or today)
    payer: Payer | None = None
    account: Account = field(init=False)
    blocked_on: date | None = None
    role: str = ""
    facts: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.account = Account(self.customer.credit_limit)

    @property
    def code(self) -> str:
        return self.customer.code


def number_after(text: str, pattern: str, default: int) -> int:
    match = re.search(pattern, text)
    return int(match.group(1)) if match else default


def next_delivery_day(day: date, weekdays, rng: random.Random, spread: int = 3) -> date:
    """The first of the customer's delivery days after ``day`` (any day soon if none)."""
    if not weekdays:
        return day + timedelta(days=rng.randint(1, spread))
    return next(
        day + timedelta(days=n)
        for n in range(1, 8)
        if (day + timedelta(days=n)).isoweekday() in weekdays
    )


def _at(ctx: DemoContext, day: date, rng: random.Random, hours: tuple[int, int]) -> datetime:
    return datetime.combine(day, time(rng.randint(*hours), rng.randrange(60)), tzinfo=ctx.tz)


def _new_year_within(day: date, days: int) -> date | None:
    return next((d for d in NEW_YEAR if 0 < (d - day).days <= days), None)


def _closed_for_new_year(day: date) -> bool:
    return any(-1 <= (day - d).days <= 6 for d in NEW_YEAR)


def drafts(ctx: DemoContext, buyer: Buyer, until: date) -> Iterator[Draft]:
    """The buyer's orders from their first day to ``until`` (order days), in time order."""
    make = {
        "household": _household,
        "restaurant": _restaurant,
        "institution": _institution,
        "internal": _kitchen,
    }[buyer.kind]
    return make(ctx, buyer, until)


# Households -------------------------------------------------------------------------------


def _household(ctx: DemoContext, buyer: Buyer, until: date) -> Iterator[Draft]:
    rng, customer = buyer.rng, buyer.customer
    text, size = customer.preferences, customer.size or 2
    jar = number_after(text, r"米缸 (\d+) kg", 15)
    monthly = number_after(text, r"每月约 (\d+) kg", 6 * size)
    low, high, _weight = rng.choices(LOYALTY, weights=[w for *_s, w in LOYALTY])[0]
    share = rng.uniform(low, high)
    liking = next((key for key in RICE if key in text), "")
    small, large = RICE.get(liking, ("RICE-NE-5", "RICE-NE-10"))
    sku = large if jar >= 15 else small
    bag = 5 if sku.endswith("-5") else 10
    bags = max(1, min(3, round(jar * 0.8 / bag) + ("囤货" in text)))
    interval = max(10.0, min(200.0, bags * bag / (monthly * share) * 30))
    oil = next((s for key, s in OIL.items() if key in text), None)
    if oil == "OIL-PN-5" and size <= 2:
        oil = "OIL-PN-1.8"
    litres = 5 if oil and not oil.endswith("1.8") else 1.8
    oil_per_order = size * 1.2 * share * interval / 30 / litres
    buyer.facts.update(sku=sku, bags=bags, interval=interval, oil=oil)
    day = max(buyer.first_day, ctx.history_start) + timedelta(days=rng.randint(0, int(interval)))
    glutinous = set()
    bin_bought = False
    while day <= min(until, buyer.last_day):
        at = _at(ctx, day, rng, (8, 21))
        requested = next_delivery_day(day, customer.preferred_days, rng)
        if rng.random() < 0.03:
            requested = day  # "can you bring it today?"
        rice = sku if liking else rng.choice([sku, "RICE-SM-10" if bag == 10 else "RICE-NE-5"])
        quantity, note = bags, ""
        if rng.random() < 0.005:
            quantity, note = 8, BANQUET
        lines = [_line(ctx, rice, quantity, requested)]
        if oil and rng.random() < oil_per_order:
            lines.append(_line(ctx, oil, max(1, round(oil_per_order)), requested))
        new_year = _new_year_within(day, 25)
        if new_year and new_year not in glutinous and "糯米" in text:
            glutinous.add(new_year)
            lines.append(_line(ctx, "RICE-GL-2.5", 1 if size <= 3 else 2, requested))
        if not bin_bought and "生虫" in text and day.month in (5, 6):
            bin_bought = True
            lines.append(_line(ctx, "BIN-15" if jar <= 15 else "BIN-25", 1, requested))
        if rng.random() < 0.004:
            lines.append(_line(ctx, "OIL-RS-20", 1, requested))
            note = DRUM
        yield Draft(at, lines, note)
        day += timedelta(days=max(7, round(interval * rng.uniform(0.75, 1.3))))


def _line(ctx, sku: str, quantity, requested: date, partial=False, price=None) -> LineInput:
    return LineInput(ctx.products[sku], Decimal(quantity), requested, partial, price)


# Restaurants, canteens, the staff kitchen ----------------------------------------------------


def _restaurant(ctx: DemoContext, buyer: Buyer, until: date) -> Iterator[Draft]:
    rng, customer = buyer.rng, buyer.customer
    text, seats = customer.preferences, customer.size or 40
    daily = number_after(text, r"每天约 (\d+) kg", 10)
    rice = next((s for key, s in RESTAURANT_RICE.items() if f"用米：{key}" in text), "RICE-ZX-25")
    oil = next((s for key, s in RESTAURANT_OIL.items() if f"用油：{key}" in text), "OIL-RS-20")
    weekday = (customer.preferred_days or [3])[0]
    ahead = rng.choice([1, 2, 3, 7])  # days before delivery: some order a week ahead
    partial = rng.random() < 0.4
    factor = ctx.contract_prices.get(customer.code)
    drums = seats / 90
    buyer.facts.update(sku=rice, bags=daily * 6 / 25, oil=oil, drums=drums, weekday=weekday)
    delivery = _first_weekday(max(buyer.first_day, ctx.history_start) + timedelta(days=7), weekday)
    while delivery - timedelta(days=ahead) <= min(until, buyer.last_day):
        day = delivery - timedelta(days=ahead)
        if _closed_for_new_year(delivery) or rng.random() < 0.04:
            delivery += timedelta(days=7)
            continue
        rush = 1.8 if _new_year_within(delivery, 8) else 1.3 if _national_day(delivery) else 1.0
        bags = max(1, round(daily * 6 / 25 * rush * rng.uniform(0.85, 1.15)))
        price, note = None, ""
        if factor:
            price = _round_half(ctx.products[rice].price * factor)
        elif rng.random() < 0.015:
            price, note = _round_half(ctx.products[rice].price * Decimal("0.9")), DISCOUNT
        lines = [_line(ctx, rice, bags, delivery, partial, price)]
        count = int(drums * rush) + (rng.random() < (drums * rush) % 1)
        if count:
            lines.append(_line(ctx, oil, count, delivery, partial))
        yield Draft(_at(ctx, day, rng, (14, 22)), lines, note)
        delivery += timedelta(days=7)


def _institution(ctx: DemoContext, buyer: Buyer, until: date) -> Iterator[Draft]:
    rng, customer = buyer.rng, buyer.customer
    text = customer.preferences
    monthly = number_after(text, r"月用米约 (\d+) kg", 2000)
    rice = "RICE-NE-25" if "东北大米" in text else rng.choice(["RICE-ZX-25", "RICE-SM-25"])
    tender = Decimal("0.95") if "招标价" in text else None
    weekday = (customer.preferred_days or [1])[0]
    buyer.facts.update(sku=rice, bags=monthly / 4.33 / 25, weekday=weekday)
    delivery = _first_weekday(max(buyer.first_day, ctx.history_start) + timedelta(days=7), weekday)
    while delivery - timedelta(days=3) <= min(until, buyer.last_day):
        if ("寒暑假" in text and _school_holiday(delivery)) or rng.random() < 0.03:
            delivery += timedelta(days=7)
            continue
        ahead = 1 if rng.random() < 0.08 else 3  # a day ahead is too late: a counter-offer
        bags = max(1, round(monthly / 4.33 / 25 * rng.uniform(0.9, 1.1)))
        price = _round_half(ctx.products[rice].price * tender) if tender else None
        lines = [_line(ctx, rice, bags, delivery, price=price)]
        lines.append(_line(ctx, "OIL-SB-20", max(1, round(monthly / 600)), delivery))
        day = delivery - timedelta(days=ahead)
        yield Draft(_at(ctx, day, rng, (9, 16)), lines)
        delivery += timedelta(days=7)


def _kitchen(ctx: DemoContext, buyer: Buyer, until: date) -> Iterator[Draft]:
    if buyer.code != "INT-KITCHEN":
        return
    rng = buyer.rng
    buyer.facts.update(sku="RICE-NE-25", bags=4, weekday=2)
    delivery = _first_weekday(ctx.history_start + timedelta(days=7), 2)
    week = 0
    while delivery - timedelta(days=1) <= until:
        week += 1
        if not _closed_for_new_year(delivery):
            lines = [_line(ctx, "RICE-NE-25", rng.randint(3, 5), delivery)]
            if week % 2:
                lines.append(_line(ctx, "OIL-RS-20", 1, delivery))
            yield Draft(_at(ctx, delivery - timedelta(days=1), rng, (9, 11)), lines)
        delivery += timedelta(days=7)


def _first_weekday(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.isoweekday()) % 7)


def _national_day(day: date) -> bool:
    return day.month == 9 and day.day >= 24


def _school_holiday(day: date) -> bool:
    return (
        (day.month, day.day) >= (7, 5)
        and day.month <= 8
        or ((1, 15) <= (day.month, day.day) <= (2, 25))
    )


def _round_half(value: Decimal) -> Decimal:
    return (value / HALF).quantize(ONE) * HALF
