"""Promise policies: the default, one per customer group, and one customer's override.

Written through the policy actions (audited, by the manager). The order history is decided
under the same rules (``policy_of``), so a reader finds the holds the rules would make.
"""

from __future__ import annotations

from decimal import Decimal

from kept.customers.models import Customer
from kept.demo.context import DemoContext
from kept.promising.policies import save_customer_policy, save_group_policy
from kept.promising.queries import policy_for
from kept.promising.rules import Policy

# Restaurants: 25 kg bags and 20 L drums, at least 15 % over cost, at most 40 of one item
# per order line (more is offered over several deliveries). Households: at most 6 of one
# item, no catering packs, hold from 300 yuan overdue. Canteens: orders 2 days ahead
# (the school gate needs the truck registered), 45 days overdue allowed on 60-day terms.
# fmt: off
GROUP_POLICIES = {
    None: {"min_lead_days": 0, "overdue_days_limit": 30, "overdue_action": "hold"},
    "restaurant": {"min_margin_percent": Decimal(15), "max_quantity": Decimal(40),
                   "max_quantity_action": "counter"},
    "household": {"max_quantity": Decimal(6), "max_quantity_action": "counter",
                  "overdue_amount_limit": Decimal(300)},
    "institution": {"min_lead_days": 2, "overdue_days_limit": 45},
    # Internal departments are never invoiced and have no credit limit: no credit rule bites.
    "internal": {"min_lead_days": 0},
}
# fmt: on
EXCLUDED = {"household": ["RICE-ZX-25", "OIL-SB-20", "OIL-RS-20"]}
CONTRACT_FACTOR = Decimal("0.93")  # the contract restaurant's rice price: 7 % off the list
CONTRACT_MARGIN = Decimal(10)


def create_policies(ctx: DemoContext) -> int:
    """The group policies and one restaurant's supply contract. Returns how many policies."""
    manager = ctx.users["manager"]
    for code, values in GROUP_POLICIES.items():
        group = ctx.groups[code] if code else None
        excluded = EXCLUDED.get(code) if code else None
        save_group_policy(group, values, excluded_skus=excluded, actor=manager)
    restaurant = _contract_restaurant()
    if restaurant is None:
        return len(GROUP_POLICIES)
    reason = (
        f"年度供货合同：大米按合同价（约九三折）供应，经理批准该客户毛利不低于 "
        f"{CONTRACT_MARGIN}%（餐厅一般为 15%）。"
    )
    save_customer_policy(
        restaurant, {"min_margin_percent": CONTRACT_MARGIN}, reason=reason, actor=manager
    )
    ctx.contract_prices[restaurant.code] = CONTRACT_FACTOR
    return len(GROUP_POLICIES) + 1


def _contract_restaurant() -> Customer | None:
    """The biggest restaurant in good standing (a VIP if there is one) has a contract."""
    candidates = Customer.objects.filter(
        group__code="restaurant", is_blocked=False, is_active=True
    ).order_by("-size", "code")
    return candidates.filter(tags__name="VIP").first() or candidates.first()


def policy_of(customers: list[Customer]) -> dict[int, Policy]:
    """{customer id: the rules in force}: one read per group and per override."""
    by_group: dict[int | None, Policy] = {}
    overrides = set(
        Customer.objects.filter(promise_policy__isnull=False).values_list("pk", flat=True)
    )
    policies = {}
    for customer in customers:
        if customer.pk in overrides:
            policies[customer.pk] = policy_for(customer)
            continue
        if customer.group_id not in by_group:
            by_group[customer.group_id] = policy_for(customer)
        policies[customer.pk] = by_group[customer.group_id]
    return policies
