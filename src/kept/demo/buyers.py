"""Every customer as a buyer: since when and until when they order, how they pay, and the
few who stopped paying (so the ageing report has something in every bucket)."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from kept.customers.models import Customer
from kept.demo.accounts import Payer
from kept.demo.context import DemoContext
from kept.demo.habits import LOYALTY, RESTAURANT_OIL, RESTAURANT_RICE, Buyer, number_after
from kept.demo.policies import policy_of
from kept.receivables.choices import PaymentMethod

CASH, BANK, WECHAT, ALIPAY = (
    PaymentMethod.CASH,
    PaymentMethod.BANK_TRANSFER,
    PaymentMethod.WECHAT_PAY,
    PaymentMethod.ALIPAY,
)
# Restaurants that stopped paying: the oldest unpaid invoice fell due this many days ago.
STOPPED = {"over90": (115, 135), "days_61_90": (66, 85), "days_31_60": (36, 55)}
OWES = "owes"  # a household that has not paid its last delivery yet
# Customers who quietly stop buying during the two years (moved, or went to another supplier)
# without telling us: still active in the notebook, they are what the churned list finds.
# Households that buy all their rice from us have their jar followed and are not among them.
CHURNED_HOUSEHOLDS = 0.15  # of the households that buy part of their rice elsewhere
CHURNED_RESTAURANTS = 4  # at full scale
CHURN_AFTER_DAYS = 60  # a customer buys for at least this long before stopping
TRIAL_DAYS = 60  # a new household that leaves orders this much longer on average
CHURN_SEEN_DAYS = 21  # stopped at least this long ago: the last order is history


def make_buyers(ctx: DemoContext) -> list[Buyer]:
    customers = list(
        Customer.objects.select_related("group", "owner").prefetch_related("tags").order_by("code")
    )
    policies = policy_of(customers)
    roles = _roles(ctx, ctx.rng("roles"), customers)
    buyers = []
    for customer in customers:
        rng = ctx.rng(f"orders:{customer.code}")
        joined = customer.created_at.astimezone(ctx.tz).date() + timedelta(days=1)
        buyer = Buyer(
            customer=customer,
            kind=customer.group.code,
            policy=policies[customer.pk],
            rng=rng,
            first_day=max(joined, ctx.history_start),
            last_day=ctx.today,
            role=roles.get(customer.code, ""),
        )
        buyer.payer = _payer(ctx, rng, buyer)
        _set_stops(ctx, rng, buyer)
        buyers.append(buyer)
    _set_churn(ctx, ctx.rng("churn"), buyers)
    return buyers


def _tags(customer: Customer) -> set[str]:
    return {tag.name for tag in customer.tags.all()}


def _payer(ctx: DemoContext, rng: random.Random, buyer: Buyer) -> Payer | None:
    customer, last = buyer.customer, ctx.yesterday
    late = "Late payer" in _tags(customer)
    if buyer.kind == "internal":
        return None  # internal departments are not invoiced
    if buyer.kind == "household":
        if customer.payment_terms_days:
            method = rng.choice([WECHAT, WECHAT, BANK, ALIPAY])
            return Payer(
                "month_end", last, method, late_share=0.4 if late else 0.1, late_days=(3, 20)
            )
        method = rng.choices([WECHAT, ALIPAY, CASH], weights=[55, 25, 20])[0]
        return Payer("delivery", last, method, late_share=0.3 if late else 0.03, late_days=(1, 7))
    if buyer.kind == "restaurant":
        method = BANK if rng.random() < 0.8 else WECHAT
        return Payer(
            "runs",
            last,
            method,
            period=14,
            phase=rng.randrange(14),
            late_share=0.6 if late else 0.08,
            late_days=(5, 25) if late else (3, 15),
        )
    return Payer(
        "runs", last, BANK, period=30, phase=rng.randrange(30), late_share=0.1, late_days=(5, 20)
    )


def _set_stops(ctx: DemoContext, rng: random.Random, buyer: Buyer) -> None:
    """Blocked, moved away, or stopped paying: when, from the customer's story."""
    customer, today = buyer.customer, ctx.today
    if buyer.role in STOPPED:
        buyer.payer.unpaid_from_due = today - timedelta(days=rng.randint(*STOPPED[buyer.role]))
    if customer.is_blocked:
        text = customer.blocked_reason
        if buyer.kind == "restaurant":
            buyer.blocked_on = today - timedelta(days=rng.randint(10, 60))
            overdue_days = number_after(text, r"逾期 (\d+) 天", 60)
            buyer.payer.unpaid_from_due = buyer.blocked_on - timedelta(days=overdue_days)
        else:
            away = "三个月" in text
            buyer.blocked_on = today - timedelta(
                days=rng.randint(10, 80) if away else rng.randint(20, 300)
            )
            if "欠款" in text and buyer.payer is not None:
                buyer.payer.unpaid_from_due = buyer.blocked_on - timedelta(days=rng.randint(5, 25))
        buyer.last_day = min(today, buyer.blocked_on + timedelta(days=21))
    elif not customer.is_active:
        buyer.last_day = today - timedelta(days=rng.randint(30, 400))
    buyer.first_day = min(buyer.first_day, buyer.last_day)


