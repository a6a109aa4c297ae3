"""Customers drawn from a BG/NBD process with known parameters (vectorised), for tests
and the benchmark."""

from __future__ import annotations

import numpy as np


def simulate_bgnbd(n: int, r: float, alpha: float, a: float, b: float, *, T, seed: int = 0):
    """(x, t_x, T) of ``n`` customers observed for ``T`` (a scalar or an array).

    λ ~ Gamma(r, rate α), p ~ Beta(a, b); repeats are Poisson(λ) while alive and the
    customer drops out right after each repeat with probability p. Given N Poisson events
    in (0, T], the x-th is at T times the x-th order statistic of N uniforms,
    Beta(x, N − x + 1)."""
    rng = np.random.default_rng(seed)
    age = np.broadcast_to(np.asarray(T, dtype=float), (n,)).copy()
    rate = rng.gamma(r, 1.0 / alpha, n)
    drop = rng.beta(a, b, n)
    events = rng.poisson(rate * age)
    lasting = rng.geometric(drop)  # repeats made before dropping out
    x = np.minimum(events, lasting)
    t_x = np.zeros(n)
    some = x > 0
    t_x[some] = age[some] * rng.beta(x[some], events[some] - x[some] + 1)
    return x, t_x, age


def simulate_mean_spend(x, p: float, q: float, gamma: float, *, seed: int = 0):
    """The mean value m of each customer's ``x`` repeat transactions under Gamma–Gamma:
    values Gamma(p, rate ν), ν ~ Gamma(q, rate γ), so x·m ~ Gamma(p·x, rate ν); 0 for
    x = 0."""
    rng = np.random.default_rng(seed)
    x = np.asarray(x)
    nu = rng.gamma(q, 1.0 / gamma, len(x))
    m = np.zeros(len(x))
    some = x > 0
    m[some] = rng.gamma(p * x[some], 1.0 / nu[some]) / x[some]
    return m
