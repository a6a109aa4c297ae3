"""The rate model: hand-computed cases, simulated households, and properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kept.replenishment.forecast import (
    RateBelief,
    expected_runout_day,
    level_band,
    level_today,
    posterior,
    prior_belief,
    runout_day_at_risk,
    update,
)
from kept.replenishment.history import Exposure, feedback, fill, intervals, reading
from kept.replenishment.population import PopulationPrior
from kept.replenishment.tests.simulation import RATE_PER_PERSON, simulate

#: The simulation's own population (tests/simulation.py): κ = 7·(e^0.35² − 1) + 1/4.
SIMULATED = PopulationPrior(RATE_PER_PERSON, shape=6, noise_days=1.16)


def belief(shape, rate, dispersion=0.0) -> RateBelief:
    parts = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (shape, rate, dispersion))
    return RateBelief(*parts)


def estimate(prior: PopulationPrior, people: float, *events, capacity: float = 20) -> float:
    exposure = Exposure.of([intervals(events, capacity)])
    return float(posterior(prior, [people], exposure).mean[0])


# Hand-computed cases ------------------------------------------------------------------------


def test_the_prior_is_centred_on_the_population_rate_times_people():
    # ρ = 0.5 kg/person/day, 2 people, k = 4, κ = 1: m = 1, α₀ = 4, β₀ = 4/1, φ = κ·m = 1
    start = prior_belief(PopulationPrior(0.5, shape=4, noise_days=1), [2])

    assert (start.shape[0], start.rate[0], start.dispersion[0]) == (4, 4, 1)


def test_with_unit_dispersion_the_update_is_the_textbook_poisson_gamma():
    # Gamma(4, 4) after 30 units in 20 days: Gamma(4 + 30, 4 + 20), mean 34/24
    updated = update(belief(4, 4, 1), [30], [20])

    assert (updated.shape[0], updated.rate[0]) == (34, 24)
    assert updated.mean[0] == pytest.approx(34 / 24)


def test_dispersion_scales_what_the_data_are_worth():
    # φ = 2: the same data count half as much, Gamma(4 + 15, 4 + 10)
    updated = update(belief(4, 4, 2), [30], [20])

    assert (updated.shape[0], updated.rate[0]) == (19, 14)


def test_posterior_rescales_the_noise_to_the_households_own_rate():
    # Pass 1 as above gives λ̂₁ = 34/24 = 17/12; pass 2 from Gamma(4, 4) with φ = κ·λ̂₁:
    # α = 4 + 30·12/17 = 428/17, β = 4 + 20·12/17 = 308/17, mean 107/77
    exposure = Exposure(np.array([0]), np.array([30.0]), np.array([20.0]), np.array([False]), 1)

    found = posterior(PopulationPrior(0.5, shape=4, noise_days=1), [2], exposure)

    assert found.shape[0] == pytest.approx(428 / 17)
    assert found.rate[0] == pytest.approx(308 / 17)
    assert found.mean[0] == pytest.approx(107 / 77)
    assert found.dispersion[0] == pytest.approx(17 / 12)


def test_risk_day_with_steady_use_is_the_gamma_quantile():
    # α = 1 is exponential: G⁻¹(1 − p; 1, β) = −ln(p)/β, so t = d₀ + L·β/(−ln p)
    day = runout_day_at_risk(belief(1, 20), level=10, day=100, risk=0.1)

    assert day[0] == pytest.approx(100 + 10 * 20 / math.log(10))  # 186.8589
    assert day[0] == pytest.approx(186.858896, abs=1e-6)


def test_risk_day_with_noisy_use_is_the_beta_prime_quantile():
    # L = φ = 2, α = 3, β = 30: τ | λ ~ Exp(λ/2), so P(τ ≤ t) = 1 − (1 + t/60)^−3 (the
    # Gamma's Laplace transform); at p = 0.1, t = 60·(0.9^(−1/3) − 1)
    day = runout_day_at_risk(belief(3, 30, dispersion=2), level=2, day=0, risk=0.1)

    assert day[0] == pytest.approx(60 * (0.9 ** (-1 / 3) - 1))  # 2.1447
    assert day[0] == pytest.approx(2.144650, abs=1e-6)


def test_expected_runout_day():
    # E[τ] = L·β/(α − 1) = 10·30/2 = 150, whatever the noise; α ≤ 1 diverges; empty is now
    days = expected_runout_day(belief([3, 3, 1, 1], 30, [0, 2, 0, 0]), [10, 10, 10, 0], 7)

    assert days.tolist() == [157, 157, math.inf, 7]


def test_level_today_uses_the_expected_rate_and_stops_at_empty():
    rate = belief(5, 10)  # E[λ] = 0.5/day, 10 left on day 100

    levels = level_today(rate, level=10, day=100, today=np.array([90, 100, 110, 130]))

    assert levels.tolist() == [10, 10, 5, 0]


def test_level_band_with_steady_use():
    # α = 1, β = 20, L = 20: the 10 % level after 10 days uses λ's 90 % quantile, ln(10)/20
    band = level_band(belief(1, 20), level=20, day=0, on_days=[0, 10], quantiles=[0.1])

    assert band.shape == (1, 1, 2)
    assert band[0, 0].tolist() == pytest.approx([20, 20 - 10 * math.log(10) / 20])


def test_level_band_reaches_empty_on_the_risk_day():
    # The p-quantile of the level is 0 exactly from the day at risk p
    rate = belief(30, 60, dispersion=0.6)
    risk_day = runout_day_at_risk(rate, 20, 0, 0.1)[0]

    band = level_band(rate, 20, 0, [risk_day - 0.5, risk_day, risk_day + 0.5], quantiles=[0.1])

    assert band[0, 0, 0] > 0
    assert band[0, 0, 1] == pytest.approx(0, abs=1e-6)
    assert band[0, 0, 2] == 0


# What the data do to the estimate ------------------------------------------------------------


def test_a_new_customer_is_pulled_toward_the_prior():
    # Prior mean 0.12·2 = 0.24/day; the first interval shows 16 kg in 40 days, 0.4/day
    observed = 16 / 40
    weak = estimate(PopulationPrior(0.12, shape=2, noise_days=1), 2, fill(0, 20), fill(40, 16))
    strong = estimate(PopulationPrior(0.12, shape=50, noise_days=1), 2, fill(0, 20), fill(40, 16))

    assert 0.24 < strong < weak < observed


def test_a_reading_showing_slower_use_lowers_the_estimate():
    prior = PopulationPrior(0.12, shape=4, noise_days=1)
    history = [fill(0, 20), fill(30, 15)]  # 0.5/day

    before = estimate(prior, 2, *history)
    after = estimate(prior, 2, *history, reading(50, 14))  # 6 kg in 20 days: 0.3/day

    assert after < before


def test_feedback_at_a_visit_closes_the_loop():
    # The plan brought 15 kg on day 30 and the driver heard "still had 8": 12 used, not 15
    prior = PopulationPrior(0.12, shape=4, noise_days=1)
    inferred = estimate(prior, 2, fill(0, 20), fill(30, 15))
    told = estimate(prior, 2, fill(0, 20), feedback(30, 8), fill(30, 15))
    # A postponed visit: no fill, "still had 14" on day 50 (6 in 20 days): slower again
    postponed = estimate(prior, 2, fill(0, 20), feedback(30, 8), fill(30, 15), feedback(50, 14))

    assert told < inferred
    assert postponed < told


def test_a_run_out_raises_the_estimate_toward_its_lower_bound():
    # The first interval says 0.25/day; then the container was found empty after 40 days:
    # at 0.25/day 20 kg lasts 80 days, so at least 0.5/day was used that time
    prior = PopulationPrior(0.12, shape=4, noise_days=1)
    without = estimate(prior, 2, fill(0, 20), fill(40, 10))
    with_run_out = estimate(prior, 2, fill(0, 20), fill(40, 10), fill(80, 20))

    assert with_run_out > without


def test_no_history_keeps_the_prior():
    prior = PopulationPrior(0.12, shape=4, noise_days=1)

    found = posterior(prior, [3], Exposure.of([intervals([], capacity=20)]))

    assert found.mean[0] == pytest.approx(0.36)
    assert (found.shape[0], found.rate[0]) == pytest.approx((4, 4 / 0.36))


def test_posterior_converges_to_the_true_rate_on_simulated_households():
    # 300 simulated households (seed 7), each history cut after 1, 5 and 20 intervals
    households = [h for h in simulate(300, days=1500, seed=7) if len(h.events) > 21]
    people = np.array([h.people for h in households], dtype=float)
    truth = np.array([h.true_rate for h in households])

    def relative_error(count: int) -> np.ndarray:
        found = [intervals(h.events[: count + 1], h.capacity) for h in households]
        return np.abs(posterior(SIMULATED, people, Exposure.of(found)).mean / truth - 1)

    after_1, after_5, after_20 = (relative_error(count) for count in (1, 5, 20))
    assert len(households) > 250
    assert np.median(after_1) > np.median(after_5) > np.median(after_20)
    assert np.median(after_20) < 0.05
    assert np.quantile(after_20, 0.9) < 0.10


# Vectorised == one at a time, and validation ------------------------------------------------


def test_vectorised_results_equal_a_loop_over_subscriptions():
    rng = np.random.default_rng(3)
    count = 40
    prior = PopulationPrior(0.12, shape=5, noise_days=1.2)
    people = rng.integers(1, 6, count).astype(float)
    found = []
    for person_count in people:
        day, events = 0.0, [fill(0, 20)]
        for _ in range(rng.integers(0, 6)):  # none to five intervals, some run-outs
            gap = rng.uniform(5, 60)
            day += gap
            events.append(fill(day, min(20.0, 0.12 * person_count * gap)))
        found.append(intervals(events, capacity=20))
    level, start = rng.uniform(0, 20, count), rng.uniform(0, 30, count)

    together = posterior(prior, people, Exposure.of(found))
    vectorised = predictions(together, level, start)

    for i in range(count):
        alone = posterior(prior, people[i : i + 1], Exposure.of([found[i]]))
        assert alone.mean[0] == pytest.approx(together.mean[i])
        for one, all_of_them in zip(
            predictions(alone, level[i], start[i]), vectorised, strict=True
        ):
            assert one[0] == pytest.approx(all_of_them[i])


def predictions(rate_belief: RateBelief, level, start) -> list[np.ndarray]:
    return [
        level_today(rate_belief, level, start, 30),
        expected_runout_day(rate_belief, level, start),
        runout_day_at_risk(rate_belief, level, start, 0.1),
        level_band(rate_belief, level, start, [10, 40]),
    ]


@pytest.mark.parametrize("risk", [0, 1, -0.1, 1.5, float("nan")])
def test_a_risk_outside_zero_to_one_is_refused(risk):
    with pytest.raises(ValueError, match="risk"):
        runout_day_at_risk(belief(3, 30, 1), 10, 0, risk)


def test_people_and_exposure_must_match():
    with pytest.raises(ValueError):
        posterior(SIMULATED, [1, 2], Exposure.of([intervals([], capacity=5)]))


def test_a_hundred_thousand_subscriptions_at_once():
    rng = np.random.default_rng(0)
    count, per_subscription = 100_000, 10
    owner = np.repeat(np.arange(count), per_subscription)
    days = rng.uniform(10, 40, owner.size)
    people = rng.integers(1, 6, count).astype(float)
    units = days * 0.12 * people[owner] * rng.gamma(5, 0.2, owner.size)
    censored = rng.random(owner.size) < 0.1
    exposure = Exposure(owner, units, days, censored, count)
    level = rng.uniform(0, 20, count)

    found = posterior(SIMULATED, people, exposure)
    at_risk = runout_day_at_risk(found, level, 0, 0.1)
    expected = expected_runout_day(found, level, 0)

    assert len(found) == at_risk.size == expected.size == count
    assert np.all(found.mean > 0)
    assert np.all(np.isfinite(at_risk)) and np.all(at_risk >= 0)
    assert np.all(np.isfinite(expected)) and np.all(expected >= 0)


# Properties ---------------------------------------------------------------------------------

shapes = st.floats(1.2, 500)
rates = st.floats(1, 1000)
dispersions = st.sampled_from([0.0, 0.05, 0.5, 3.0])
levels = st.floats(0.5, 100)


@given(shapes, rates, dispersions, levels, st.floats(0.01, 0.98), st.floats(0.001, 0.01))
def test_a_higher_risk_gives_a_later_day(shape, rate, dispersion, level, risk, step):
    # p is the chance of running out *before* the day: accepting more of it, we come later
    rate_belief = belief(shape, rate, dispersion)

    earlier = runout_day_at_risk(rate_belief, level, 0, risk)[0]
    later = runout_day_at_risk(rate_belief, level, 0, risk + step)[0]

    assert later >= earlier * (1 - 1e-9)
    assert earlier > 0


@given(st.floats(0.1, 500), st.floats(1, 500), st.floats(0.1, 200), st.integers(1, 5), levels)
def test_more_consumption_over_the_same_days_raises_the_estimate(
    units, days, extra, people, fill_level
):
    exposure = Exposure(
        np.array([0, 1]),
        np.array([units, units + extra]),
        np.array([days, days]),
        np.zeros(2, bool),
        2,
    )

    found = posterior(SIMULATED, [people, people], exposure)

    assert found.mean[1] > found.mean[0]
    assert (
        runout_day_at_risk(found, fill_level, 0, 0.1)[1]
        < runout_day_at_risk(found, fill_level, 0, 0.1)[0]
    )


@given(shapes, rates, dispersions, levels)
def test_the_level_band_is_ordered_and_never_rises(shape, rate, dispersion, level):
    band = level_band(belief(shape, rate, dispersion), level, 0, np.arange(0, 120, 7))[0]

    assert np.all(band >= 0) and np.all(band <= level)
    assert np.all(np.diff(band, axis=0) >= -1e-9)  # 10 % ≤ 50 % ≤ 90 %
    assert np.all(np.diff(band, axis=1) <= 1e-9)  # each quantile only goes down
