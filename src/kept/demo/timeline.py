"""The customer timeline: calls, visits, messages and notes over the past months."""

from __future__ import annotations

import random
import re

from kept.customers.choices import InteractionKind
from kept.customers.models import Customer, Interaction
from kept.demo.context import DemoContext

BATCH = 1000
HISTORY_DAYS = 180

CALL, VISIT, MESSAGE, NOTE = (
    InteractionKind.CALL,
    InteractionKind.VISIT,
    InteractionKind.MESSAGE,
    InteractionKind.NOTE,
)

# fmt: off
HOUSEHOLD = (
    (CALL, "电话回访：上次送的{rice}口感不错，米缸还剩大约三分之一。"),
    (CALL, "客户来电问{rice}有没有优惠，已告知本月价格。"),
    (CALL, "电话提醒该补米了，客户说还能吃一周左右，下周再送。"),
    (CALL, "客户来电说上次送货晚了两个小时，已道歉并记录。"),
    (CALL, "未接通，稍后再打。"),
    (CALL, "客户来电想换成 5 kg 小袋装，家里 {size} 口人，大袋放久了怕生虫。"),
    (VISIT, "送货时帮忙看了米缸：{jar} kg 的缸还剩约 {left} kg。"),
    (VISIT, "上门送货，顺便问了用油习惯：一个月大约用一桶 5 L。"),
    (VISIT, "老人腿脚不便，帮忙把米倒进米缸后离开。"),
    (VISIT, "上门时家里没人，米放在门卫室，已发消息告知。"),
    (VISIT, "送货时客户说米里有小虫，换了一袋新的，建议用密封米桶。"),
    (MESSAGE, "微信：客户发来新定位，下次按新定位送。"),
    (MESSAGE, "短信通知：明天上午送货，请留人在家。"),
    (MESSAGE, "微信：孩子放假回家，这个月用米会多一些。"),
    (MESSAGE, "微信：客户问能不能顺便带一桶花生油，已回复可以一起送。"),
    (MESSAGE, "微信：发了春节糯米和花生油的促销信息，客户回复“好的”。"),
    (NOTE, "家里 {size} 口人，每月用米约 {monthly} kg。"),
    (NOTE, "客户只要新米，不要陈米。"),
    (NOTE, "春节前一般会多订一袋糯米。"),
    (NOTE, "客户说楼下超市在搞特价，有流失风险，下次回访重点关注。"),
    (NOTE, "付款习惯：微信转账，送货当天结清。"),
)
# fmt: on

# fmt: off
BUSINESS = (
    (CALL, "电话跟{contact}确认本周用米量，预计 {bags} 袋 25 kg 装。"),
    (CALL, "{contact}来电催货：中午前必须到，不然午市来不及。"),
    (CALL, "打电话催款：上月账单 ¥{amount} 还未付，财务说月底前付。"),
    (CALL, "{contact}来电问能不能改成每周三次送货。"),
    (VISIT, "拜访{contact}，店里新增了 {more} 个座位，用米量会增加。"),
    (VISIT, "上门核对库存：后厨还有 {bags} 袋米、{oil} 桶油。"),
    (VISIT, "和厨师长试吃了新到的丝苗米，反馈不错，考虑下月换。"),
    (VISIT, "送货时发现一袋米包装破损，当场换货，已拍照。"),
    (MESSAGE, "微信群：{contact}下单明早送 {bags} 袋米、{oil} 桶菜籽油。"),
    (MESSAGE, "微信：对账单已发给财务，请核对上月货款 ¥{amount}。"),
    (MESSAGE, "微信：通知下周油价上调 ¥5/桶，{contact}表示理解。"),
    (NOTE, "隔壁供应商报价低 ¥3/袋，{contact}在比价，要维护好关系。"),
    (NOTE, "收货必须有厨师长签字，否则不认账。"),
    (NOTE, "节假日前一周用量翻倍，提前备货。"),
)
# fmt: on

INSTITUTION = (
    *(
        entry
        for entry in BUSINESS
        if not any(word in entry[1] for word in ("座位", "午市", "油价"))
    ),
    (NOTE, "寒暑假用量减半，提前调整送货计划。"),
    (CALL, "{contact}来电：下周有上级检查，米要附检验报告。"),
)

# fmt: off
INTERNAL = (
    (NOTE, "{name}反馈：昨天领的米有两袋受潮，已退回仓库重新登记。"),
    (MESSAGE, "{contact}：明天要多领 {bags} 袋米，有团餐。"),
    (CALL, "与{contact}沟通交接时间：早上 7:30 前备好货。"),
    (VISIT, "经理巡查{name}，交接单填写完整。"),
)
# fmt: on


def build_timeline(ctx: DemoContext) -> int:
    """Write interactions for many customers; returns how many were written."""
    rng = ctx.rng("timeline")
    customers = (
        Customer.objects.select_related("group", "owner")
        .prefetch_related("contacts")
        .order_by("code")
    )
    rows = []
    for customer in customers:
        rows.extend(_entries(ctx, rng, customer))
    Interaction.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _entries(ctx: DemoContext, rng: random.Random, customer: Customer) -> list[Interaction]:
    group = customer.group.code
    if group == "household":
        count = rng.choices(range(7), weights=[35, 20, 16, 12, 8, 5, 4])[0]
        templates = HOUSEHOLD
    elif group == "internal":
        count, templates = rng.randint(1, 3), INTERNAL
    else:
        count = rng.randint(3, 10)
        templates = INSTITUTION if group == "institution" else BUSINESS
    authors = [customer.owner or ctx.users["manager"], ctx.users["manager"]]
    since = (ctx.today - customer.created_at.astimezone(ctx.tz).date()).days
    history = max(1, min(HISTORY_DAYS, since))
    return [_entry(ctx, rng, customer, templates, authors, history) for _ in range(count)]


def _entry(ctx, rng: random.Random, customer: Customer, templates, authors, history: int):
    kind, text = rng.choice(templates)
    days_ago = rng.randint(1, history)
    occurred = ctx.at(days_ago, rng.randint(8, 20), rng.randrange(60))
    return Interaction(
        customer=customer,
        kind=kind,
        occurred_at=occurred,
        created_at=occurred,
        summary=text.format(**_facts(rng, customer)),
        author=authors[0] if rng.random() < 0.85 else authors[1],
    )


def _facts(rng: random.Random, customer: Customer) -> dict:
    jar = _number_after(customer.preferences, "米缸 ", 15)
    contacts = sorted(customer.contacts.all(), key=lambda c: (not c.is_primary, c.name, c.phone))
    return {
        "name": customer.name,
        "size": customer.size or 1,
        "jar": jar,
        "left": max(1, round(jar * rng.uniform(0.1, 0.4))),
        "monthly": _number_after(customer.preferences, "每月约 ", 20),
        "rice": rng.choice(["东北大米", "五常大米", "丝苗米", "香米"]),
        "contact": rng.choice(contacts).name if contacts else customer.name,
        "bags": rng.randint(2, 12),
        "oil": rng.randint(1, 4),
        "more": rng.choice([10, 16, 20, 30]),
        "amount": rng.randint(20, 160) * 100,
    }


def _number_after(text: str, label: str, default: int) -> int:
    match = re.search(re.escape(label) + r"(\d+)", text)
    return int(match.group(1)) if match else default
