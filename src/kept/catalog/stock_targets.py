"""Stock targets per product: what the service level needs against what we hold (SPEC 2.4).

The reads for the "Meet, don't exceed" report. Demand history is the daily sum of the
quantities customers asked for (order lines not cancelled, by requested date), summed in
SQL per product and day; days without an order count as zero demand. The arithmetic is
in :mod:`kept.catalog.safety_stock`.

    position = on hand + scheduled receipts − open commitments served from stock
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from kept.catalog import safety_stock as core
from kept.catalog.models import QUANTITY, Product
from kept.catalog.queries import with_stock
from kept.promising.choices import LineStatus
from kept.promising.models import Commitment, OrderLine

QUANTITY_PLACES = Decimal(1).scaleb(-QUANTITY["decimal_places"])
CENTS = Decimal("0.01")
WINDOW_DAYS, REVIEW_DAYS, ORDER_DAYS = 90, 7, 7
MAX_WINDOW_DAYS, MAX_REVIEW_DAYS = 730, 365


@dataclass(frozen=True)
class TargetSettings:
    """The questions the report answers; fractions, not percentages (0.95 = 95 %).

    The target is the fill rate when one is given, else the cycle service level. The order
    quantity Q of the fill-rate formula is ``order_days`` of mean demand (a week by default).
    The holding cost of an excess is per year: what holding it costs while it stays.
    """

    cycle_service_level: float = 0.95
    fill_rate: float | None = None
    window_days: int = WINDOW_DAYS
    review_days: int = REVIEW_DAYS
    order_days: float = ORDER_DAYS
    holding_rate_per_year: float = 0.25
    tolerance: float = 0.05
    end: date | None = None  # last day of the window; default yesterday (business date)

    def __post_init__(self) -> None:
        core.cycle_service_factor(self.cycle_service_level)  # raises unless 0 < α < 1
        if self.fill_rate is not None and not 0 < self.fill_rate < 1:
            raise ValueError("the fill rate must be strictly between 0 and 1")
        if not 2 <= self.window_days <= MAX_WINDOW_DAYS:
            raise ValueError(f"the window must be 2 to {MAX_WINDOW_DAYS} days")
        if not 0 <= self.review_days <= MAX_REVIEW_DAYS:
            raise ValueError(f"the review period must be 0 to {MAX_REVIEW_DAYS} days")
        if not self.order_days > 0:
            raise ValueError("an order must cover a positive number of days")
        if not self.holding_rate_per_year >= 0:
            raise ValueError("the holding rate must not be negative")
        if not 0 <= self.tolerance < 1:
            raise ValueError("the tolerance must be at least 0 and below 1")

    @property
    def last_day(self) -> date:
        return self.end or timezone.localdate() - timedelta(days=1)

    @property
    def first_day(self) -> date:
        return self.last_day - timedelta(days=self.window_days - 1)


@dataclass(frozen=True)
class LevelRow:
    level: Decimal  # percent: 99.50
    cycle_service_safety_stock: Decimal
    fill_rate_safety_stock: Decimal
    holding_cost: Decimal  # per year, of the cycle-service safety stock


@dataclass(frozen=True)
class StockTargetRow:
    product: Product
    lead_days: int
    lead_days_missing: bool  # no replenishment lead time recorded: taken as 0
    review_days: int
    mean_daily_demand: float
    std_dev_daily_demand: float
    target: core.StockTarget
    order_quantity: Decimal
    safety_stock: Decimal
    reorder_point: Decimal
    needed: Decimal  # the order-up-to level S
    on_hand: Decimal
    incoming: Decimal
    committed: Decimal
    position: Decimal
    verdict: core.Verdict
    shortfall: Decimal
    excess: Decimal
    excess_holding_cost: Decimal  # per year
    levels: list[LevelRow] = field(default_factory=list)

    @property
    def target_kind(self) -> str:
        return self.target.kind.value

    @property
    def target_level(self) -> Decimal:
        """The target in percent."""
        return _decimal(self.target.level * 100, CENTS)


def _quantity(expression) -> Coalesce:
    return Coalesce(expression, Value(Decimal(0)), output_field=DecimalField(**QUANTITY))


def _open_commitments_from_stock() -> Subquery:
    rows = (
        Commitment.objects.filter(product=OuterRef("pk"), is_open=True, to_procure=False)
        .order_by()
        .values("product")
        .annotate(total=Sum("quantity"))
    )
    return Subquery(rows.values("total"), output_field=DecimalField(**QUANTITY))


def target_products(search: str = "") -> QuerySet[Product]:
    """Products by SKU with on_hand, incoming (scheduled receipts) and committed annotated."""
    products = Product.objects.all()
    text = search.replace("\x00", "").strip()  # PostgreSQL refuses NUL in text
    if text:
        products = products.filter(Q(sku__icontains=text) | Q(name__icontains=text))
    products = with_stock(products).annotate(committed=_quantity(_open_commitments_from_stock()))
    return products.order_by("sku")


def daily_demand(product_ids: list[int], first_day: date, last_day: date) -> np.ndarray:
    """Requested quantity per product (rows, in the given order) and day (columns).

    One grouped query; each day of ``first_day … last_day`` is a column, zero when no one
    asked for the product that day.
    """
    days = (last_day - first_day).days + 1
    demand = np.zeros((len(product_ids), max(days, 0)))
    if not product_ids or days <= 0:
        return demand
    sums = (
        OrderLine.objects.filter(
            product_id__in=product_ids, requested_date__range=(first_day, last_day)
        )
        .exclude(status=LineStatus.CANCELLED)
        .order_by()
        .values_list("product_id", "requested_date")
        .annotate(quantity=Sum("requested_quantity"))
    )
    row_of = {product_id: row for row, product_id in enumerate(product_ids)}
    cells = np.array(
        [(row_of[pk], (day - first_day).days, float(qty)) for pk, day, qty in sums], dtype=float
    ).reshape(-1, 3)
    np.add.at(demand, (cells[:, 0].astype(int), cells[:, 1].astype(int)), cells[:, 2])
    return demand


def _decimal(value: float, places: Decimal = QUANTITY_PLACES) -> Decimal:
    return Decimal(repr(float(value))).quantize(places)


def _target_for(
    stats: core.DemandStats, lead: int, settings: TargetSettings, order_quantity: float
) -> core.StockTarget:
    if settings.fill_rate is not None:
        return core.stock_target_for_fill_rate(
            stats, lead, settings.review_days, settings.fill_rate, order_quantity
        )
    return core.stock_target_for_cycle_service(
        stats, lead, settings.review_days, settings.cycle_service_level
    )


def _levels(
    target: core.StockTarget, order_quantity: float, cost: float, rate: float
) -> list[LevelRow]:
    return [
        LevelRow(
            level=_decimal(row.level * 100, CENTS),
            cycle_service_safety_stock=_decimal(row.cycle_service_safety_stock),
            fill_rate_safety_stock=_decimal(row.fill_rate_safety_stock or 0.0),
            holding_cost=_decimal(
                core.holding_cost(max(row.cycle_service_safety_stock, 0), cost, rate), CENTS
            ),
        )
        for row in core.safety_stock_table(target.protection, order_quantity)
    ]


def stock_target_row(
    product: Product, history: np.ndarray, settings: TargetSettings
) -> StockTargetRow:
    """The report for one product annotated by :func:`target_products`."""
    stats = core.demand_stats(history)
    lead = product.replenishment_lead_days or 0
    order_quantity = stats.mean * settings.order_days
    target = _target_for(stats, lead, settings, order_quantity)
    position = product.on_hand + product.incoming - product.committed
    cost, rate = float(product.cost), settings.holding_rate_per_year
    judged = core.judge_stock(
        float(position),
        target,
        tolerance=settings.tolerance,
        unit_cost=cost,
        holding_rate_per_year=rate,
    )
    return StockTargetRow(
        product=product,
        lead_days=lead,
        lead_days_missing=product.replenishment_lead_days is None,
        review_days=settings.review_days,
        mean_daily_demand=stats.mean,
        std_dev_daily_demand=stats.std_dev,
        target=target,
        order_quantity=_decimal(order_quantity),
        safety_stock=_decimal(target.safety_stock),
        reorder_point=_decimal(target.reorder_point),
        needed=_decimal(target.order_up_to),
        on_hand=product.on_hand,
        incoming=product.incoming,
        committed=product.committed,
        position=position,
        verdict=judged.verdict,
        shortfall=_decimal(judged.shortfall),
        excess=_decimal(judged.excess),
        excess_holding_cost=_decimal(judged.excess_holding_cost, CENTS),
        levels=_levels(target, order_quantity, cost, rate),
    )


def stock_target_rows(
    products: list[Product], settings: TargetSettings | None = None
) -> list[StockTargetRow]:
    """The report for products from :func:`target_products` (one page of them): one query."""
    settings = settings or TargetSettings()
    demand = daily_demand([p.pk for p in products], settings.first_day, settings.last_day)
    return [
        stock_target_row(product, history, settings)
        for product, history in zip(products, demand, strict=True)
    ]


def _fraction(percent: Decimal | float | None) -> float | None:
    return None if percent is None else float(percent) / 100


def settings_from_percentages(
    *,
    cycle_service_level: Decimal | float = 95,
    fill_rate: Decimal | float | None = None,
    window_days: int = WINDOW_DAYS,
    review_days: int = REVIEW_DAYS,
    order_days: float = ORDER_DAYS,
    holding_rate: Decimal | float = 25,
) -> TargetSettings:
    """Settings from what pages and the API ask in percent (95 = 95 %, holding rate a year)."""
    return TargetSettings(
        cycle_service_level=_fraction(cycle_service_level) or 0.0,
        fill_rate=_fraction(fill_rate),
        window_days=window_days,
        review_days=review_days,
        order_days=float(order_days),
        holding_rate_per_year=_fraction(holding_rate) or 0.0,
    )
