"""Safety stock for a service-level target: meet the target, don't exceed it (SPEC 2.4).

Pure numpy/scipy, no Django. Demand per period (a day in Kept) is taken as independent
and normal, ``D ~ N(μ, σ²)``. An order placed at a review must cover the *protection
interval*: the lead time ``L`` plus the review period ``R``, during which demand is::

    μ_LR = μ · (L + R)          σ_LR = σ · √(L + R)

Two kinds of target (Snyder & Shen, *Fundamentals of Supply Chain Theory*, 2nd ed.,
§4.3 and §5.2; Silver, Pyke & Thomas, *Inventory and Production Management*, §6.7):

* **cycle service level** ``α``, the probability of no stockout in a cycle::

      ss = z_α · σ_LR          z_α = Φ⁻¹(α)

* **fill rate** ``β``, the share of demand met from stock. With the standard normal loss
  function ``G(k) = φ(k) − k (1 − Φ(k))`` (the expected shortage per unit of σ), the
  shortage per cycle ``σ_LR · G(k)`` may be ``(1 − β) · Q`` of an order of ``Q``::

      σ_LR · G(k) = (1 − β) · Q          ss = k · σ_LR

Either way the order-up-to level and the reorder point are::

    S = μ_LR + ss                  (order up to S at each review)
    s = μ · L + ss = S − μ · R     (below s even an order now leaves the target unmet)

Reference (Snyder & Shen, Example 4.3): demand N(50, 8²) over one period, h = 0.18,
p = 0.70, so ``α = p / (p + h) = 0.795455`` and ``S = 50 + 8 · Φ⁻¹(α) = 56.603956``.

>>> alpha = critical_ratio(holding_cost=0.18, shortage_cost=0.70)
>>> round(stock_target_for_cycle_service(DemandStats(50, 8), 0, 1, alpha).order_up_to, 6)
56.603956

The book prints α rounded to six places; Φ⁻¹(0.795455) itself gives S = 56.603969.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy.optimize import brentq
from scipy.special import erfcx
from scipy.stats import norm

SERVICE_LEVELS = (0.90, 0.95, 0.98, 0.99, 0.995)
DAYS_PER_YEAR = 365.0
_SQRT_HALF_PI = math.sqrt(math.pi / 2)


class TargetKind(StrEnum):
    CYCLE_SERVICE = "cycle_service"
    FILL_RATE = "fill_rate"


class Verdict(StrEnum):
    SHORT = "short"
    ON_TARGET = "on_target"
    OVER_SERVING = "over_serving"


def _finite(name: str, value: float) -> float:
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, not {value}")
    return value


def _non_negative(name: str, value: float) -> float:
    value = _finite(name, value)
    if value < 0:
        raise ValueError(f"{name} must not be negative, not {value}")
    return value


def _probability(name: str, value: float) -> float:
    value = _finite(name, value)
    if not 0 < value < 1:
        raise ValueError(f"{name} must be strictly between 0 and 1, not {value}")
    return value


@dataclass(frozen=True)
class DemandStats:
    """Mean and standard deviation of demand in one period (or over an interval)."""

    mean: float
    std_dev: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "mean", _non_negative("mean demand", self.mean))
        object.__setattr__(self, "std_dev", _non_negative("standard deviation", self.std_dev))


def demand_stats(history: Sequence[float] | np.ndarray) -> DemandStats:
    """Sample mean and standard deviation (``ddof = 1``) of demand per period.

    ``history`` holds one value per period, zeros included: a day without orders is a
    day of zero demand, not a missing one. At least two periods are needed for σ.
    """
    values = np.asarray(history, dtype=float)
    if values.ndim != 1 or values.size < 2:
        raise ValueError("demand history needs at least two periods")
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError("demand history must hold finite, non-negative quantities")
    return DemandStats(float(values.mean()), float(values.std(ddof=1)))


def protection_demand(
    demand: DemandStats, lead_periods: float, review_periods: float = 0.0
) -> DemandStats:
    """Demand over the protection interval ``L + R`` of independent periods.

    ``μ_LR = μ · (L + R)``, ``σ_LR = σ · √(L + R)`` (Snyder & Shen §5.2: variances add).
    """
    periods = _non_negative("lead time", lead_periods) + _non_negative("review", review_periods)
    return DemandStats(demand.mean * periods, demand.std_dev * math.sqrt(periods))


def critical_ratio(holding_cost: float, shortage_cost: float) -> float:
    """The newsvendor's optimal cycle service level ``α = p / (p + h)`` (Snyder & Shen §4.3)."""
    h = _non_negative("holding cost", holding_cost)
    p = _non_negative("shortage cost", shortage_cost)
    if h + p == 0:
        raise ValueError("holding and shortage cost cannot both be zero")
    return p / (p + h)


