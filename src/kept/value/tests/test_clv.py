"""The CLV core against the published CDNOW estimates, hand cases and simulation."""

import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.optimize import check_grad
from scipy.special import gammaln, hyp2f1

from kept.value import clv, fitting
from kept.value.tests.simulation import simulate_bgnbd, simulate_mean_spend

CDNOW = Path(__file__).parent / "data" / "CDNOW_sample.txt"
CALIBRATION_END = date(1997, 9, 30)


@pytest.fixture(scope="module")
def cdnow() -> clv.CustomerSummary:
    rows = np.loadtxt(CDNOW, dtype=str)
    days = [f"{d[:4]}-{d[4:6]}-{d[6:]}" for d in rows[:, 2]]
    return clv.summarise_transactions(
        rows[:, 1], days, rows[:, 4].astype(float), calibration_end=CALIBRATION_END, unit="week"
    )


# The published CDNOW figures ---------------------------------------------------------------


def test_cdnow_summary_matches_the_published_counts(cdnow):
    assert len(cdnow) == 2357 and cdnow.unit == "week"
    assert (cdnow.frequency == 0).sum() == 1411 and (cdnow.frequency > 0).sum() == 946
    assert cdnow.frequency.sum() == 2457
    assert cdnow.T.max() == pytest.approx(272 / 7)


def test_bgnbd_reproduces_fader_hardie_lee_2005(cdnow):
    model = clv.fit_bgnbd(cdnow.frequency, cdnow.recency, cdnow.T, unit=cdnow.unit)

    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    for name, value in published.items():
        assert model.params[name] == pytest.approx(value, abs=0.005), name
    assert model.log_likelihood == pytest.approx(-9582.43, abs=0.05)
    assert model.customers == 2357 and model.unit == "week"
    # FHL 2005, section 4: x = 2, t_x = 30.43, T = 38.86 expects 1.226 purchases in 39 weeks
    assert model.expected_purchases(39, 2, 30.43, 38.86) == pytest.approx(1.226, abs=0.0005)


def test_pareto_nbd_reproduces_the_published_estimates(cdnow):
    model = clv.fit_pareto_nbd(cdnow.frequency, cdnow.recency, cdnow.T, unit=cdnow.unit)

    published = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
    for name, value in published.items():
        assert model.params[name] == pytest.approx(value, abs=0.01), name
    assert model.log_likelihood == pytest.approx(-9594.98, abs=0.05)


def test_gamma_gamma_reproduces_the_published_estimates_on_the_946_repeat_buyers(cdnow):
    model = clv.fit_gamma_gamma(cdnow.frequency, cdnow.monetary)

    for name, value in {"p": 6.25, "q": 3.74, "gamma": 15.44}.items():
        assert model.params[name] == pytest.approx(value, abs=0.02), name
    assert model.log_likelihood == pytest.approx(-4055.92, abs=0.05)
    assert model.customers == 946


# Edge cases and hand checks ----------------------------------------------------------------

BGNBD_CDNOW = clv.BGNBD(0.243, 4.414, 0.793, 2.426, 0.0, 0, "week")
PARETO_CDNOW = clv.ParetoNBD(0.553, 10.578, 0.606, 11.669, 0.0, 0, "week")
SPEND_CDNOW = clv.GammaGamma(6.25, 3.74, 15.44, 0.0, 0)


def test_bgnbd_a_customer_without_a_repeat_is_alive():
    assert BGNBD_CDNOW.p_alive([0, 0], [0, 0], [1.0, 38.0]).tolist() == [1.0, 1.0]
    assert 0 < BGNBD_CDNOW.p_alive(3, 10.0, 38.0) < 1


def test_pareto_nbd_stays_finite_for_a_heavy_buyer_at_the_end_of_the_window():
    x, t_x, T = np.array([200.0, 200.0, 200.0]), np.array([39.0, 38.0, 1.0]), np.full(3, 39.0)

    log_likelihood = clv._pareto_log_likelihood(PARETO_CDNOW.params, x, t_x, T)
    alive = PARETO_CDNOW.p_alive(x, t_x, T)

    assert np.all(np.isfinite(log_likelihood)) and np.all(np.isfinite(alive))
    assert alive[0] == 1.0 and 0 < alive[1] < 1 and alive[2] < 1e-100
    assert np.isfinite(PARETO_CDNOW.expected_purchases(10, x, t_x, T)).all()


