"""The backtest: actual run-outs by hand, the replay's bookkeeping, and the model against
the two baselines on simulated households."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from kept.replenishment.backtest import (
    ReplaySubscription,
    actual_runout_day,
    backtest,
    replay,
    score,
)
from kept.replenishment.forecast import expected_runout_day, fit_prior, posterior
from kept.replenishment.history import Exposure, feedback, fill, intervals, read_history, reading
from kept.replenishment.population import PopulationPrior
from kept.replenishment.tests.simulation import simulate

PRIOR = PopulationPrior(0.12, shape=6, noise_days=1.2)


def actual(*events, capacity=20.0) -> float:
    history = read_history(events, capacity)
    first, second = history.fill_points[:2]
    return actual_runout_day(history, first, second)


# Actual run-out, by hand --------------------------------------------------------------------


def test_actual_run_out_at_the_rate_of_the_next_interval():
    # 16 used in 30 days: a full 20 would have lasted 20·30/16 = 37.5 days
    assert actual(fill(0, 20), fill(30, 16)) == 37.5


def test_feedback_refines_the_actual_run_out():
    # "Still had 7" before the fill: 13 used, 20·30/13 days
    assert actual(fill(0, 20), feedback(30, 7), fill(30, 16)) == pytest.approx(600 / 13)


def test_a_run_out_seen_is_extrapolated_from_the_last_level_above_zero():
    # 12 used by day 10 (1.2/day), 8 left: out on day 16.67, before it was found empty on 25
    found = actual(fill(0, 20), reading(10, 8), reading(25, 0), fill(27, 20))

    assert found == pytest.approx(10 + 8 / 1.2)


def test_a_run_out_with_nothing_seen_between_is_dated_when_found():
    assert actual(fill(0, 20), fill(30, 20)) == 30


def test_an_interval_without_use_has_no_run_out():
    assert np.isnan(actual(fill(0, 20), fill(30, 0)))


# The replay, by hand ------------------------------------------------------------------------


def test_replay_scores_each_method_from_what_was_known_then():
    # Fills on days 0, 30, 50, 90. Scored: day 30 (actual 30 + 20·20/10 = 70) and day 50
    # (actual 50 + 20·40/16 = 100). Mean interval: 30 then 25 days; last: 30 then 20.
    events = [fill(0, 20), fill(30, 15), fill(50, 10), fill(90, 16)]
    subscription = ReplaySubscription(events, capacity=20, people=2)

    report = backtest([subscription], PRIOR, risk=0.1)

    assert (report.predictions, report.subscriptions, report.run_outs_seen) == (2, 1, 0)
    mean, last = report.mean_interval, report.last_interval
    # errors 60 − 70 and 75 − 100; both delivered before the run-out, 10 and 25 days early
    assert (mean.interval_mae_days, mean.interval_bias_days) == (17.5, -17.5)
    assert (mean.anticipation, mean.cover_left_days) == (1, 17.5)
    # errors 60 − 70 and 70 − 100
    assert (last.interval_mae_days, last.cover_left_days) == (20, 20)
    # The model at day 30 knows only the first interval, at day 50 the first two
    known = [Exposure.of([intervals(events[:count], 20)]) for count in (2, 3)]
    predicted = [
        expected_runout_day(posterior(PRIOR, [2], exposure), 20, day)[0]
        for exposure, day in zip(known, (30, 50), strict=True)
    ]
    expected_mae = (abs(predicted[0] - 70) + abs(predicted[1] - 100)) / 2
    assert report.model.interval_mae_days == pytest.approx(expected_mae)


def test_a_unit_of_sale_moves_the_levels_and_the_actual_run_outs_alike():
    # A 25 kg jar in 10 kg bags (capacity 2.5, step 1): each fill leaves 2, not 2.5. Day 30:
    # 1 bag on day 50 leaves 1 before it, 1 used in 20 days, out on 30 + 2·20/1 = 70 (to the
    # brim: 2.5 → 1.5, 30 + 2.5·20 = 80). Day 50: 2 bags on day 90, within half a bag of
    # the brim: found empty then, nothing seen between, so 90 (to the brim: 0.5 left, 100)
    events = [fill(0, 2), fill(30, 1), fill(50, 1), fill(90, 2)]

    bags = replay([ReplaySubscription(events, 2.5, people=2, step=1)], PRIOR)
    brim = replay([ReplaySubscription(events, 2.5, people=2)], PRIOR)

    assert bags.level.tolist() == [2, 2] and brim.level.tolist() == [2.5, 2.5]
    assert bags.actual.tolist() == [70, 90] and brim.actual.tolist() == [80, 100]
    assert bags.run_out_seen.tolist() == [False, True]
    assert bags.subscription.tolist() == [0, 0]


def test_nothing_to_replay_is_refused():
    with pytest.raises(ValueError, match="replay"):
        backtest([ReplaySubscription([fill(0, 20), fill(30, 10)], 20, 1)], PRIOR)


# The model against the baselines on simulated households ------------------------------------


@pytest.fixture(scope="module")
def simulated():
    """2,000 households over two years (seed 2), the prior fitted on 1,000 others (seed 1).
    See tests/simulation.py: noisy weekly use, irregular reorder levels, forgetful
    customers, 1–3 days of delivery lead."""
    training = simulate(1000, seed=1)
    exposure = Exposure.of([intervals(h.events, h.capacity) for h in training])
    prior = fit_prior(exposure, np.array([h.people for h in training], dtype=float))
    households = simulate(2000, seed=2)
    return replay([ReplaySubscription(h.events, h.capacity, h.people) for h in households], prior)


def test_two_thousand_households_over_two_years_are_replayed(simulated):
    assert simulated.subscriptions == 2000
    assert simulated.actual.size > 40_000


def test_the_model_predicts_the_run_out_closer_than_both_baselines(simulated):
    report = score(simulated, risk=0.1)

    assert report.model.interval_mae_days < 0.8 * report.mean_interval.interval_mae_days
    assert report.model.interval_mae_days < 0.7 * report.last_interval.interval_mae_days


@pytest.mark.parametrize("risk", [0.05, 0.1, 0.2])
def test_the_model_meets_the_run_outs_its_risk_promises(simulated, risk):
    report = score(simulated, risk=risk)

    assert report.model.anticipation == pytest.approx(1 - risk, abs=0.03)


def test_for_no_more_waste_the_model_anticipates_more_run_outs(simulated):
    # The risk at which the model leaves as much cover as the thriftier baseline does
    baselines = score(simulated, 0.1)
    waste = min(baselines.mean_interval.cover_left_days, baselines.last_interval.cover_left_days)
    low, high = 0.01, 0.9  # cover left falls as the risk rises
    for _ in range(30):
        risk = (low + high) / 2
        low, high = (
            (risk, high) if score(simulated, risk).model.cover_left_days > waste else (low, risk)
        )

    matched = score(simulated, high)

    assert matched.model.cover_left_days <= waste
    best = max(baselines.mean_interval.anticipation, baselines.last_interval.anticipation)
    assert matched.model.anticipation > best + 0.02


# No Django in the pure core -----------------------------------------------------------------


def test_the_pure_core_imports_without_django():
    modules = ["history", "many", "population", "forecast", "plan", "backtest"]
    code = (
        "import sys\n"
        + "".join(f"import kept.replenishment.{name}\n" for name in modules)
        + "loaded = [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
        + "assert not loaded, loaded\n"
    )

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)

    assert done.returncode == 0, done.stderr
