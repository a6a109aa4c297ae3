"""What each customer buys and when: the order drafts of two years, from their habits.

Households order rice (and oil with it, now and then) when their jar runs low (``jars``),
from us or elsewhere by how much of their rice they buy from us. Restaurants
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
from kept.demo import jars
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
# How much of its rice a household buys from us, by its note: (note, (share from, to), weight).
LOYALTY = (
    ("米一直在我们这里买", (0.9, 1.0), 20),
    ("有时在超市买米", (0.1, 0.3), 40),
    ("偶尔在我们这里买米", (0.02, 0.06), 40),
)
# The rice a household likes, by bag size (kg).
RICE = {
    "喜欢东北大米": {5: "RICE-NE-5", 10: "RICE-NE-10"},
    "只吃五常稻花香": {5: "RICE-WC-5", 10: "RICE-WC-10"},
    "喜欢丝苗米": {10: "RICE-SM-10"},
    "喜欢泰国香米": {5: "RICE-TH-5"},
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
    """The household's rice orders come from its jar (``jars``): each time the jar wants
    filling, the family buys from us with the chance of its share, else elsewhere (the jar
    fills all the same). Other goods come with the rice orders (``_Extras``)."""
    rng, customer = buyer.rng, buyer.customer
    text = customer.preferences
    jar = _jar(ctx, buyer)
    share = rng.uniform(*next((r for key, r, _w in LOYALTY if key in text), LOYALTY[-1][1]))
    switches = not buyer.facts["regular"] and not any(key in text for key in RICE)
    extras = _Extras(ctx, buyer)
    habit, wait = rng.uniform(*jars.HABIT_SHARE), _longest_wait(customer.preferred_days)
    last = min(until, buyer.last_day).toordinal()
    while True:
        day, level = jar.next_order(jar.habit_level(habit, wait, "囤货" in text))
        if day > last:
            return
        day = date.fromordinal(day)
        requested = next_delivery_day(day, customer.preferred_days, rng)
        if rng.random() < 0.03:
            requested = day  # "can you bring it today?"
        bags = jar.bags_that_fit(level)
        if rng.random() >= share:  # bought elsewhere
            jar.fill(requested, bags)
            continue
        sku = buyer.facts["sku"]
        rice = rng.choice([sku, _other(sku)]) if switches else sku
        note = ""
        if rng.random() < 0.005:
            bags, note = 8, BANQUET  # the jar is filled, the rest is for the banquet
        jar.fill(requested, bags)
        lines, extra_note = extras.lines(rng, day, requested)
        yield Draft(
            _at(ctx, day, rng, (8, 21)),
            [_line(ctx, rice, bags, requested), *lines],
            extra_note or note,
        )


class _Extras:
    """What comes with a household's rice orders: oil now and then (about the family's
    1.2 L a person a month, when it buys its oil from us), glutinous rice before the New
    Year, a rice bin against weevils in early summer, once a drum of oil."""

    def __init__(self, ctx: DemoContext, buyer: Buyer) -> None:
        text, size = buyer.customer.preferences, buyer.customer.size or 2
        oil = next((s for key, s in OIL.items() if key in text), None)
        if oil == "OIL-PN-5" and size <= 2:
            oil = "OIL-PN-1.8"
        litres = 1.8 if oil == "OIL-PN-1.8" else 5
        self.oil, self.per_order = oil, size * 1.2 * buyer.facts["interval"] / 30 / litres
        self.glutinous = (1 if size <= 3 else 2) if "糯米" in text else 0
        self.bin = ("BIN-15" if buyer.facts["jar"] <= 15 else "BIN-25") if "生虫" in text else ""
        self.ctx, self.new_years = ctx, set()
        buyer.facts.update(oil=oil)

    def lines(self, rng: random.Random, day: date, requested: date) -> tuple[list, str]:
        lines, note, ctx = [], "", self.ctx
        if self.oil and rng.random() < self.per_order:
            lines.append(_line(ctx, self.oil, max(1, round(self.per_order)), requested))
        new_year = _new_year_within(day, 25)
        if new_year and new_year not in self.new_years and self.glutinous:
            self.new_years.add(new_year)
            lines.append(_line(ctx, "RICE-GL-2.5", self.glutinous, requested))
        if self.bin and day.month in (5, 6):
            lines.append(_line(ctx, self.bin, 1, requested))
            self.bin = ""
        if rng.random() < 0.004:
            lines.append(_line(ctx, "OIL-RS-20", 1, requested))
            note = DRUM
        return lines, note


def _jar(ctx: DemoContext, buyer: Buyer) -> jars.Jar:
    """The household's jar, its rice and bag (``facts``: jar, bag, sku, bags, interval,
    regular), and the rice in it on the first day."""
    rng, text, size = buyer.rng, buyer.customer.preferences, buyer.customer.size or 2
    jar_kg = number_after(text, r"米缸 (\d+) kg", 15)
    daily = number_after(text, r"每月约 (\d+) kg", 5 * size) / 30
    brand = RICE.get(next((key for key in RICE if key in text), ""), RICE["喜欢东北大米"])
    bag = jars.bag_kg(jar_kg, list(brand))
    jar = jars.Jar(jar_kg, bag, daily, rng, NEW_YEAR)
    jar.start(max(buyer.first_day, ctx.history_start), rng.uniform(0.0, jar_kg))
    usual = jar.bags_that_fit(jar_kg * sum(jars.HABIT_SHARE) / 2)
    buyer.facts.update(
        jar=jar_kg,
        bag=bag,
        sku=brand[bag],
        bags=usual,
        interval=usual * bag / daily,
        regular=LOYALTY[0][0] in text,
    )
    return jar


def _longest_wait(weekdays) -> int:
    """The most days from an order to the customer's next delivery day (``next_delivery_day``:
    one to three days when any day will do)."""
    if not weekdays:
        return 3
    return max(
        next(n for n in range(1, 8) if (weekday + n - 1) % 7 + 1 in weekdays)
        for weekday in range(1, 8)
    )


def _other(sku: str) -> str:
    """What a household that takes whatever is cheaper buys instead, in the same bag."""
    return "RICE-SM-10" if sku.endswith("-10") else "RICE-NE-5"


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
