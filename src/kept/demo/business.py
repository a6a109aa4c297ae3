"""Business customers: 100 restaurants, a few canteens and institutions, internal departments."""

from __future__ import annotations

import math
import random
from datetime import time
from decimal import Decimal

from kept.customers.choices import CustomerKind, CustomerType, SizeUnit
from kept.customers.models import Contact, Customer
from kept.demo.context import DemoContext
from kept.demo.customers import Draft
from kept.demo.names import email_for, person_name
from kept.demo.people import DEMO_EMAIL_DOMAIN
from kept.demo.places import CITY, DISTRICTS, District, pick_district, shop_address

RESTAURANTS = 100
INSTITUTIONS = 8

# (name suffix, English, seats from, seats to, weight, tag)
# fmt: off
CUISINES = (
    ("川菜馆", "Sichuan Kitchen", 40, 160, 20, None), ("火锅店", "Hotpot", 60, 240, 18, None),
    ("面馆", "Noodle House", 16, 50, 14, None), ("饺子馆", "Dumplings", 20, 60, 8, None),
    ("快餐店", "Fast Food", 30, 100, 10, None), ("烧烤", "BBQ", 30, 120, 8, None),
    ("粤菜酒楼", "Cantonese Restaurant", 80, 300, 5, None),
    ("素食馆", "Vegetarian", 30, 80, 3, "素食"),
    ("清真牛肉面", "Halal Beef Noodles", 20, 60, 4, "清真"),
    ("冒菜馆", "Maocai", 20, 60, 6, None), ("茶餐厅", "Tea Restaurant", 40, 120, 4, None),
)
# fmt: on
# fmt: off
BRANDS = (
    ("蜀香园", "Shuxiangyuan"), ("巴蜀人家", "Bashu Renjia"), ("锦里", "Jinli"),
    ("川味坊", "Chuanweifang"), ("德福楼", "Defulou"), ("好运来", "Haoyunlai"),
    ("老码头", "Laomatou"), ("红杏", "Hongxing"), ("福满楼", "Fumanlou"),
    ("食为天", "Shiweitian"), ("味之源", "Weizhiyuan"), ("乡村", "Xiangcun"), ("老街", "Laojie"),
    ("小城故事", "Xiaocheng Gushi"), ("顺心", "Shunxin"), ("四季", "Siji"), ("金府", "Jinfu"),
    ("江湖", "Jianghu"), ("竹林", "Zhulin"), ("芙蓉", "Furong"), ("天府", "Tianfu"),
    ("玉林", "Yulin"),
)
# fmt: on
KITCHEN_ROLES = ("厨师长", "采购", "财务", "店长")
RESTAURANT_NOTES = (
    "收货走后门，找厨师长签收",
    "午市 11 点开档，之前必须送到",
    "对账单发给财务，月底结",
    "停车不方便，卸货要快",
    "米要当季新米，陈米会被退货",
)

# (name, English, size unit, size from, size to, note)
# fmt: off
INSTITUTION_KINDS = (
    ("{d}实验小学食堂", "Experimental Primary School canteen", SizeUnit.PEOPLE, 600, 1500,
     "寒暑假用量减半；送货车辆需提前登记进校"),
    ("{d}人民医院职工食堂", "People's Hospital staff canteen", SizeUnit.STAFF, 300, 900,
     "全年无休，节假日照常送货"),
    ("康乐养老院", "Kangle Care Home", SizeUnit.BEDS, 60, 200, "老人吃软米，要东北大米"),
    ("天府软件园员工餐厅", "Tianfu Software Park canteen", SizeUnit.STAFF, 400, 1200,
     "园区门禁，送货前一天报车牌"),
    ("西南交大第二食堂", "SWJTU canteen No. 2", SizeUnit.PEOPLE, 1500, 3000, "招标价，年度合同"),
    ("中建三局天府项目工地食堂", "Construction site canteen", SizeUnit.PEOPLE, 150, 400,
     "项目预计明年底完工"),
    ("{d}第三中学食堂", "No. 3 Middle School canteen", SizeUnit.PEOPLE, 1000, 2500,
     "寒暑假停送；开学前一周备货"),
    ("夕阳红养老公寓", "Sunset Senior Apartments", SizeUnit.BEDS, 80, 180, "每周一、四送货"),
)
# fmt: on