@pytest.mark.parametrize("alpha, beta", [(10.578, 11.669), (12.0, 3.0), (2.0, 30.0)])
@pytest.mark.parametrize("x, t_x, T", [(0, 0.0, 30.0), (3, 12.5, 30.0), (40, 29.0, 30.0)])
def test_pareto_nbd_likelihood_equals_its_integral_form(alpha, beta, x, t_x, T):
    # L = A1 · [(α+T)^-(r+x) (β+T)^-s + s ∫_{t_x}^T (α+τ)^-(r+x) (β+τ)^-(s+1) dτ]
    r, s = 0.553, 0.606
    params = {"r": r, "alpha": alpha, "s": s, "beta": beta}
    a1 = np.exp(gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta))
    alive = (alpha + T) ** -(r + x) * (beta + T) ** -s
    dead = s * quad(lambda u: (alpha + u) ** -(r + x) * (beta + u) ** -(s + 1), t_x, T)[0]

    got = clv._pareto_log_likelihood(params, np.array([x]), np.array([t_x]), np.array([T]))

    assert got[0] == pytest.approx(np.log(a1 * (alive + dead)), rel=1e-10)


def test_bgnbd_expected_purchases_equal_the_untransformed_formula():
    r, alpha, a, b = 0.243, 4.414, 0.793, 2.426
    x, t_x, T, t = np.array([0, 1, 5, 20]), np.array([0, 5.0, 20.0, 30.0]), 38.0, 26.0
    z = t / (alpha + T + t)
    bracket = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(
        r + x, b + x, a + b + x - 1, z
    )
    growth = ((alpha + T) / (alpha + t_x)) ** (r + x)
    odds = np.where(x > 0, a / (b + np.maximum(x, 1) - 1) * growth, 0)
    direct = (a + b + x - 1) / (a - 1) * bracket / (1 + odds)

    assert BGNBD_CDNOW.expected_purchases(t, x, t_x, T) == pytest.approx(direct, rel=1e-10)


def test_pareto_nbd_expected_purchases_are_continuous_at_s_one():
    near = [clv.ParetoNBD(0.5, 10.0, s, 12.0, 0.0, 0, "week") for s in (1 - 1e-7, 1.0, 1 + 1e-7)]
    values = [model.expected_purchases(39, 3, 20.0, 38.0) for model in near]
    assert values[0] == pytest.approx(values[1], rel=1e-6) == pytest.approx(values[2], rel=1e-6)


def test_the_analytic_gradients_match_finite_differences(cdnow):
    x, t_x, T, w = clv._customers(cdnow.frequency, cdnow.recency, cdnow.T, None)
    bgnbd = clv._BGNBDLikelihood(x, t_x, T, w)
    theta = np.log([0.3, 5.0, 0.7, 2.0])
    error = check_grad(lambda th: bgnbd(th)[0], lambda th: bgnbd(th)[1], theta)
    assert error < 1e-6
    repeat = cdnow.frequency > 0
    spend = clv._GammaGammaLikelihood(
        cdnow.frequency[repeat].astype(float), cdnow.monetary[repeat], np.ones(946)
    )
    theta = np.log([5.0, 3.0, 12.0])
    assert check_grad(lambda th: spend(th)[0], lambda th: spend(th)[1], theta) < 1e-6


def test_weights_give_the_fit_of_the_repeated_rows():
    x, t_x, T = simulate_bgnbd(3000, 0.5, 6.0, 0.8, 2.5, T=30.0, seed=3)
    rows, counts = np.unique(np.column_stack([x, np.ceil(t_x), T]), axis=0, return_counts=True)

    weighted = clv.fit_bgnbd(*rows.T, weights=counts)
    plain = clv.fit_bgnbd(*np.repeat(rows, counts, axis=0).T)

    assert len(rows) < 500 and weighted.customers == plain.customers == 3000
    assert weighted.log_likelihood == pytest.approx(plain.log_likelihood, abs=1e-6)
    for name in plain.params:
        assert weighted.params[name] == pytest.approx(plain.params[name], rel=1e-4)


