"""The population prior of a product's consumption rate (SPEC 2.5).

Pure numpy, no Django. Learned from all subscriptions of the product; see ``forecast`` for
the model these parameters belong to.

* ``rate_per_person`` ``ρ``, the ratio estimator over subscriptions ``i``::

      ρ = Σ uᵢ / Σ (dᵢ · peopleᵢ)

* ``noise_days`` ``κ``: consumption over ``d`` days has variance ``κ·λ²·d``. Pearson's
  moment estimator over intervals ``j`` of subscriptions with at least two, each against its
  own rate ``λ̂ᵢ = Σu / Σd`` (McCullagh & Nelder §9.2; one degree of freedom per rate)::

      κ = Σⱼ (uⱼ − λ̂ᵢ dⱼ)² / (λ̂ᵢ² dⱼ) / (intervals − subscriptions)

* ``shape`` ``k``: ``λᵢ = mᵢ·zᵢ`` with ``zᵢ ~ Gamma(k, k)`` (mean 1, variance ``1/k``). The
  observed ratio ``rᵢ/mᵢ`` (``rᵢ = uᵢ/dᵢ``) adds sampling noise ``κ(1 + 1/k)/dᵢ`` on
  average, so with ``v`` the variance of the ratios and ``h`` the mean of ``1/dᵢ`` the
  method of moments gives::

      1/k = (v − κ·h) / (1 + κ·h)

Defaults when data are scarce, and bounds, are the constants below.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from kept.replenishment.history import Exposure

#: Prior strength without enough subscriptions: a household's rate within about ±50 %
#: (one coefficient of variation, ``1/√4``) of the population's per-person rate × people.
DEFAULT_SHAPE = 4.0
#: ``k ≥ 2`` keeps the prior's expected run-out and its variance finite; ``k ≤ 400`` (CV 5 %)
#: never lets the population outweigh what a household shows for long.
MIN_SHAPE, MAX_SHAPE = 2.0, 400.0
#: Subscriptions with exposure needed before ``k`` is estimated rather than defaulted.
MIN_SUBSCRIPTIONS = 10
#: Day-to-day noise without enough intervals: a month's use varies by ``√(1/30)`` ≈ ±18 %.
DEFAULT_NOISE_DAYS = 1.0
#: Bounds on ``κ``: a month's use varies by no less than ±4 % and no more than ±140 %.
MIN_NOISE_DAYS, MAX_NOISE_DAYS = 0.05, 60.0
#: Degrees of freedom (intervals beyond one per subscription) needed to estimate ``κ``.
MIN_DEGREES_OF_FREEDOM = 20


@dataclass(frozen=True)
class PopulationPrior:
    """Per-person daily rate ``ρ``, prior shape ``k`` and noise ``κ`` (days) of a product."""

    rate_per_person: float
    shape: float = DEFAULT_SHAPE
    noise_days: float = DEFAULT_NOISE_DAYS

    def __post_init__(self) -> None:
        for name in ("rate_per_person", "shape", "noise_days"):
            value = float(getattr(self, name))
            if not math.isfinite(value) or value <= 0:
                raise ValueError(f"{name} must be a positive number, not {value}")
            object.__setattr__(self, name, value)


def _totals(units, days, people) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    arrays = [np.asarray(values, dtype=float) for values in (units, days, people)]
    if len({array.shape for array in arrays}) != 1 or arrays[0].ndim != 1:
        raise ValueError("units, days and people must be 1-d arrays of one length")
    if not all(np.all(np.isfinite(array)) and np.all(array >= 0) for array in arrays):
        raise ValueError("units, days and people must be finite and non-negative")
    if np.any(arrays[2] <= 0):
        raise ValueError("every subscription serves at least some people (people > 0)")
    return arrays[0], arrays[1], arrays[2]


def estimate_noise_days(exposure: Exposure) -> float:
    """Pearson estimate of ``κ`` from uncensored intervals (module docstring), clipped to
    ``[MIN_NOISE_DAYS, MAX_NOISE_DAYS]``; ``DEFAULT_NOISE_DAYS`` with too few of them."""
    used = ~exposure.censored & (exposure.days > 0)
    owner = exposure.subscription[used]
    units, days = exposure.units[used], exposure.days[used]
    count = np.bincount(owner, minlength=exposure.count)
    total_units = np.bincount(owner, weights=units, minlength=exposure.count)
    total_days = np.bincount(owner, weights=days, minlength=exposure.count)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = total_units / total_days
    usable = (count >= 2) & (rate > 0)
    degrees = int(count[usable].sum() - usable.sum())
    if degrees < MIN_DEGREES_OF_FREEDOM:
        return DEFAULT_NOISE_DAYS
    mine = usable[owner]
    expected = rate[owner[mine]] * days[mine]
    pearson = np.sum((units[mine] - expected) ** 2 / (expected * rate[owner[mine]]))
    return float(np.clip(pearson / degrees, MIN_NOISE_DAYS, MAX_NOISE_DAYS))


def fit_population(
    units, days, people, *, noise_days: float = DEFAULT_NOISE_DAYS
) -> PopulationPrior:
    """``ρ`` by the ratio estimator and ``k`` by the method of moments (module docstring),
    from each subscription's total ``units`` used over ``days`` of exposure.

    ``k`` is clipped to ``[MIN_SHAPE, MAX_SHAPE]`` (``MAX_SHAPE`` when the ratios vary no
    more than sampling noise explains) and is ``DEFAULT_SHAPE`` with fewer than
    ``MIN_SUBSCRIPTIONS`` subscriptions with exposure. Raises ``ValueError`` when nothing
    was used at all: there is no rate to learn.
    """
    units, days, people = _totals(units, days, people)
    if units.sum() <= 0 or days.sum() <= 0:
        raise ValueError("no consumption observed: the population rate cannot be learned")
    rate_per_person = float(units.sum() / (days * people).sum())
    exposed = days > 0
    if exposed.sum() < MIN_SUBSCRIPTIONS:
        return PopulationPrior(rate_per_person, DEFAULT_SHAPE, noise_days)
    ratio = units[exposed] / days[exposed] / (rate_per_person * people[exposed])
    sampling = noise_days * float(np.mean(1 / days[exposed]))
    inverse_shape = (float(np.var(ratio, ddof=1)) - sampling) / (1 + sampling)
    if inverse_shape <= 0:  # the ratios vary no more than sampling noise explains
        return PopulationPrior(rate_per_person, MAX_SHAPE, noise_days)
    shape = float(np.clip(1 / inverse_shape, MIN_SHAPE, MAX_SHAPE))
    return PopulationPrior(rate_per_person, shape, noise_days)
