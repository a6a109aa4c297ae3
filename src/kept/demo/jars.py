"""The households' rice jars as subscriptions (SPEC 2.5): the jar the notebook says, the
people who eat from it, the rice they buy, their delivery days. Their fills are the
deliveries already written."""

from __future__ import annotations

from decimal import Decimal

from kept.demo.context import DemoContext
from kept.demo.habits import Buyer, number_after
from kept.replenishment.choices import Window
from kept.replenishment.models import Subscription

WINDOWS = [Window.ANY, Window.MORNING, Window.AFTERNOON, Window.EVENING]


def save_jars(ctx: DemoContext, everyone: list[Buyer]) -> int:
    rng = ctx.rng("jars")
    jars = []
    for buyer in everyone:
        sku = buyer.facts.get("sku")
        if buyer.kind != "household" or not sku or not buyer.customer.is_active:
            continue
        customer = buyer.customer
        jar = number_after(customer.preferences, r"米缸 (\d+) kg", 15)
        bag_kg = Decimal(sku.rsplit("-", 1)[1])  # RICE-NE-10: bags of 10 kg
        jars.append(
            Subscription(
                customer=customer,
                product=ctx.products[sku],
                capacity=(Decimal(jar) / bag_kg).quantize(Decimal("0.001")),  # in bags
                people=customer.size or 2,
                preferred_days=list(customer.preferred_days or []),
                window=rng.choices(WINDOWS, weights=[5, 3, 1, 2])[0],
            )
        )
    Subscription.objects.bulk_create(jars, batch_size=1000)
    return len(jars)
