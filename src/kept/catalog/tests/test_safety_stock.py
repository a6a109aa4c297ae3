"""Safety stock: the published example, cases worked by hand, and properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kept.catalog.safety_stock import (
    SERVICE_LEVELS,
    DemandStats,
    TargetKind,
    Verdict,
    critical_ratio,
    cycle_service_factor,
    cycle_service_safety_stock,
    demand_stats,
    fill_rate_factor,
    fill_rate_safety_stock,
    holding_cost,
    inverse_normal_loss,
    judge_stock,
    normal_loss,
    protection_demand,
    safety_stock_table,
    stock_target_for_cycle_service,
    stock_target_for_fill_rate,
)

# Published reference -----------------------------------------------------------------------


def test_snyder_shen_example_4_3_order_up_to():
    # Given demand N(50, 8²) over one period, h = 0.18 and p = 0.70
    alpha = critical_ratio(holding_cost=0.18, shortage_cost=0.70)

    # When the order-up-to level is set for that cycle service level
    target = stock_target_for_cycle_service(DemandStats(50, 8), 0, 1, alpha)

    # Then it is the book's S* = 56.603956, with α printed as 0.795455
    assert alpha == pytest.approx(0.795455, abs=1e-6)
    assert target.order_up_to == pytest.approx(56.603956, abs=1e-6)
    assert target.safety_stock == pytest.approx(6.603956, abs=1e-6)


def test_snyder_shen_example_4_3_with_the_printed_alpha():
    # α = 0.795455 is 0.7954545… rounded; the rounding moves S by 1.3e-5 (dS = σ · dα / φ(z)).
    target = stock_target_for_cycle_service(DemandStats(50, 8), 0, 1, 0.795455)

    assert target.order_up_to == pytest.approx(56.603956, abs=2e-5)


# Hand-computed cases ------------------------------------------------------------------------


def test_protection_interval_adds_means_and_variances():
    # μ = 20/day, σ = 5/day, L = 3, R = 1: μ_LR = 20 · 4 = 80, σ_LR = 5 · √4 = 10
    protection = protection_demand(DemandStats(20, 5), lead_periods=3, review_periods=1)

    assert protection == DemandStats(80, 10)


def test_cycle_service_target_by_hand():
    # z_0.95 = 1.644854 (normal table) → ss = 1.644854 · 10 = 16.44854
    # S = 80 + 16.44854 = 96.44854;  s = 20 · 3 + 16.44854 = 76.44854 (= S − μ · R)
    target = stock_target_for_cycle_service(DemandStats(20, 5), 3, 1, 0.95)

    assert target.kind == TargetKind.CYCLE_SERVICE
    assert target.safety_stock == pytest.approx(16.44854, abs=1e-5)
    assert target.order_up_to == pytest.approx(96.44854, abs=1e-5)
    assert target.reorder_point == pytest.approx(76.44854, abs=1e-5)


def test_fill_rate_target_by_hand():
    # σ_LR = 10, Q = 100, β = 0.98: G(k) = (1 − 0.98) · 100 / 10 = 0.2
    # G(0.49) = 0.353812 − 0.49 · 0.312067 = 0.200900
    # G(0.50) = 0.352065 − 0.50 · 0.308538 = 0.197797
    # linear interpolation: k = 0.49 + 0.01 · 0.000900 / 0.003103 = 0.49290
    # ss = 0.49290 · 10 = 4.929;  S = 80 + 4.929 = 84.929
    target = stock_target_for_fill_rate(DemandStats(20, 5), 3, 1, 0.98, order_quantity=100)

    assert fill_rate_factor(0.98, 10, 100) == pytest.approx(0.49290, abs=1e-4)
    assert target.kind == TargetKind.FILL_RATE
    assert target.safety_stock == pytest.approx(4.929, abs=1e-3)
    assert target.order_up_to == pytest.approx(84.929, abs=1e-3)


def test_fill_rate_met_by_the_order_quantity_needs_no_safety_stock():
    # σ_LR = 10, Q = 100, β = 0.90: G(k) = 0.1 · 100 / 10 = 1.0 > G(0) = 0.3989, so k < 0.
    # G(−0.9) = G(0.9) + 0.9 = (0.266085 − 0.9 · 0.184060) + 0.9 = 1.000431 → k ≈ −0.8995
    assert fill_rate_factor(0.90, 10, 100) == pytest.approx(-0.8995, abs=1e-3)
    # We plan no negative safety stock: S stays at μ_LR.
    assert fill_rate_safety_stock(DemandStats(80, 10), 0.90, 100) == 0.0


def test_demand_stats_count_zero_days():
    # 0, 10, 0, 10: mean 5; squared deviations 4 · 25 = 100; sample variance 100 / 3
    stats = demand_stats([0, 10, 0, 10])

    assert stats.mean == 5
    assert stats.std_dev == pytest.approx(math.sqrt(100 / 3))


def test_holding_cost_is_units_times_cost_times_rate_times_share_of_year():
    # 40 units · 7.25 · 25 %/year = 72.50 a year; for 73 days (1/5 year) 14.50
    assert holding_cost(40, 7.25, 0.25) == pytest.approx(72.50)
    assert holding_cost(40, 7.25, 0.25, days=73) == pytest.approx(14.50)


def test_judge_stock_bands():
    # s = 76.45, S = 96.45 (the cycle-service case above)
    target = stock_target_for_cycle_service(DemandStats(20, 5), 3, 1, 0.95)

    short = judge_stock(50, target)
    on_target = judge_stock(80, target)
    over = judge_stock(136.44854, target, unit_cost=10, holding_rate_per_year=0.25)

    assert short.verdict == Verdict.SHORT
    assert short.shortfall == pytest.approx(46.44854, abs=1e-5)  # 96.44854 − 50
    assert on_target == judge_stock(96.4, target)
    assert on_target.verdict == Verdict.ON_TARGET and on_target.excess == 0
    # excess 40 units · 10 · 25 % = 100 a year
    assert over.verdict == Verdict.OVER_SERVING
    assert over.excess == pytest.approx(40)
    assert over.excess_holding_cost == pytest.approx(100)


def test_judge_stock_tolerance_widens_the_band():
    target = stock_target_for_cycle_service(DemandStats(20, 5), 3, 1, 0.95)

    # S · 1.1 = 106.09: 100 is within the band; s · 0.9 = 68.80: 70 too
    assert judge_stock(100, target, tolerance=0.1).verdict == Verdict.ON_TARGET
    assert judge_stock(70, target, tolerance=0.1).verdict == Verdict.ON_TARGET
    assert judge_stock(107, target, tolerance=0.1).verdict == Verdict.OVER_SERVING


def test_stock_without_demand_is_all_excess():
    target = stock_target_for_cycle_service(DemandStats(0, 0), 3, 7, 0.95)

    judged = judge_stock(12, target, unit_cost=2, holding_rate_per_year=0.5)

    assert target.order_up_to == 0
    assert judged.verdict == Verdict.OVER_SERVING
    assert judged.excess_holding_cost == pytest.approx(12)  # 12 · 2 · 0.5


def test_safety_stock_table_at_the_usual_levels():
    # σ_LR = 10: z = 1.2816, 1.6449, 2.0537, 2.3263, 2.5758
    table = safety_stock_table(DemandStats(80, 10), order_quantity=100)

    assert [row.level for row in table] == list(SERVICE_LEVELS)
    cycle = [row.cycle_service_safety_stock for row in table]
    assert cycle == pytest.approx([12.816, 16.449, 20.537, 23.263, 25.758], abs=1e-3)
    assert table[2].fill_rate_safety_stock == pytest.approx(4.93, abs=1e-2)
    assert safety_stock_table(DemandStats(80, 10))[0].fill_rate_safety_stock is None


# Loss function ------------------------------------------------------------------------------


def test_normal_loss_known_values():
    assert normal_loss(0) == pytest.approx(0.3989422804, abs=1e-10)  # φ(0) = 1/√(2π)
    assert normal_loss(1) == pytest.approx(0.0833154706, abs=1e-10)  # 0.241971 − 0.158655
    assert normal_loss(2) == pytest.approx(0.0084907026, abs=1e-10)  # 0.053991 − 2 · 0.022750
    assert normal_loss(-1) == pytest.approx(1.0833154706, abs=1e-10)  # G(1) + 1


def test_inverse_normal_loss_round_trips():
    for k in (-3.0, -0.5, 0.0, 0.5, 2.0, 5.0):
        assert inverse_normal_loss(normal_loss(k)) == pytest.approx(k, abs=1e-8)


# Input checks -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: DemandStats(10, -1), "standard deviation must not be negative"),
        (lambda: DemandStats(-1, 1), "mean demand must not be negative"),
        (lambda: DemandStats(math.nan, 1), "finite"),
        (lambda: cycle_service_factor(1), "strictly between 0 and 1"),
        (lambda: cycle_service_factor(0), "strictly between 0 and 1"),
        (lambda: fill_rate_factor(1.2, 10, 100), "strictly between 0 and 1"),
        (lambda: fill_rate_factor(0.95, 10, 0), "positive order quantity"),
        (lambda: protection_demand(DemandStats(1, 1), -1), "lead time must not be negative"),
        (lambda: demand_stats([5]), "at least two periods"),
        (lambda: demand_stats([5, -1]), "non-negative"),
        (lambda: inverse_normal_loss(0), "positive"),
        (lambda: holding_cost(1, 1, -0.1), "holding rate must not be negative"),
        (lambda: critical_ratio(0, 0), "cannot both be zero"),
        (
            lambda: judge_stock(
                1, stock_target_for_cycle_service(DemandStats(1, 1), 1, 1, 0.9), tolerance=1
            ),
            "tolerance must be below 1",
        ),
    ],
)
def test_invalid_inputs_are_refused_clearly(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_no_uncertainty_needs_no_safety_stock():
    assert cycle_service_safety_stock(DemandStats(80, 0), 0.99) == 0
    assert fill_rate_factor(0.99, 0, 100) == 0
    assert fill_rate_factor(0.99, 0, 0) == 0  # no demand at all: nothing ordered, nothing short


# Properties ---------------------------------------------------------------------------------

levels = st.floats(min_value=0.5, max_value=0.9999)
sigmas = st.floats(min_value=0.01, max_value=1e4)
ks = st.floats(min_value=-30, max_value=8)


@given(sigmas, levels, levels)
def test_safety_stock_increases_with_the_cycle_service_level(sigma, a, b):
    low, high = sorted((a, b))
    protection = DemandStats(100, sigma)

    assert cycle_service_safety_stock(protection, low) <= cycle_service_safety_stock(
        protection, high
    )


@given(sigmas, levels, st.floats(min_value=0.1, max_value=1e4), st.floats(1.0, 100.0))
def test_fill_rate_factor_decreases_as_the_order_quantity_grows(sigma, beta, quantity, growth):
    k = fill_rate_factor(beta, sigma, quantity)

    # Brent's method stops within rtol · |k|: equal inputs may differ by that much
    assert fill_rate_factor(beta, sigma, quantity * growth) <= k + 1e-9 * (1 + abs(k))


@given(ks, st.floats(min_value=1e-6, max_value=5))
def test_normal_loss_is_positive_and_decreasing(k, step):
    assert normal_loss(k) > 0 or k > 8  # underflows to 0 only far in the tail
    assert normal_loss(k + step) <= normal_loss(k)


@given(ks)
def test_normal_loss_symmetry(k):
    # G(−k) = G(k) + k, since (Z − k)⁺ − (k − Z)⁺ … integrates to E[Z] − k = −k
    assert normal_loss(-k) == pytest.approx(normal_loss(k) + k, abs=1e-9)


@given(sigmas, levels, st.floats(min_value=1, max_value=1e4))
def test_fill_rate_factor_meets_the_shortage_allowed(sigma, beta, quantity):
    k = fill_rate_factor(beta, sigma, quantity)

    assert sigma * normal_loss(k) == pytest.approx((1 - beta) * quantity, rel=1e-6)


def test_module_examples_run():
    import doctest

    from kept.catalog import safety_stock

    assert doctest.testmod(safety_stock).failed == 0
