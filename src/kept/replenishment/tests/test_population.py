"""The population prior: ratio estimator, noise and prior strength, and their defaults."""

from __future__ import annotations

import numpy as np
import pytest

from kept.replenishment.forecast import fit_prior
from kept.replenishment.history import Exposure, intervals
from kept.replenishment.population import (
    DEFAULT_NOISE_DAYS,
    DEFAULT_SHAPE,
    MAX_SHAPE,
    PopulationPrior,
    estimate_noise_days,
    fit_population,
)
from kept.replenishment.tests.simulation import RATE_PER_PERSON, simulate


def test_rate_per_person_is_the_ratio_estimator():
    # (30 + 60) units over (10·1 + 20·2) person-days = 1.8 per person per day
    prior = fit_population([30, 60], [10, 20], [1, 2])

    assert prior.rate_per_person == pytest.approx(90 / 50)


def test_scarce_data_give_the_default_shape():
    prior = fit_population([30, 60], [10, 20], [1, 2], noise_days=2)

    assert (prior.shape, prior.noise_days) == (DEFAULT_SHAPE, 2)


def test_shape_by_the_method_of_moments():
    # Ratios 0.5, 1.5 repeated (variance 0.2632 with ddof 1), 100 days each, κ = 1:
    # h = 1/100, 1/k = (0.2632 − 0.01) / 1.01
    ratios = np.array([0.5, 1.5] * 10)
    prior = fit_population(ratios * 100, np.full(20, 100.0), np.ones(20), noise_days=1)

    variance = np.var(ratios, ddof=1)
    assert prior.rate_per_person == pytest.approx(1)
    assert prior.shape == pytest.approx(1.01 / (variance - 0.01))


def test_rates_no_more_spread_than_noise_give_the_strongest_prior():
    prior = fit_population(np.full(20, 100.0), np.full(20, 100.0), np.ones(20))

    assert prior.shape == MAX_SHAPE


def test_nothing_used_cannot_be_learned():
    with pytest.raises(ValueError, match="no consumption"):
        fit_population([0, 0], [10, 10], [1, 1])


@pytest.mark.parametrize(
    ("units", "days", "people"),
    [([1], [1], [0]), ([-1], [1], [1]), ([1, 2], [1], [1]), ([np.nan], [1], [1])],
)
def test_bad_totals_are_refused(units, days, people):
    with pytest.raises(ValueError):
        fit_population(units, days, people)


def test_a_prior_needs_positive_parameters():
    with pytest.raises(ValueError, match="shape"):
        PopulationPrior(0.1, shape=0)


def test_too_few_intervals_give_the_default_noise():
    exposure = Exposure.of([intervals([], capacity=5)])

    assert estimate_noise_days(exposure) == DEFAULT_NOISE_DAYS


def test_the_prior_is_recovered_from_simulated_households():
    # 1,000 households (seed 11): ρ = 0.12, k = 6, κ = 7·(e^0.35² − 1) + 1/4 = 1.16
    households = simulate(1000, seed=11)
    exposure = Exposure.of([intervals(h.events, h.capacity) for h in households])

    prior = fit_prior(exposure, np.array([h.people for h in households], dtype=float))

    assert prior.rate_per_person == pytest.approx(RATE_PER_PERSON, rel=0.03)
    assert prior.noise_days == pytest.approx(1.16, rel=0.15)
    assert prior.shape == pytest.approx(6, rel=0.3)