# (code, name, other name, staff, contact role, how the hand-off works)
# fmt: off
DEPARTMENTS = (
    ("INT-KITCHEN", "员工食堂（中央厨房）", "Staff kitchen", 25, "食堂主管",
     "每天 10 点前领米领油，按就餐人数申领；破袋、受潮的米不要发给厨房"),
    ("INT-WAREHOUSE", "仓储部", "Warehouse", 8, "仓库主管",
     "采购到货后 2 小时内验收入库；验收要查生产日期和水分"),
    ("INT-DELIVERY", "配送车队", "Delivery fleet", 12, "车队队长",
     "每天 7:30 前按配送单备好货；装车前核对数量，破袋当场登记"),
)
# fmt: on
HEAD_OFFICE = f"{CITY}金牛区金府路 88 号 公司仓库"


def restaurant_drafts(ctx: DemoContext) -> list[Draft]:
    rng, used = ctx.rng("restaurants"), set()
    drafts = [
        _restaurant(ctx, rng, number, used) for number in range(1, ctx.count(RESTAURANTS) + 1)
    ]
    for draft in rng.sample(drafts, min(len(drafts), ctx.count(2))):
        draft.customer.is_blocked = True
        draft.customer.blocked_reason = (
            f"逾期 {rng.choice([45, 62, 75])} 天未付货款 ¥{rng.randint(30, 90) * 100}，暂停送货"
        )
    return drafts


