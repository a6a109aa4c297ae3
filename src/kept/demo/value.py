"""What serving each customer costs, and what each customer is worth (SPEC 2.7, 4).

The activity rates of a rice and oil distributor in yuan; the time staff wrote on the
desk's messages; payment reminders for the invoices of the history that fell overdue; VIP
service for the biggest business customers and for two small restaurants that were promised
it and buy too little to pay for it; marketing spend for every month of the history, from
the customers won and kept that month; and at the end the refit of every customer's value,
so that the value pages have figures as soon as the demo is built.

Bulk writes only: one query per kind of row, and one update per distinct number of minutes.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError

from kept.customers.choices import InteractionKind
from kept.customers.models import Interaction
from kept.demo.accounts import Bill
from kept.demo.context import DemoContext
from kept.demo.habits import NEW_YEAR, Buyer
from kept.receivables.choices import PaymentMethod
from kept.servicedesk.choices import TicketKind
from kept.servicedesk.models import TicketMessage
from kept.value import queries
from kept.value.models import CustomerValue, MarketingSpend, ValueSettings, VipService
from kept.value.refit import NotEnoughHistory, as_of_default
from kept.value.tasks import run_refit

BATCH = 1000
CENT = Decimal("0.01")
# What one unit of each activity costs us, in yuan: an order taken by phone or WeChat and
# keyed in; a drop on the van's round (fuel, the driver's time, carrying up the stairs); an
# hour of a desk clerk's time; handling one complaint remedy, on top of its own cost; a
# collection call or message; a month of VIP service (a dedicated contact, priority slots).
RATES = {
    "per_order": Decimal("2.00"),
    "per_delivery": Decimal("4.00"),
    "per_ticket_hour": Decimal("60.00"),
    "per_complaint_remedy": Decimal("30.00"),
    "per_collection_reminder": Decimal("8.00"),
    "vip_per_month": Decimal("500.00"),
}
# Minutes written on a staff message: (reply, internal note), more on a complaint.
MINUTES = {False: ((5, 15), (5, 20)), True: ((10, 30), (15, 45))}
REMINDER_AFTER = timedelta(days=3)  # overdue this long before the first call
REMINDER_EVERY = timedelta(days=10)  # then again while anything is still overdue
BIG_VIPS, SMALL_VIPS = 3, 2  # at full scale
VIP_SINCE_DAYS = 120  # a VIP has bought from us at least this long
# fmt: off
BIG_VIP = ("专属客户经理，每周固定时段优先配送，节假日保供",
           "专属客服微信群，优先配送，加急单当天送达")
SMALL_VIP = "老板说要开分店，答应先按 VIP 待遇：专属客服、优先配送（量一直没上来）"
VIP_ENDED = "合同到期未续，VIP 待遇取消"
CALLED = ("电话催款", "微信提醒付款", "短信提醒付款")
ANSWERS = ("客户说这两天转账", "客户说月底前一起付", "财务说款已在走流程", "电话未接通，已留言",
           "客户说忘了，马上付", "客户说手头紧，下周付")
REMINDER = "{how}：发票 {number} 等 {count} 张共 ¥{total} 已逾期 {days} 天，{answer}。"
# fmt: on
# Marketing, in yuan: leaflets and WeChat ads every month; what winning one customer costs
# on top (a first-order gift and the rep's commission; samples and tasting visits for a
# business); keeping them (the WeChat groups' red packets per active customer and month,
# and a festival gift to each business before the Spring Festival and the Mid-Autumn).
ADVERTISING = (2500, 3500)  # at full scale
WON = {"household": Decimal(150), "business": Decimal(2000)}
KEPT_PER_MONTH = Decimal(1)
FESTIVAL_GIFT = Decimal(150)


def set_rates() -> None:
    settings = ValueSettings.current()
    for name, value in RATES.items():
        setattr(settings, name, value)
    settings.save(update_fields=[*RATES, "updated_at"])


def write_ticket_minutes(ctx: DemoContext) -> int:
    """Minutes on every reply and note staff wrote (what the customer said is not work
    timed); the hours on a customer's tickets are a cost-to-serve driver. Returns the
    minutes in total."""
    rng = ctx.rng("ticket-minutes")
    rows = (
        TicketMessage.objects.filter(from_customer=False, author__isnull=False)
        .order_by("ticket_id", "created_at", "id")
        .values_list("pk", "public", "ticket__kind")
    )
    by_minutes: dict[int, list[int]] = defaultdict(list)
    for pk, public, kind in rows:
        reply, note = MINUTES[kind == TicketKind.COMPLAINT]
        by_minutes[rng.randint(*(reply if public else note))].append(pk)
    for minutes, ids in by_minutes.items():
        TicketMessage.objects.filter(pk__in=ids).update(minutes_spent=minutes)
    return sum(minutes * len(ids) for minutes, ids in by_minutes.items())


def write_reminders(ctx: DemoContext, buyers: list[Buyer]) -> int:
    """A reminder when an invoice has been overdue a few days, then every ten days while
    any is still overdue, up to yesterday. Each names the oldest overdue invoice and the
    total overdue that day."""
    rng = ctx.rng("reminders")
    rows = []
    for buyer in buyers:
        author = buyer.customer.owner or ctx.users["manager"]
        for day, overdue in _reminder_days(buyer.account.bills, ctx.yesterday):
            rows.append(_reminder(ctx, rng, buyer, author, day, overdue))
    Interaction.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _reminder_days(bills: list[Bill], last: date) -> list[tuple[date, list[Bill]]]:
    """The days a customer is reminded, with the invoices overdue then (oldest first)."""
    late = sorted(
        (b for b in bills if b.due + REMINDER_AFTER <= min(b.paid_on or last, last)),
        key=lambda b: (b.due, b.number),
    )
    found, day = [], late[0].due + REMINDER_AFTER if late else None
    while day is not None and day <= last:
        overdue = [
            b
            for b in late
            if b.due + REMINDER_AFTER <= day and (b.paid_on is None or b.paid_on > day)
        ]
        if overdue:
            found.append((day, overdue))
            day += REMINDER_EVERY
        else:
            day = next((b.due + REMINDER_AFTER for b in late if b.due + REMINDER_AFTER > day), None)
    return found


def _reminder(ctx, rng: random.Random, buyer: Buyer, author, day: date, overdue: list[Bill]):
    oldest = overdue[0]
    method = buyer.payer.method if buyer.payer else ""
    how = CALLED[0] if method in (PaymentMethod.BANK_TRANSFER, PaymentMethod.CASH) else None
    summary = REMINDER.format(
        how=how or rng.choice(CALLED),
        number=oldest.number,
        count=len(overdue),
        total=sum(b.amount for b in overdue),
        days=(day - oldest.due).days,
        answer=rng.choice(ANSWERS),
    ).replace(" 等 1 张共", "")
    at = datetime.combine(day, time(rng.randint(9, 17), rng.randrange(60)), tzinfo=ctx.tz)
    return Interaction(
        customer=buyer.customer,
        kind=InteractionKind.REMINDER,
        occurred_at=at,
        created_at=at,
        summary=summary,
        author=author,
        reference=oldest.number,
    )


def save_vip_services(ctx: DemoContext, buyers: list[Buyer]) -> int:
    """VIP service for the biggest restaurants and canteens (one of them did not renew), and
    for the smallest restaurants, promised it when they joined: they buy too little to pay
    for it (a blocked one lost it on the day it was blocked)."""
    rng = ctx.rng("vip")
    year_ago = ctx.today - timedelta(days=365)
    known = [
        b
        for b in buyers
        if b.kind in ("restaurant", "institution")
        and b.customer.is_active
        and not b.role
        and "churned_on" not in b.facts
        and b.first_day < ctx.today - timedelta(days=VIP_SINCE_DAYS)
    ]
    small = [b for b in known if b.kind == "restaurant"]
    small = sorted(small, key=lambda b: (_weekly_bags(b), b.code))[: ctx.count(SMALL_VIPS)]
    big = [b for b in known if b not in small and not b.customer.is_blocked]
    big = sorted(big, key=lambda b: (-(b.customer.size or 0), b.code))[: ctx.count(BIG_VIPS)]
    rows = []
    for number, buyer in enumerate(big):
        started = max(buyer.first_day, ctx.history_start) + timedelta(days=rng.randint(0, 200))
        ended = ctx.today - timedelta(days=rng.randint(60, 120)) if number == 2 else None
        text = VIP_ENDED if ended else rng.choice(BIG_VIP)
        rows.append(VipService(customer=buyer.customer, description=text, started_on=started))
        rows[-1].ended_on = ended
    for buyer in small:
        joined = buyer.first_day + timedelta(days=rng.randint(0, 14))
        started = max(joined, year_ago - timedelta(days=rng.randint(20, 120)))
        rows.append(VipService(customer=buyer.customer, description=SMALL_VIP, started_on=started))
        rows[-1].ended_on = buyer.blocked_on
    VipService.objects.bulk_create(rows)
    return len(rows)


def _weekly_bags(buyer: Buyer) -> float:
    return float(buyer.facts.get("bags") or 0)


def save_marketing_spend(ctx: DemoContext, buyers: list[Buyer]) -> int:
    """One row per month of the history: advertising and the customers won that month
    (acquisition), the customers buying that month and the festival gifts (retention)."""
    rng = ctx.rng("marketing")
    external = [b for b in buyers if b.kind != "internal"]
    rows = []
    for month in _months(ctx.history_start, ctx.yesterday):
        end = _next_month(month) - timedelta(days=1)
        won = [b for b in external if month <= _joined(ctx, b) <= end]
        active = [b for b in external if b.first_day <= end and b.last_day >= month]
        advertising = Decimal(rng.randint(*ADVERTISING)) * Decimal(str(ctx.scale))
        acquisition = advertising.quantize(CENT) + sum((WON[_segment(b)] for b in won), Decimal(0))
        retention = KEPT_PER_MONTH * len(active)
        note = ""
        if _festival(month):
            businesses = sum(1 for b in active if _segment(b) == "business")
            retention += FESTIVAL_GIFT * businesses
            note = "节日礼品：餐厅、食堂每家一份"
        rows.append(
            MarketingSpend(month=month, acquisition=acquisition, retention=retention, note=note)
        )
    MarketingSpend.objects.bulk_create(rows)
    return len(rows)


def _segment(buyer: Buyer) -> str:
    return "household" if buyer.kind == "household" else "business"


def _joined(ctx: DemoContext, buyer: Buyer) -> date:
    return buyer.customer.created_at.astimezone(ctx.tz).date()


def _festival(month: date) -> bool:
    """The months of the gifts: the Spring Festival's (January or February) and the
    Mid-Autumn's (September)."""
    return month.month == 9 or any((d.year, d.month) == (month.year, month.month) for d in NEW_YEAR)


def _months(first: date, last: date) -> list[date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = _next_month(month)
    return months


def _next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def refit_values(ctx: DemoContext) -> dict[str, int]:
    """Every customer's value as of yesterday, and the sizes of the lists the pages show."""
    try:
        run = run_refit(as_of_default(ctx.today))
    except (NotEnoughHistory, ValidationError):
        # too few buyers, or a fit the refit cannot store (a tiny demo): the failed run is
        # recorded with its reason, which the value page shows; the demo itself stands
        return {"valued": 0, "churned": 0, "lapsing": 0}
    threshold = float(ValueSettings.current().churned_below)
    churned = CustomerValue.objects.filter(p_alive__lt=threshold, customer__is_active=True)
    return {
        "valued": run.customers,
        "churned": churned.count(),
        "lapsing": queries.lapsing(ctx.today).count(),
    }