def normal_loss(k: float) -> float:
    """Standard normal loss function ``G(k) = φ(k) − k (1 − Φ(k)) = E[(Z − k)⁺]``.

    Positive and decreasing; ``G(0) = φ(0) = 1/√(2π)`` and ``G(−k) = G(k) + k``.
    Computed as ``φ(|k|) · (1 − |k| · M(|k|))`` with the Mills ratio
    ``M(k) = (1 − Φ(k)) / φ(k) = √(π/2) · erfcx(k/√2)``, which keeps its precision
    in the tail where ``φ(k)`` and ``k (1 − Φ(k))`` nearly cancel.
    """
    k = _finite("k", k)
    a = abs(k)
    tail = float(norm.pdf(a)) * (1.0 - a * _SQRT_HALF_PI * float(erfcx(a / math.sqrt(2))))
    return max(tail, 0.0) + (a if k < 0 else 0.0)


def inverse_normal_loss(loss: float) -> float:
    """The ``k`` with ``G(k) = loss`` for ``loss > 0`` (negative when ``loss > φ(0)``).

    Solved with Brent's method on ``[−loss, hi]``: ``G(−loss) > loss`` because
    ``G(k) > −k``, and ``hi`` doubles until ``G(hi) < loss``.
    """
    loss = _finite("loss", loss)
    if loss <= 0:
        raise ValueError(f"the loss must be positive, not {loss}")
    low, high = -loss, 1.0
    while normal_loss(high) >= loss:
        high *= 2
        if high > 64:
            raise ValueError(f"the loss {loss} is too small to invert")
    return float(brentq(lambda k: normal_loss(k) - loss, low, high, xtol=1e-12, rtol=1e-14))


def cycle_service_factor(alpha: float) -> float:
    """Safety factor ``z_α = Φ⁻¹(α)`` for a cycle service level ``0 < α < 1``."""
    return float(norm.ppf(_probability("cycle service level", alpha)))


def fill_rate_factor(beta: float, std_dev: float, order_quantity: float) -> float:
    """Safety factor ``k`` solving ``σ_LR · G(k) = (1 − β) · Q`` (Snyder & Shen §5.2).

    ``std_dev`` is σ_LR, ``order_quantity`` is Q (> 0). ``k`` is negative when the order
    quantity alone already gives the fill rate; the caller decides what to do with that
    (:func:`fill_rate_safety_stock` plans none). With ``σ_LR = 0`` nothing is uncertain
    and ``k`` is reported as 0, even for ``Q = 0`` (no demand at all).
    """
    beta = _probability("fill rate", beta)
    sigma = _non_negative("standard deviation", std_dev)
    quantity = _non_negative("order quantity", order_quantity)
    if sigma == 0:  # demand is known: no shortage, whatever the order quantity
        return 0.0
    if quantity == 0:
        raise ValueError("a fill-rate target needs a positive order quantity")
    return inverse_normal_loss((1 - beta) * quantity / sigma)


def cycle_service_safety_stock(protection: DemandStats, alpha: float) -> float:
    """``ss = z_α · σ_LR``; negative for α < 50 % (a target below the median)."""
    return cycle_service_factor(alpha) * protection.std_dev


def fill_rate_safety_stock(protection: DemandStats, beta: float, order_quantity: float) -> float:
    """``ss = max(k, 0) · σ_LR`` with ``k`` from :func:`fill_rate_factor`.

    Our choice when ``k < 0``: plan no safety stock rather than a negative one. The loss
    formula over-counts shortages when ``k`` is low (it ignores that a cycle's shortage
    cannot exceed its demand), so a negative ``k`` is the least reliable part of it; and
    it keeps ``S ≥ μ_LR``, a cycle service level of at least 50 %.
    """
    k = fill_rate_factor(beta, protection.std_dev, order_quantity)
    return max(k, 0.0) * protection.std_dev


@dataclass(frozen=True)
class StockTarget:
    """What one target needs: ``S = μ_LR + ss`` and ``s = μ · L + ss``."""

    kind: TargetKind
    level: float
    protection: DemandStats
    safety_stock: float
    order_up_to: float
    reorder_point: float


