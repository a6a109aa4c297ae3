"""Daily consumption rate of a subscription, Bayesian, and when it runs out (SPEC 2.5).

Pure numpy/scipy, no Django; every function works on arrays over many subscriptions at
once. Days and the product's units throughout; the population prior is fitted in
``population``.

**Rate.** A subscription's daily consumption ``λ`` has the prior ``Gamma(α₀, β₀)`` (shape,
rate) with ``α₀ = k`` and ``β₀ = k / m``: mean ``m = rate_per_person × people``, shape
``k`` (the prior strength, ``CV = 1/√k``).

**Noise.** Consumption is not steady: over ``d`` days a household uses ``λ·d`` units on
average with variance ``φ·λ·d``. In units of ``φ`` it is a Poisson count (the
quasi-Poisson of McCullagh & Nelder, *Generalized Linear Models*, §9.2). Kept takes
``φ = κ·λ``, so that the coefficient of variation over ``d`` days, ``√(κ/d)``, is the same
for big and small households and for kilograms or grams; ``κ`` (``noise_days``) is learned
from the population. With ``φ = 1`` everything below is the textbook Poisson–Gamma model.

**Posterior** (conjugate update, Gelman et al., *Bayesian Data Analysis*, 3rd ed., §2.6)
after ``Σu`` units used over ``Σd`` days of exposure::

    λ | data ~ Gamma(α₀ + Σu/φ, β₀ + Σd/φ)
    E[λ | data] = (k·κ·m + Σu) / (k·κ + Σd)       (with φ = κ·m)

— a credibility-weighted average in which the population counts as ``k·κ`` days of data.

**Run-out.** From a level ``L`` at day ``d₀`` the customer empties the container at
``T = d₀ + τ``, where ``τ`` given ``λ`` is the time to use ``L/φ`` Poisson units at rate
``λ/φ``, ``Gamma(L/φ, λ/φ)``; over ``λ ~ Gamma(α, β)`` this is a scaled beta prime::

    τ = φ·β·X,  X ~ BetaPrime(L/φ, α)        E[τ] = L·β / (α − 1)   (α > 1)

As ``φ → 0`` (steady use) ``τ → L/λ`` and the date at risk ``p`` (chance ``p`` of running
out before it) tends to ``d₀ + L / G⁻¹(1 − p; α, β)``, ``G`` the Gamma(α, rate β) CDF.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import betaincinv, btdtria, gammainccinv, gammaincinv

from kept.replenishment.history import Exposure
from kept.replenishment.population import (
    PopulationPrior,
    estimate_noise_days,
    fit_population,
)


def _array(name: str, values, *, positive: bool = False) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if not np.all(np.isfinite(array)) or np.any(array <= 0 if positive else array < 0):
        bound = "positive" if positive else "non-negative"
        raise ValueError(f"{name} must be finite and {bound}")
    return array


def _risk(risk: float) -> float:
    risk = float(risk)
    if not 0 < risk < 1:
        raise ValueError(f"risk must be strictly between 0 and 1, not {risk}")
    return risk


@dataclass(frozen=True)
class RateBelief:
    """``λ ~ Gamma(shape α, rate β)`` per subscription, with its noise ``φ`` in units."""

    shape: np.ndarray
    rate: np.ndarray
    dispersion: np.ndarray

    @property
    def mean(self) -> np.ndarray:
        """``E[λ] = α / β``, units per day."""
        return self.shape / self.rate

    def __len__(self) -> int:
        return int(np.size(self.shape))

    def __getitem__(self, index) -> RateBelief:
        """The beliefs of some subscriptions: ``belief[mask]``, ``belief[indices]``."""
        return RateBelief(
            *(np.broadcast_to(part, np.shape(self.shape))[index] for part in self._parts())
        )

    def _parts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return (np.asarray(self.shape), np.asarray(self.rate), np.asarray(self.dispersion))


def prior_belief(prior: PopulationPrior, people) -> RateBelief:
    """The population prior for subscriptions serving ``people``: ``α₀ = k``,
    ``β₀ = k / m``, ``φ = κ·m`` with ``m = rate_per_person × people``."""
    mean = prior.rate_per_person * _array("people", people, positive=True)
    shape = np.full_like(mean, prior.shape)
    return RateBelief(shape, shape / mean, prior.noise_days * mean)


def update(belief: RateBelief, units, days) -> RateBelief:
    """Conjugate update with ``units`` used over ``days``: ``Gamma(α + u/φ, β + d/φ)``."""
    units, days = _array("units", units), _array("days", days)
    if np.any(belief.dispersion <= 0):
        raise ValueError("updating needs a positive dispersion φ")
    return RateBelief(
        belief.shape + units / belief.dispersion,
        belief.rate + days / belief.dispersion,
        belief.dispersion,
    )


def posterior(prior: PopulationPrior, people, exposure: Exposure) -> RateBelief:
    """The rate belief of each subscription after its intervals, in two passes.

    1. ``update`` with the uncensored intervals, ``φ = κ·m``, giving ``λ̂₁``;
    2. from the prior again, with ``φ = κ·λ̂₁`` (the household's own scale of noise) and
       every interval, a run-out's days cut at ``min(Δ, u / λ̂₁)`` (``Exposure.totals``).

    A subscription without intervals keeps the prior.
    """
    start = prior_belief(prior, people)
    if len(start) != exposure.count:
        raise ValueError("people and exposure must describe the same subscriptions")
    first = update(start, *exposure.totals())
    rescaled = RateBelief(start.shape, start.rate, prior.noise_days * first.mean)
    return update(rescaled, *exposure.totals(censored_rate=first.mean))


def fit_prior(exposure: Exposure, people) -> PopulationPrior:
    """The population prior of a product from all its subscriptions' intervals.

    ``κ`` from the uncensored intervals (``estimate_noise_days``), then ``ρ`` and ``k``
    (``fit_population``) twice: first without run-outs, then with them, their days cut at
    the run-out each subscription's first-pass posterior mean implies.
    """
    noise_days = estimate_noise_days(exposure)
    first = fit_population(*exposure.totals(), people, noise_days=noise_days)
    guess = update(prior_belief(first, people), *exposure.totals()).mean
    return fit_population(*exposure.totals(censored_rate=guess), people, noise_days=noise_days)


def level_today(belief: RateBelief, level, day, today) -> np.ndarray:
    """Expected level on ``today``: ``max(0, L − E[λ]·(today − d₀))``, ``L`` at ``d₀``."""
    elapsed = np.maximum(np.asarray(today, dtype=float) - day, 0.0)
    return np.maximum(np.asarray(level, dtype=float) - belief.mean * elapsed, 0.0)


def expected_runout_day(belief: RateBelief, level, day) -> np.ndarray:
    """``d₀ + E[τ] = d₀ + L·β / (α − 1)``; ``inf`` where ``α ≤ 1`` (the mean diverges: a
    rate near 0 is too likely) unless the container is already empty (``d₀``)."""
    level = np.asarray(level, dtype=float)
    shape = np.broadcast_to(belief.shape, np.broadcast(level, belief.shape).shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        days = np.where(shape > 1, level * belief.rate / (shape - 1), np.inf)
    return np.asarray(day, dtype=float) + np.where(level > 0, days, 0.0)


def _beta_prime_ppf(probability: float, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Quantile of BetaPrime(a, b) = X/(1 − X), X ~ Beta(a, b), computed from whichever of
    ``X`` and ``1 − X ~ Beta(b, a)`` is smaller, so that neither ratio loses precision."""
    complement = betaincinv(b, a, 1 - probability)
    ratio = (1 - complement) / complement
    direct = complement > 0.5
    if np.any(direct):
        x = betaincinv(a[direct], b[direct], probability)
        ratio[direct] = x / (1 - x)
    return ratio


def runout_day_at_risk(belief: RateBelief, level, day, risk: float) -> np.ndarray:
    """The day ``t`` with ``P(T ≤ t) = p``: a chance ``risk`` of running out before it.

    ``t = d₀ + φ·β·B⁻¹(p; L/φ, α)`` with ``B`` the BetaPrime CDF (module docstring); where
    ``φ = 0``, ``t = d₀ + L / G⁻¹(1 − p; α, β)``. An empty container gives ``d₀``. A higher
    risk gives a later day.
    """
    risk = _risk(risk)
    level, shape, rate, noise, start = np.broadcast_arrays(
        np.asarray(level, dtype=float), belief.shape, belief.rate, belief.dispersion, day
    )
    days = np.zeros(level.shape)
    steady = (level > 0) & (noise == 0)
    days[steady] = level[steady] * rate[steady] / gammainccinv(shape[steady], risk)
    noisy = (level > 0) & (noise > 0)
    ratio = _beta_prime_ppf(risk, level[noisy] / noise[noisy], shape[noisy])
    days[noisy] = noise[noisy] * rate[noisy] * ratio
    return start + days


def level_band(belief: RateBelief, level, day, on_days, quantiles=(0.1, 0.5, 0.9)) -> np.ndarray:
    """Level quantiles for a chart, shape ``(subscriptions, quantiles, days)``.

    The ``q``-quantile ``x`` on day ``d₀ + s`` solves ``P(level ≤ x) = q``. The level is at
    most ``x`` when ``L − x`` units were used by then, ``P(τ(L − x) ≤ s)`` (module
    docstring), so with ``z = s / (s + φ·β)`` and ``I`` the regularised beta function::

        I_z((L − x)/φ, α) = q   →   x = L − φ·a,  a = I⁻¹ in its first argument

    clipped to ``[0, L]``. On the day at risk ``p`` the ``p``-quantile reaches 0. Where
    ``φ = 0``: ``x = max(0, L − s·G⁻¹(1 − q; α, β))``.
    """
    level, start, shape, rate, noise = (
        part[:, None, None]
        for part in np.broadcast_arrays(
            np.atleast_1d(np.asarray(level, dtype=float)), np.atleast_1d(day), *belief._parts()
        )
    )
    quantile = np.asarray(quantiles, dtype=float)[None, :, None]
    elapsed = np.atleast_1d(np.asarray(on_days, dtype=float))[None, None, :]
    elapsed = np.maximum(elapsed - start, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        steady_use = elapsed * gammaincinv(shape, 1 - quantile) / rate
        share_of_time = elapsed / (elapsed + noise * rate)
        noisy_use = noise * btdtria(quantile, shape, share_of_time)
    used = np.where(noise == 0, steady_use, noisy_use)
    used = np.where(elapsed == 0, 0.0, used)
    return np.clip(level - np.nan_to_num(used, nan=0.0), 0.0, level)
