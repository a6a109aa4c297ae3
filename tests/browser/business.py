"""The small business the browser tests start from: a bag of rice and a household's jar."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from kept.fulfilment.tests.history import delivered_line


def rice_bags(on_hand: int = 5, arriving: int = 20, in_days: int = 1, **fields):
    """东北大米 10 kg (RICE10) at 68/52: ``on_hand`` bags, ``arriving`` more in ``in_days``.
    No procurement on demand: what is not on hand or arriving cannot be promised."""
    from kept.catalog import actions as catalog
    from kept.promising.queries import business_today

    rice = catalog.create_product(
        {"sku": "RICE10", "name": "东北大米 10 kg", "unit": "bag", "price": Decimal("68"),
         "cost": Decimal("52"), "replenishment_lead_days": None, **fields}
    )  # fmt: skip
    catalog.record_movement(rice, Decimal(on_hand), "opening")
    if arriving:
        catalog.schedule_receipt(
            rice, Decimal(arriving), business_today() + timedelta(days=in_days)
        )
    return rice


def jar_with_refills(code: str, name: str, **customer):
    """``name``'s 15 kg rice jar (RICE1, by the kg), refilled with 10 kg every ten days for
    three months, the last time ten days ago: due again about now."""
    from kept.catalog import actions as catalog
    from kept.customers import actions as customers
    from kept.promising.queries import business_today
    from kept.replenishment.actions import save_subscription

    household = customers.create_customer(
        {"code": code, "name": name, "route": "East 3", "size": 3, **customer}, actor=None
    )
    rice = catalog.create_product(
        {"sku": "RICE1", "name": "东北大米 1 kg", "unit": "kg", "price": Decimal("7"),
         "cost": Decimal("5")}
    )  # fmt: skip
    catalog.record_movement(rice, Decimal(200), "opening")
    jar = save_subscription(household, {"product": rice, "capacity": 15, "people": 3})
    today = business_today()
    for n in range(9, 0, -1):
        delivered_line(household, rice, today - timedelta(days=10 * n), 10, number=f"SO-H{n}")
    return jar