def _set_churn(ctx: DemoContext, rng: random.Random, buyers: list[Buyer]) -> None:
    """Some households and a few restaurants stop ordering (``churned_on``): their later
    orders are never placed. Half the households that leave are new ones who tried us a few
    times (most customers who leave do so early); the others leave on any day. A stream of
    its own, so that no other customer's orders change with it."""
    latest = ctx.today - timedelta(days=CHURN_SEEN_DAYS)
    households = [b for b in buyers if b.kind == "household" and _may_churn(ctx, b, latest)]
    households = [b for b in households if LOYALTY[0][0] not in b.customer.preferences]
    restaurants = [b for b in buyers if b.kind == "restaurant" and _may_churn(ctx, b, latest)]
    leaving = round(len(households) * CHURNED_HOUSEHOLDS)
    new = [b for b in households if b.first_day > ctx.history_start]
    tried = rng.sample(new, min(len(new), leaving // 2))
    others = [b for b in households if b not in tried]
    chosen = rng.sample(others, leaving - len(tried))
    chosen += rng.sample(restaurants, min(len(restaurants), ctx.count(CHURNED_RESTAURANTS, 0)))
    for buyer in sorted(chosen, key=lambda b: b.code):
        first = max(buyer.first_day, ctx.history_start) + timedelta(days=CHURN_AFTER_DAYS)
        day = first + timedelta(days=rng.randint(0, (latest - first).days))
        buyer.facts["churned_on"] = day
        buyer.last_day = day
    for buyer in tried:
        days = CHURN_AFTER_DAYS + round(rng.expovariate(1 / TRIAL_DAYS))
        buyer.facts["churned_on"] = min(latest, buyer.first_day + timedelta(days=days))
        buyer.last_day = buyer.facts["churned_on"]


def _may_churn(ctx: DemoContext, buyer: Buyer, latest) -> bool:
    customer = buyer.customer
    return (
        customer.is_active
        and not customer.is_blocked
        and not buyer.role
        and customer.code not in ctx.contract_prices
        and max(buyer.first_day, ctx.history_start) + timedelta(days=CHURN_AFTER_DAYS) < latest
    )


def _roles(ctx: DemoContext, rng: random.Random, customers: list[Customer]) -> dict[str, str]:
    """Restaurants that stopped paying: the one longest in arrears buys the most against
    its credit limit; the others are picked at random."""
    restaurants = [
        c
        for c in customers
        if c.group.code == "restaurant"
        and not c.is_blocked
        and c.code not in ctx.contract_prices
        and c.credit_limit
        and c.created_at.astimezone(ctx.tz).date() < ctx.today - timedelta(days=240)
    ]
    roles = {}
    if restaurants:
        # The longest in arrears buys the most for its credit limit: it is over the limit.
        worst = max(restaurants, key=lambda c: (_weekly_value(ctx, c) / c.credit_limit, c.code))
        roles[worst.code] = "over90"
        others = [c for c in restaurants if c is not worst]
        wanted = ["days_61_90"] * ctx.count(1, 0) + ["days_31_60"] * ctx.count(2, 0)
        for role, customer in zip(
            wanted, rng.sample(others, min(len(others), len(wanted))), strict=False
        ):
            roles[customer.code] = role
    return roles


def _weekly_value(ctx: DemoContext, customer: Customer) -> Decimal:
    text = customer.preferences
    daily = number_after(text, r"每天约 (\d+) kg", 10)
    rice = next((s for key, s in RESTAURANT_RICE.items() if f"用米：{key}" in text), "RICE-ZX-25")
    oil = next((s for key, s in RESTAURANT_OIL.items() if f"用油：{key}" in text), "OIL-RS-20")
    bags = Decimal(daily * 6) / 25
    drums = Decimal(customer.size or 40) / 90
    return bags * ctx.products[rice].price + drums * ctx.products[oil].price
