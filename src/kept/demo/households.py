"""About 2,000 households: who they are, where they live, their rice jar and their habits."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import time
from decimal import Decimal

from kept.customers.choices import CustomerKind, CustomerType, Language, SizeUnit
from kept.customers.models import Contact, Customer
from kept.demo.context import DemoContext
from kept.demo.customers import Draft
from kept.demo.habits import LOYALTY
from kept.demo.names import (
    PersonName,
    alias_for,
    email_for,
    foreign_name,
    person_name,
    relative_name,
)
from kept.demo.places import District, home_address, pick_district

FULL_SIZE = 2000

# Household size 1–7 by the householder's generation (overall mean ≈ 2.6, as in the census).
# fmt: off
SIZE_WEIGHTS = {
    "elder": [35, 45, 8, 5, 4, 2, 1],
    "middle": [10, 18, 35, 20, 10, 5, 2],
    "young": [40, 35, 18, 5, 2, 0, 0],
}
# The jar (kg) by household size: a single person's holds two 5 kg bags at least.
JAR_KG = {1: (10, 15), 2: (10, 15), 3: (15, 20), 4: (15, 20, 25), 5: (20, 25), 6: (25, 30),
          7: (30,)}
RICE_LIKES = (
    ("喜欢东北大米", 45), ("只吃五常稻花香", 12), ("喜欢丝苗米", 15), ("喜欢泰国香米", 10),
    ("不挑品牌，哪个实惠买哪个", 18),
)
OIL_HABITS = (("用菜籽油", 40), ("用花生油", 30), ("用大豆油", 20), ("油在超市买", 10))
# fmt: on
BIG_BAGS_ONLY = "喜欢丝苗米"  # 丝苗米 comes in 10 kg bags only: a jar must hold two of them
# Rice per person and day (kg), and how much of it a household eats at home by generation.
RICE_PER_PERSON = (0.12, 0.2)
AT_HOME = {"elder": 0.95, "middle": 1.0, "young": 0.8}


@dataclass(frozen=True)
class Availability:
    phrase: str
    days: tuple[int, ...] | None  # None: pick some weekdays
    window: tuple[time, time] | None
    weight: int
    elder_weight: int


# fmt: off
AVAILABILITY = (
    Availability("周六上午在家", (6,), (time(9), time(12)), 20, 5),
    Availability("周末在家", (6, 7), (time(10), time(17)), 15, 5),
    Availability("工作日晚上 7 点后在家", None, (time(19), time(21)), 20, 2),
    Availability("家里老人全天在", None, (time(9), time(17)), 8, 45),
    Availability("白天放门卫室即可", None, (time(10), time(16)), 15, 8),
    Availability("中午 12 点到 2 点在家", None, (time(12), time(14)), 7, 5),
    Availability("时间不固定，送前电话联系", (), None, 15, 30),
)
# fmt: on

# (habit, tag it implies)
# fmt: off
HABITS = (
    ("送货前半小时打电话", None), ("喜欢囤货，一次买两袋", None),
    ("对价格敏感，留意促销", "价格敏感"),
    ("每年春节前订糯米包汤圆", None), ("家里有糖尿病人，问过杂粮米", None),
    ("养了狗，敲门前先打电话", None), ("微信转账，送货当天结清", None),
    ("老客户介绍来的", "Referral"), ("米要密封好，夏天怕生虫", None),
)
# fmt: on

# fmt: off
BLOCK_REASONS = (
    "连续两次拒收，欠款 ¥{amount} 未结清", "送货地址无法核实，电话停机",
    "客户要求暂停服务：出国三个月", "辱骂送货员，经理决定暂停合作",
    "多次下单后取消，改为先付款再送货",
)
# fmt: on


def household_drafts(ctx: DemoContext) -> list[Draft]:
    rng = ctx.rng("households")
    drafts = [_household(ctx, rng, number) for number in range(1, ctx.count(FULL_SIZE) + 1)]
    _set_accounts(ctx, ctx.rng("household-accounts"), drafts)
    return drafts


def _household(ctx: DemoContext, rng: random.Random, number: int) -> Draft:
    person = person_name(rng)
    district = pick_district(rng)
    customer = Customer(
        code=f"H{number:05d}",
        kind=CustomerKind.EXTERNAL,
        customer_type=CustomerType.END_CONSUMER,
        group=ctx.groups["household"],
        size_unit=SizeUnit.PEOPLE,
        phone=ctx.phones.mobile(),
    )
    _set_identity(rng, customer, person)
    floor = _set_home(ctx, rng, customer, district)
    customer.size = rng.choices(range(1, 8), weights=SIZE_WEIGHTS[person.era])[0]
    draft = Draft(customer)
    _set_habits(rng, draft, person, floor)
    _set_since(ctx, rng, draft)
    draft.contacts = _contacts(ctx, rng, customer, person)
    return draft


def _set_identity(rng: random.Random, customer: Customer, person: PersonName) -> None:
    if rng.random() < 0.012:
        customer.name, customer.language = foreign_name(rng), Language.EN
        customer.email = f"{customer.name.split()[0].lower()}{rng.randint(1, 99)}@outlook.com"
        return
    customer.name, customer.alias = person.name, alias_for(rng, person)
    if rng.random() < 0.2:
        customer.email = email_for(rng, person)


def _set_home(ctx: DemoContext, rng: random.Random, customer: Customer, district: District) -> int:
    customer.address, floor = home_address(rng, district)
    customer.region = ctx.regions[district.code]
    customer.route = rng.choice(district.route_codes())
    owner = district.owner if rng.random() < 0.88 else rng.choice([u.username for u in ctx.staff()])
    customer.owner = ctx.users[owner]
    return floor


def _set_habits(rng: random.Random, draft: Draft, person: PersonName, floor: int) -> None:
    customer = draft.customer
    jar = rng.choice(JAR_KG[customer.size])
    daily = customer.size * rng.uniform(*RICE_PER_PERSON) * AT_HOME[person.era]
    monthly = max(2, round(daily * 30))
    notes = [f"米缸 {jar} kg", f"家里 {customer.size} 口人，每月约 {monthly} kg 米"]
    notes.append(_pick(rng, tuple((note, weight) for note, _share, weight in LOYALTY)))
    likes = RICE_LIKES if jar >= 20 else tuple(r for r in RICE_LIKES if r[0] != BIG_BAGS_ONLY)
    notes.append(_pick(rng, likes))
    notes.append(_pick(rng, OIL_HABITS))
    notes.append(_set_availability(rng, draft, person))
    if 4 <= floor <= 7 and rng.random() < 0.35:
        notes.append(f"无电梯，住 {floor} 楼，请送上楼")
        draft.tags.append("无电梯")
    for habit, tag in rng.sample(HABITS, rng.choices([0, 1, 2], weights=[40, 40, 20])[0]):
        notes.append(habit)
        if tag:
            draft.tags.append(tag)
    _set_tags(rng, draft, person, notes)
    customer.preferences = "；".join(notes)


def _set_availability(rng: random.Random, draft: Draft, person: PersonName) -> str:
    weights = [a.elder_weight if person.era == "elder" else a.weight for a in AVAILABILITY]
    available = rng.choices(AVAILABILITY, weights=weights)[0]
    days = available.days
    if days is None:
        days = tuple(sorted(rng.sample(range(1, 6), rng.choice([1, 2, 2, 3]))))
    draft.customer.preferred_days = list(days)
    if available.window:
        draft.customer.window_start, draft.customer.window_end = available.window
    if days and set(days) <= {6, 7}:
        draft.tags.append("周末配送")
    return available.phrase


def _set_tags(rng: random.Random, draft: Draft, person: PersonName, notes: list[str]) -> None:
    if person.era == "elder" and rng.random() < 0.9:
        draft.tags.append("老人家庭")
    if person.era != "elder" and draft.customer.size >= 3 and rng.random() < 0.75:
        draft.tags.append("有小孩")
    if rng.random() < 0.03:
        draft.tags.append("素食")
        notes.append("吃素，不要猪油等荤油")
    if rng.random() < 0.02:
        draft.tags.append("VIP")
        notes.append("VIP：每次送货后回访")


def _set_since(ctx: DemoContext, rng: random.Random, draft: Draft) -> None:
    days_ago = rng.randint(3, 89) if rng.random() < 0.05 else rng.randint(90, 1800)
    draft.customer.created_at = ctx.at(days_ago, rng.randint(9, 19), rng.randrange(60))
    if days_ago < 90:
        draft.tags.append("New customer")


def _contacts(ctx: DemoContext, rng: random.Random, customer: Customer, person) -> list[Contact]:
    contacts = []
    if rng.random() < 0.86:
        if rng.random() < 0.7 or customer.language == Language.EN:
            contacts.append(
                Contact(name=customer.name, role="本人", phone=customer.phone, is_primary=True)
            )
        else:
            contacts.append(_relative(ctx, rng, person, primary=True))
    if rng.random() < 0.2 and customer.language != Language.EN:
        contacts.append(_relative(ctx, rng, person, primary=False))
    return contacts


# relation, generation, keeps the family name, note
# fmt: off
RELATIVES = {
    "elder": (("女儿", "middle", True, "负责下单和付款"), ("儿子", "middle", True, "住在附近"),
              ("保姆", "middle", False, "白天在家，可以收货")),
    "middle": (("爱人", "middle", False, "白天在家"), ("母亲", "elder", False, "帮忙收货")),
    "young": (("室友", "young", False, "周末在家"), ("爱人", "young", False, "负责下单")),
}
# fmt: on


def _relative(ctx: DemoContext, rng: random.Random, person: PersonName, primary: bool) -> Contact:
    relation, era, same_family, note = rng.choice(RELATIVES[person.era])
    name = relative_name(rng, person, era, same_family).name
    return Contact(
        name=name, role=relation, phone=ctx.phones.mobile(), is_primary=primary, notes=note
    )


def _set_accounts(ctx: DemoContext, rng: random.Random, drafts: list[Draft]) -> None:
    """A few blocked (with the reason), a few on credit terms, a few who moved away."""
    blocked, credit, gone = ctx.count(20), ctx.count(60), ctx.count(20)
    chosen = rng.sample(drafts, min(len(drafts), blocked + credit + gone))
    for draft in chosen[:blocked]:
        reason = rng.choice(BLOCK_REASONS).format(amount=rng.choice([86, 168, 245, 320, 410]))
        draft.customer.is_blocked, draft.customer.blocked_reason = True, reason
    for draft in chosen[blocked : blocked + credit]:
        draft.customer.credit_limit = Decimal(rng.choice([300, 500, 800, 1000, 1500, 2000]))
        draft.customer.payment_terms_days = rng.choice([15, 30, 30])
        draft.customer.preferences += "；月结，月底对账"
        if rng.random() < 0.25:
            draft.tags.append("Late payer")
    for draft in chosen[blocked + credit :]:
        draft.customer.is_active = False
        draft.customer.preferences += (
            f"；已搬走（{rng.choice(['去外地工作', '回老家', '搬去郊区'])}）"
        )


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([item for item, _w in weighted], weights=[w for _i, w in weighted])[0]