def test_expected_spend_shrinks_towards_the_population_mean():
    population = 6.25 * 15.44 / (3.74 - 1)
    assert SPEND_CDNOW.expected_spend(0, 0.0) == pytest.approx(population)
    # (pγ + p·x·m) / (px + q − 1) by hand for x = 2, m = 50
    assert SPEND_CDNOW.expected_spend(2, 50.0) == pytest.approx((96.5 + 625) / 15.24)


def test_clv_without_discount_is_spend_times_expected_purchases():
    x, t_x, T, m = np.array([0, 2, 7]), np.array([0, 30.43, 35.0]), 38.86, np.array([0, 40, 25.0])
    spend = SPEND_CDNOW.expected_spend(x, m)

    flat = clv.clv(BGNBD_CDNOW, SPEND_CDNOW, x, t_x, T, m, horizon=52, discount_rate_per_unit=0)
    weekly = 1.1 ** (1 / 52) - 1
    discounted = clv.clv(
        BGNBD_CDNOW, SPEND_CDNOW, x, t_x, T, m, horizon=52, discount_rate_per_unit=weekly
    )

    assert flat == pytest.approx(spend * BGNBD_CDNOW.expected_purchases(52, x, t_x, T))
    assert np.all(discounted < flat) and np.all(discounted > flat / 1.1)
    with pytest.raises(ValueError, match="whole units"):
        clv.clv(BGNBD_CDNOW, SPEND_CDNOW, x, t_x, T, m, horizon=2.5, discount_rate_per_unit=0)


def test_fits_refuse_impossible_customers():
    with pytest.raises(ValueError, match="recency"):
        clv.fit_bgnbd([1, 2], [5.0, 12.0], [10.0, 10.0])
    with pytest.raises(ValueError, match="finite"):
        clv.fit_bgnbd([1, 2], [5.0, 2.0], [10.0, np.nan])
    with pytest.raises(ValueError, match="unit"):
        clv.fit_bgnbd([1], [5.0], [10.0], unit="fortnight")
    with pytest.raises(ValueError, match="positive"):
        clv.fit_gamma_gamma([1, 2], [0.0, 10.0])


@settings(max_examples=60, deadline=None)
@given(
    x=st.integers(0, 300),
    share=st.floats(0, 1),
    T=st.floats(0.1, 200),
    t=st.floats(0.1, 100),
)
def test_predictions_are_probabilities_and_grow_with_time(x, share, T, t):
    t_x = share * T if x else 0.0
    for model in (BGNBD_CDNOW, PARETO_CDNOW):
        alive = model.p_alive(x, t_x, T)
        sooner, later = model.expected_purchases([t, 2 * t], x, t_x, T)
        assert 0 <= alive <= 1
        assert np.isfinite(later) and 0 <= sooner <= later


# Transactions to summary -------------------------------------------------------------------


def test_summary_merges_same_day_purchases_and_stops_at_the_calibration_end():
    customer = ["b", "a", "a", "a", "a", "b", "c"]
    when = ["2024-01-03", "2024-01-01", "2024-01-01", "2024-01-08", "2024-01-29"] + [
        "2024-01-03",
        "2024-02-01",
    ]
    value = [5.0, 10.0, 2.0, 30.0, 99.0, 7.0, 1.0]

    weeks = clv.summarise_transactions(
        customer, when, value, calibration_end=date(2024, 1, 15), unit="week"
    )
    days = clv.summarise_transactions(customer, when, calibration_end=date(2024, 1, 15), unit="day")

    assert weeks.customer.tolist() == ["a", "b"]  # c first bought after the end
    assert weeks.frequency.tolist() == [1, 0]  # a: Jan 1 (twice) and Jan 8; b: one day
    assert weeks.recency.tolist() == [1.0, 0.0]
    assert weeks.T.tolist() == pytest.approx([2.0, 12 / 7])
    assert weeks.monetary.tolist() == [30.0, 0.0]
    assert days.recency.tolist() == [7.0, 0.0] and days.T.tolist() == [14.0, 12.0]
    assert days.unit == "day" and days.monetary.tolist() == [0.0, 0.0]