def _restaurant(ctx: DemoContext, rng: random.Random, number: int, used: set[str]) -> Draft:
    suffix, english, low, high, _w, tag = rng.choices(CUISINES, weights=[c[4] for c in CUISINES])[0]
    district = pick_district(rng)
    seats = rng.randint(low // 2, high // 2) * 2
    customer = Customer(
        code=f"R{number:04d}",
        kind=CustomerKind.EXTERNAL,
        customer_type=CustomerType.INTERMEDIARY,
        group=ctx.groups["restaurant"],
        size=seats,
        size_unit=SizeUnit.SEATS,
        phone=ctx.phones.landline(),
        payment_terms_days=30,
        credit_limit=Decimal(
            min(50_000, max(5_000, round(seats * rng.choice([80, 100, 150]), -3)))
        ),
    )
    customer.name, customer.alias = _restaurant_name(rng, suffix, english, district, used)
    _place(ctx, rng, customer, district)
    draft = Draft(customer, tags=[tag] if tag else [])
    _restaurant_habits(rng, draft)
    draft.contacts = staff_contacts(
        ctx, rng, ("老板", *rng.sample(KITCHEN_ROLES, rng.randint(0, 2)))
    )
    _since(ctx, rng, draft, 1500)
    return draft


def _restaurant_name(rng, suffix: str, english: str, district: District, used: set[str]):
    while True:
        if rng.random() < 0.35:
            boss = person_name(rng)
            name, alias = f"{boss.family}记{suffix}", f"{boss.family_pinyin}'s {english}"
        else:
            brand, pinyin = rng.choice(BRANDS)
            name, alias = f"{brand}{suffix}", f"{pinyin} {english}"
        if rng.random() < 0.15:
            name += f"（{district.name[:2]}店）"
        if name not in used:
            used.add(name)
            return name, alias if rng.random() < 0.7 else ""


def _place(ctx: DemoContext, rng: random.Random, customer: Customer, district: District) -> None:
    customer.address = shop_address(rng, district)
    customer.region = ctx.regions[district.code]
    customer.route = rng.choice(district.route_codes())
    owner = district.owner if rng.random() < 0.8 else rng.choice([u.username for u in ctx.staff()])
    customer.owner = ctx.users[owner]


def _restaurant_habits(rng: random.Random, draft: Draft) -> None:
    customer = draft.customer
    daily = round(customer.size * rng.uniform(0.15, 0.35))
    rice = rng.choice(["早籼米", "丝苗米", "东北大米"])
    oil = rng.choice(["菜籽油", "菜籽油", "大豆油"])
    notes = [f"用米：{rice} 25 kg 装，每天约 {daily} kg", f"用油：{oil} 20 L 桶"]
    days = sorted(rng.sample(range(2, 7), rng.choice([2, 3])))
    customer.preferred_days = days
    if rng.random() < 0.6:
        customer.window_start, customer.window_end = time(8), time(10)
    else:
        customer.window_start, customer.window_end = time(14, 30), time(16, 30)
    notes.append("周一休息，不要安排送货")
    notes.extend(rng.sample(RESTAURANT_NOTES, rng.randint(1, 2)))
    customer.preferences = "；".join(notes)
    draft.tags.extend(_restaurant_tags(rng, customer.size))


def _restaurant_tags(rng: random.Random, seats: int) -> list[str]:
    tags = ["需要发票"] if rng.random() < 0.6 else []
    if seats >= 150:
        tags.append("Bulk buyer")
    if rng.random() < 0.05:
        tags.append("VIP")
    if rng.random() < 0.1:
        tags.append("Late payer")
    return tags


def staff_contacts(ctx: DemoContext, rng: random.Random, roles) -> list[Contact]:
    contacts = []
    for index, role in enumerate(roles):
        person = person_name(rng, rng.choice(["middle", "middle", "young"]))
        contacts.append(
            Contact(
                name=person.name,
                role=role,
                phone=ctx.phones.mobile(),
                is_primary=index == 0,
                email=email_for(rng, person) if index == 0 and rng.random() < 0.3 else "",
            )
        )
    return contacts


def _since(ctx: DemoContext, rng: random.Random, draft: Draft, oldest: int) -> None:
    days_ago = rng.randint(20, 89) if rng.random() < 0.06 else rng.randint(90, oldest)
    draft.customer.created_at = ctx.at(days_ago, rng.randint(9, 18), rng.randrange(60))
    if days_ago < 90:
        draft.tags.append("New customer")


def institution_drafts(ctx: DemoContext) -> list[Draft]:
    rng = ctx.rng("institutions")
    kinds = rng.sample(INSTITUTION_KINDS, len(INSTITUTION_KINDS))
    return [
        _institution(ctx, rng, n, kinds[(n - 1) % len(kinds)], (n - 1) // len(kinds))
        for n in range(1, ctx.count(INSTITUTIONS) + 1)
    ]


def _institution(ctx: DemoContext, rng: random.Random, number: int, kind, repeat: int) -> Draft:
    pattern, english, unit, low, high, note = kind
    district = pick_district(rng)
    size = rng.randint(low // 10, high // 10) * 10
    customer = Customer(
        code=f"C{number:03d}",
        kind=CustomerKind.EXTERNAL,
        customer_type=CustomerType.INTERMEDIARY,
        group=ctx.groups["institution"],
        size=size,
        size_unit=unit,
        phone=ctx.phones.landline(),
        name=pattern.format(d=district.name[:2]) + (f"（{repeat + 1}号）" if repeat else ""),
        alias=english,
        payment_terms_days=rng.choice([30, 60]),
        credit_limit=_canteen_credit(size, rng.randint(2, 10)),
        preferred_days=sorted(rng.sample(range(1, 6), rng.choice([2, 3]))),
        window_start=time(7),
        window_end=time(9),
        preferences=f"每天约 {size} 人用餐，月用米约 {round(size * 6, -2)} kg；"
        f"要发票（单位抬头）；{note}",
    )
    _place(ctx, rng, customer, district)
    draft = Draft(customer, tags=["需要发票", "Bulk buyer"] if size >= 500 else ["需要发票"])
    draft.contacts = staff_contacts(ctx, rng, ("食堂主管", "采购员", "财务")[: rng.randint(1, 3)])
    _since(ctx, rng, draft, 1200)
    return draft


def _canteen_credit(diners: int, fortnights: int) -> Decimal:
    """A canteen's credit limit: what it buys in so many fortnights, at least 20,000 (about
    6 kg of rice a month per diner, and the oil with it: ~39 yuan a diner a month)."""
    fortnight = diners * 39 / 2
    return Decimal(max(20_000, math.ceil(fortnight * fortnights / 10_000) * 10_000))


def department_email(code: str) -> str:
    """A department's shared mailbox, on the demo's own domain (it reaches nobody)."""
    return f"{code.removeprefix('INT-').lower()}@{DEMO_EMAIL_DOMAIN}"


def department_drafts(ctx: DemoContext) -> list[Draft]:
    """The internal customers: each department is the customer of the step before it."""
    rng, drafts = ctx.rng("departments"), []
    warehouse = ctx.users["warehouse"]
    for code, name, alias, staff, role, handoff in DEPARTMENTS:
        customer = Customer(
            code=code,
            name=name,
            alias=alias,
            kind=CustomerKind.INTERNAL,
            customer_type=CustomerType.END_CONSUMER,
            group=ctx.groups["internal"],
            owner=ctx.users["manager"],
            size=staff,
            size_unit=SizeUnit.STAFF,
            email=department_email(code),
            address=HEAD_OFFICE,
            region=ctx.regions[DISTRICTS[2].code],
            preferences=handoff,
            preferred_days=[1, 2, 3, 4, 5, 6],
            window_start=time(7),
            window_end=time(18),
            created_at=ctx.at(1800, 9),
        )
        contact = staff_contacts(ctx, rng, (role,))[0]
        if code == "INT-WAREHOUSE":
            contact.name = f"{warehouse.last_name}{warehouse.first_name}"
        customer.phone = ctx.phones.landline()
        drafts.append(Draft(customer, contacts=[contact]))
    return drafts
