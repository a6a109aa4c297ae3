"""Cost-to-serve, the customer P&L and the whale curve (SPEC 2.7). Pure: no Django.

Activity-based costing: each customer's activities in a period (orders taken, deliveries
made, hours spent on their tickets, complaint remedies, collection reminders, months of VIP
service) are priced at the business's activity rates. Then, per customer::

    profit = revenue − cost of goods − cost-to-serve

The **whale curve** ranks customers by profit, most profitable first, and draws cumulative
profit against the share of customers: it rises above 100 % of the total profit, then
falls back as the profit-destroying customers at the tail are added.

>>> rates = Rates(per_order=Decimal("5"), per_delivery=Decimal("8"))
>>> quiet = Activity("H1", revenue=Decimal("500"), cost_of_goods=Decimal("400"), orders=2,
...                  deliveries=2)
>>> pnl(quiet, rates).profit
Decimal('74')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal("0")


@dataclass(frozen=True)
class Rates:
    """What one unit of each activity costs the business (money per unit)."""

    per_order: Decimal = ZERO
    per_delivery: Decimal = ZERO
    per_ticket_hour: Decimal = ZERO
    per_complaint_remedy: Decimal = ZERO  # handling each remedy, on top of the remedy itself
    per_collection_reminder: Decimal = ZERO
    vip_per_month: Decimal = ZERO

    def __post_init__(self) -> None:
        for name, value in self.__dict__.items():
            if value < 0:
                raise ValueError(f"The rate {name} cannot be negative.")


@dataclass(frozen=True)
class Activity:
    """One customer's period: revenue and cost of goods of what was delivered, and the
    activities that served them. ``remedy_cost`` is what the complaint remedies cost
    (refunds, credits, redeliveries), as recorded on each complaint."""

    customer: str
    revenue: Decimal = ZERO
    cost_of_goods: Decimal = ZERO
    orders: int = 0
    deliveries: int = 0
    ticket_hours: Decimal = ZERO
    remedies: int = 0
    remedy_cost: Decimal = ZERO
    reminders: int = 0
    vip_months: Decimal = ZERO


DRIVERS = ("orders", "deliveries", "tickets", "remedies", "reminders", "vip")


@dataclass(frozen=True)
class CustomerPnL:
    customer: str
    revenue: Decimal
    cost_of_goods: Decimal
    drivers: dict[str, Decimal] = field(default_factory=dict)

    @property
    def gross_margin(self) -> Decimal:
        return self.revenue - self.cost_of_goods

    @property
    def cost_to_serve(self) -> Decimal:
        return sum(self.drivers.values(), ZERO)

    @property
    def profit(self) -> Decimal:
        return self.gross_margin - self.cost_to_serve

    def main_drivers(self, limit: int = 3) -> list[tuple[str, Decimal]]:
        """The costliest activities, largest first (zero ones left out)."""
        ranked = sorted(self.drivers.items(), key=lambda item: item[1], reverse=True)
        return [(name, cost) for name, cost in ranked if cost > 0][:limit]


def pnl(activity: Activity, rates: Rates) -> CustomerPnL:
    drivers = {
        "orders": rates.per_order * activity.orders,
        "deliveries": rates.per_delivery * activity.deliveries,
        "tickets": rates.per_ticket_hour * activity.ticket_hours,
        "remedies": rates.per_complaint_remedy * activity.remedies + activity.remedy_cost,
        "reminders": rates.per_collection_reminder * activity.reminders,
        "vip": rates.vip_per_month * activity.vip_months,
    }
    return CustomerPnL(activity.customer, activity.revenue, activity.cost_of_goods, drivers)


@dataclass(frozen=True)
class WhalePoint:
    customers_share: float  # 0..1 of the customers, most profitable first
    profit_share: float  # cumulative profit as a share of the total (may exceed 1)


def whale_curve(pnls: Iterable[CustomerPnL]) -> list[WhalePoint]:
    """Cumulative profit against customers ranked by profit, starting at (0, 0). With no
    profit in total the shares are of the absolute sum, so the curve is still drawn."""
    ranked = sorted(pnls, key=lambda p: p.profit, reverse=True)
    if not ranked:
        return []
    total = sum((p.profit for p in ranked), ZERO)
    scale = total if total > 0 else sum((abs(p.profit) for p in ranked), ZERO) or Decimal(1)
    points, running = [WhalePoint(0.0, 0.0)], ZERO
    for n, row in enumerate(ranked, start=1):
        running += row.profit
        points.append(WhalePoint(n / len(ranked), float(running / scale)))
    return points


def destroyers(pnls: Sequence[CustomerPnL]) -> list[CustomerPnL]:
    """The customers who lose money, the worst first."""
    return sorted((p for p in pnls if p.profit < 0), key=lambda p: p.profit)