# Simulation --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def simulated():
    """200,000 customers from known BG/NBD and Gamma–Gamma parameters: above the size
    where the fits warm-start on a subsample."""
    truth = {"r": 0.5, "alpha": 6.0, "a": 0.8, "b": 2.5}, {"p": 6.0, "q": 4.0, "gamma": 15.0}
    rng = np.random.default_rng(7)
    x, t_x, T = simulate_bgnbd(200_000, **truth[0], T=rng.uniform(5, 52, 200_000), seed=11)
    return truth, (x, t_x, T, simulate_mean_spend(x, **truth[1], seed=5))


def test_bgnbd_and_gamma_gamma_recover_the_parameters_they_simulated_from(simulated):
    (bgnbd, spend), (x, t_x, T, m) = simulated

    model = clv.fit_bgnbd(x, t_x, T)
    spend_model = clv.fit_gamma_gamma(x, m)

    assert (x > 0).sum() > fitting.WARM_START_ROWS  # both took the subsample path
    for name, value in bgnbd.items():
        assert model.params[name] == pytest.approx(value, rel=0.08), name
    for name, value in spend.items():
        assert spend_model.params[name] == pytest.approx(value, rel=0.08), name


def test_the_subsample_warm_start_lands_on_the_plain_maximum(simulated, monkeypatch):
    _truth, (x, t_x, T, m) = simulated
    fast = clv.fit_bgnbd(x, t_x, T), clv.fit_gamma_gamma(x, m)

    monkeypatch.setattr(fitting, "WARM_START_ROWS", 10**9)
    plain = clv.fit_bgnbd(x, t_x, T), clv.fit_gamma_gamma(x, m)

    for quick, slow in zip(fast, plain, strict=True):
        assert quick.log_likelihood == pytest.approx(slow.log_likelihood, abs=1e-6)
        assert quick.params == pytest.approx(slow.params, rel=1e-5)


def test_the_pure_core_imports_without_django():
    code = (
        "import sys\n"
        "import kept.value.clv, kept.value.summary, kept.value.transactions\n"
        "loaded = [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
        "assert not loaded, loaded\n"
    )

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)

    assert done.returncode == 0, done.stderr


def test_expected_purchases_stay_finite_when_the_dropout_beta_is_very_concentrated():
    # a fit on a history where nobody leaves drives a and b up together (seen on a small
    # demo: a = 2e6, b = 4.7e8), where ₂F₁ overflows; the numerical integral takes over
    x, t_x, T = np.array([0, 1, 5, 30.0]), np.array([0, 5, 20, 35.0]), np.full(4, 38.0)
    huge = clv.BGNBD(r=0.56, alpha=3.45, a=2e6, b=4.7e8, log_likelihood=0, customers=4, unit="week")
    near = clv.BGNBD(r=0.56, alpha=3.45, a=2e3, b=4.7e5, log_likelihood=0, customers=4, unit="week")

    expected = huge.expected_purchases(52, x, t_x, T)
    closed_form = near.expected_purchases(52, x, t_x, T)  # ₂F₁ still evaluates here
    integrated = near._expected_while_alive(np.full(4, 52.0), x, T) * near.p_alive(x, t_x, T)

    assert np.isfinite(expected).all() and (expected > 0).all()
    assert integrated == pytest.approx(closed_form, rel=1e-9)
    # the Beta is a spike at p = a/(a+b+x): E = (1 − ((α+T)/(α+T+p·t))^(r+x)) / p · P(alive)
    p = 2e6 / (2e6 + 4.7e8 + x)
    spike = -np.expm1((0.56 + x) * np.log((3.45 + T) / (3.45 + T + p * 52))) / p
    assert expected == pytest.approx(spike * huge.p_alive(x, t_x, T), rel=1e-4)