def _target(
    kind: TargetKind,
    level: float,
    demand: DemandStats,
    lead_periods: float,
    safety_stock: float,
    protection: DemandStats,
) -> StockTarget:
    order_up_to = protection.mean + safety_stock
    reorder_point = demand.mean * float(lead_periods) + safety_stock
    return StockTarget(kind, level, protection, safety_stock, order_up_to, reorder_point)


def stock_target_for_cycle_service(
    demand: DemandStats, lead_periods: float, review_periods: float, alpha: float
) -> StockTarget:
    """Safety stock, order-up-to level and reorder point for a cycle service level α."""
    protection = protection_demand(demand, lead_periods, review_periods)
    safety_stock = cycle_service_safety_stock(protection, alpha)
    return _target(TargetKind.CYCLE_SERVICE, alpha, demand, lead_periods, safety_stock, protection)


def stock_target_for_fill_rate(
    demand: DemandStats,
    lead_periods: float,
    review_periods: float,
    beta: float,
    order_quantity: float,
) -> StockTarget:
    """Safety stock, order-up-to level and reorder point for a fill rate β with orders of Q."""
    protection = protection_demand(demand, lead_periods, review_periods)
    safety_stock = fill_rate_safety_stock(protection, beta, order_quantity)
    return _target(TargetKind.FILL_RATE, beta, demand, lead_periods, safety_stock, protection)


def holding_cost(
    units: float, unit_cost: float, holding_rate_per_year: float, days: float = DAYS_PER_YEAR
) -> float:
    """Cost of holding ``units`` for ``days``: ``units · unit_cost · rate · days / 365``.

    ``unit_cost`` is money per unit, ``holding_rate_per_year`` a fraction of that cost per
    year (0.25 = 25 %/year), ``days`` calendar days; the result is in the unit cost's money.
    """
    return (
        _non_negative("units", units)
        * _non_negative("unit cost", unit_cost)
        * _non_negative("holding rate", holding_rate_per_year)
        * _non_negative("days", days)
        / DAYS_PER_YEAR
    )


@dataclass(frozen=True)
class StockJudgement:
    verdict: Verdict
    shortfall: float  # S − position when short: what an order now must bring in
    excess: float  # position − S when over-serving
    excess_holding_cost: float  # of the excess, over the days asked for


def judge_stock(
    position: float,
    target: StockTarget,
    *,
    tolerance: float = 0.0,
    unit_cost: float = 0.0,
    holding_rate_per_year: float = 0.0,
    days: float = DAYS_PER_YEAR,
) -> StockJudgement:
    """Short, on target or over-serving, and what the excess costs to hold.

    ``position`` is the stock position: on hand + pipeline − committed. The band is
    ``[s · (1 − tolerance), S · (1 + tolerance)]``: below ``s`` the target is missed even
    if we order now; above ``S`` we hold more than the target ever needs, and the
    excess ``position − S`` costs ``excess · unit_cost · rate · days / 365``.
    """
    position = _finite("stock position", position)
    tolerance = _non_negative("tolerance", tolerance)
    if tolerance >= 1:
        raise ValueError(f"tolerance must be below 1, not {tolerance}")
    if position < target.reorder_point * (1 - tolerance):
        return StockJudgement(Verdict.SHORT, target.order_up_to - position, 0.0, 0.0)
    if position > target.order_up_to * (1 + tolerance):
        excess = position - target.order_up_to
        cost = holding_cost(excess, unit_cost, holding_rate_per_year, days)
        return StockJudgement(Verdict.OVER_SERVING, 0.0, excess, cost)
    return StockJudgement(Verdict.ON_TARGET, 0.0, 0.0, 0.0)


@dataclass(frozen=True)
class LevelRow:
    level: float
    cycle_service_safety_stock: float
    fill_rate_safety_stock: float | None  # None without an order quantity


def safety_stock_table(
    protection: DemandStats,
    order_quantity: float | None = None,
    levels: Sequence[float] = SERVICE_LEVELS,
) -> list[LevelRow]:
    """Safety stock needed at each level, read as a cycle service level and as a fill rate."""
    rows = []
    for level in levels:
        fill_rate = (
            None
            if order_quantity is None
            else fill_rate_safety_stock(protection, level, order_quantity)
        )
        rows.append(LevelRow(level, cycle_service_safety_stock(protection, level), fill_rate))
    return rows
