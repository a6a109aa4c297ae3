"""Today's plan core: who is due, in what order, and how much to bring."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kept.replenishment.forecast import RateBelief
from kept.replenishment.history import FillPolicy
from kept.replenishment.plan import plan, refill_quantity

# Steady use (φ = 0), λ ~ Gamma(1, 20): E[λ] = 0.05/day and the day at risk 10 % is
# d₀ + L·20/ln(10) = d₀ + 8.6859·L. Levels 2, 1 and 10 on day 0: days 17.37, 8.69, 86.86.
STEADY = RateBelief(np.ones(3), np.full(3, 20.0), np.zeros(3))
LEVEL = np.array([2.0, 1.0, 10.0])
CAPACITY = np.full(3, 20.0)


def plan_for(buffer_days: float, **options):
    options = {"today": 5, "lead_days": 2, "buffer_days": buffer_days, "risk": 0.1} | options
    return plan(STEADY, LEVEL, 0, CAPACITY, **options)


def test_due_when_the_risk_day_falls_before_delivery_plus_buffer():
    # Delivery on day 7; with a 3-day buffer only day 8.69 is before day 10
    narrow = plan_for(buffer_days=3)
    # With 12 days, day 17.37 is before 19 too, and comes second
    wide = plan_for(buffer_days=12)

    assert narrow.risk_day == pytest.approx(LEVEL * 20 / math.log(10))
    assert narrow.delivery_day == 7
    assert narrow.due.tolist() == [False, True, False]
    assert wide.due.tolist() == [True, True, False]
    assert wide.order.tolist() == [1, 0]


def test_quantity_refills_to_capacity_at_the_delivery_day():
    # On day 7, 0.35 used: 20 − 1.65 = 18.35 and 20 − 0.65 = 19.35, to 1 kg or to 0.5 kg
    assert plan_for(12).quantity[:2].tolist() == [18, 19]
    assert plan_for(12, step=0.5).quantity[:2].tolist() == [18.5, 19.5]


def test_fixed_quantity_policy_brings_its_quantity():
    policy = [FillPolicy.FIXED_QUANTITY, FillPolicy.TO_CAPACITY, FillPolicy.TO_CAPACITY]

    proposed = plan_for(12, fill_policy=policy, fixed_quantity=[10, 0, 0])

    assert proposed.quantity[:2].tolist() == [10, 19]


def test_a_fixed_policy_without_its_quantity_is_refused():
    with pytest.raises(ValueError, match="fixed_quantity"):
        plan_for(12, fill_policy=[FillPolicy.FIXED_QUANTITY] * 3)


def test_rounding_never_overfills():
    assert refill_quantity([20.3, 20.6, 5], [0, 0, 5]).tolist() == [20, 20, 0]


def test_ties_keep_the_order_given():
    tied = RateBelief(np.ones(4), np.full(4, 20.0), np.zeros(4))

    proposed = plan(tied, [1, 3, 1, 1], 0, 20, today=0, lead_days=1, buffer_days=40, risk=0.1)

    assert proposed.order.tolist() == [0, 2, 3, 1]


def test_vectorised_plan_equals_one_subscription_at_a_time():
    rng = np.random.default_rng(5)
    count = 50
    belief = RateBelief(
        rng.uniform(2, 60, count), rng.uniform(5, 200, count), rng.uniform(0, 2, count)
    )
    level, day, capacity = (
        rng.uniform(0, 25, count),
        rng.uniform(-20, 0, count),
        np.full(count, 25.0),
    )
    options = {"today": 0, "lead_days": 2, "buffer_days": 3, "risk": 0.05, "step": 0.5}

    together = plan(belief, level, day, capacity, **options)

    for i in range(count):
        alone = plan(belief[i : i + 1], level[i], day[i], capacity[i], **options)
        assert alone.due[0] == together.due[i]
        assert alone.risk_day[0] == pytest.approx(together.risk_day[i])
        assert alone.quantity[0] == together.quantity[i]
    urgency = together.risk_day[together.order]
    assert np.all(np.diff(urgency) >= 0)
    assert set(together.order) == set(np.flatnonzero(together.due))


@pytest.mark.parametrize(
    "options",
    [{"risk": 0}, {"risk": 1}, {"lead_days": -1}, {"buffer_days": -1}, {"step": 0}],
)
def test_bad_plan_options_are_refused(options):
    options = {"buffer_days": 3} | options
    with pytest.raises(ValueError):
        plan_for(**options)


def test_a_capacity_of_zero_is_refused():
    with pytest.raises(ValueError, match="capacity"):
        plan(STEADY, LEVEL, 0, 0, today=0, lead_days=1, buffer_days=1, risk=0.1)
