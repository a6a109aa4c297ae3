"""Customer lifetime value: BG/NBD, Pareto/NBD and Gamma–Gamma (SPEC 2.7).

Pure numpy/scipy, no Django. Every function works on arrays of customers at once, each
described by the summary of ``kept.value.summary``: ``x`` repeat transactions, the last
at ``t_x``, observed for ``T`` since the first purchase. **Times are in the model's
``unit``** (``"week"`` for CDNOW): rates, horizons and discount rates all count in it.

**Transactions** while alive are Poisson with rate λ ~ Gamma(r, α) across customers.

**Dropout.** *BG/NBD* (Fader, Hardie & Lee 2005, "Counting your customers the easy way",
*Marketing Science* 24(2)): after each transaction the customer leaves with probability
p ~ Beta(a, b). *Pareto/NBD* (Schmittlein, Morrison & Colombo 1987): a lifetime
exponential with rate μ ~ Gamma(s, β).

**Spend.** *Gamma–Gamma* (Fader, Hardie & Lee 2005, "RFM and CLV", *JMR* 42(4); Fader &
Hardie, "The Gamma-Gamma model of monetary value", 2013): transaction values are
Gamma(p, ν), ν ~ Gamma(q, γ), independent of the transaction process; it is fitted on
the mean repeat spend ``m`` of the ``x > 0`` customers.

All three are fitted by maximum likelihood on log-parameters (L-BFGS-B with the analytic
gradient for BG/NBD and Gamma–Gamma; Nelder–Mead for Pareto/NBD), with optional
``weights`` (a count per row, so identical rows can be aggregated). The Pareto/NBD pieces
and the BG/NBD predictions go through Euler's transformation of ₂F₁ so that they stay
finite for heavy buyers (see ``_pareto_parts``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import digamma, expit, gammaln, hyp2f1

from kept.value.fitting import maximise
from kept.value.summary import (  # noqa: F401 (one import for the whole CLV API)
    UNIT_DAYS,
    CustomerSummary,
    summarise_transactions,
    unit_days,
)


def _columns(*columns) -> tuple[np.ndarray, ...]:
    arrays = np.broadcast_arrays(*(np.asarray(c, dtype=float) for c in columns))
    return tuple(np.asarray(a) for a in arrays)


def _customers(frequency, recency, T, weights) -> tuple[np.ndarray, ...]:
    x, t_x, age = _columns(frequency, recency, T)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    if not x.ndim == 1 or not len(x) == len(t_x) == len(age) == len(w) or not len(x):
        raise ValueError("frequency, recency, T and weights must be 1-d of one non-zero length")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(t_x)) and np.all(np.isfinite(age))):
        raise ValueError("frequency, recency and T must be finite numbers")
    if np.any(x < 0) or np.any(x != np.round(x)):
        raise ValueError("frequency must count repeat transactions (0, 1, 2 …)")
    if np.any(t_x < 0) or np.any(t_x > age) or np.any((x == 0) & (t_x != 0)):
        raise ValueError("need 0 ≤ recency ≤ T, and recency 0 without a repeat")
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise ValueError("weights must be finite and non-negative")
    return x, t_x, age, w


def _by_frequency(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct frequencies and their total weights: terms in x alone are summed once
    per distinct x instead of once per customer."""
    counts = np.bincount(x.astype(np.int64), weights=w)
    values = np.flatnonzero(counts)
    return values.astype(float), counts[values]


# BG/NBD -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BGNBD:
    """A fitted BG/NBD model; ``unit`` is the time unit of ``alpha`` and of every time."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    customers: float
    unit: str

    @property
    def params(self) -> dict[str, float]:
        return {"r": self.r, "alpha": self.alpha, "a": self.a, "b": self.b}

    def _dead_log_odds(self, x, t_x, T) -> np.ndarray:
        """ln[a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)], the log odds of having dropped out."""
        safe = np.maximum(x, 1)
        growth = np.log(self.alpha + T) - np.log(self.alpha + t_x)
        return np.log(self.a) - np.log(self.b + safe - 1) + (self.r + x) * growth

    def p_alive(self, x, t_x, T) -> np.ndarray:
        """P(alive | x, t_x, T) = 1 / (1 + δ(x>0) · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x))
        (FHL 2005, eq. 11): a customer without a repeat has never had the chance to drop."""
        x, t_x, T = _columns(x, t_x, T)
        return np.where(x > 0, expit(-self._dead_log_odds(x, t_x, T)), 1.0)

    def expected_purchases(self, t, x, t_x, T) -> np.ndarray:
        """E[Y(t) | x, t_x, T], the transactions expected in the next ``t`` units (FHL 2005,
        eq. 10)::

            (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; z)] · P(alive)

        with z = t/(α+T+t). Euler's transformation turns the bracket into
        1 − (1−z)^(a−1) ₂F₁(a+b−1−r, a−1; a+b+x−1; z), which stays finite for any x.
        Undefined at exactly a = 1. Where ₂F₁ cannot be evaluated (very large a and b: a
        fit whose dropout probability is nearly the same for everyone), the expectation is
        integrated numerically instead (``_expected_while_alive``)."""
        t, x, t_x, T = _columns(t, x, t_x, T)
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        z = t / (alpha + T + t)
        with np.errstate(all="ignore"):
            tail = (1 - z) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
            alive = (a + b + x - 1) / (a - 1) * (1 - tail)
        bad = ~np.isfinite(alive)
        if bad.any():
            alive[bad] = self._expected_while_alive(t[bad], x[bad], T[bad])
        return alive * self.p_alive(x, t_x, T)

    def _expected_while_alive(self, t, x, T, nodes: int = 96) -> np.ndarray:
        """E[Y(t) | alive at T] = E_p[(1 − ((α+T)/(α+T+p·t))^(r+x)) / p], p ~ Beta(a, b+x):
        a live customer buys at rate λ ~ Gamma(r+x, α+T) and leaves after each purchase with
        probability p, so E[Y(t) | λ, p] = (1 − e^(−λpt)) / p; λ integrates in closed form
        and p by Gauss–Legendre over ±12 standard deviations of its Beta posterior (meant
        for the concentrated Betas where ₂F₁ fails)."""
        r, alpha, a = self.r, self.alpha, self.a
        shape_b = self.b + x
        total = a + shape_b
        mean = a / total
        spread = 12 * np.sqrt(a * shape_b / (total**2 * (total + 1)))
        low = np.clip(mean - spread, 1e-300, 1.0)
        high = np.clip(mean + spread, 0.0, 1.0 - 1e-16)
        roots, weights = np.polynomial.legendre.leggauss(nodes)
        p = low[:, None] + (high - low)[:, None] * (roots + 1) / 2
        log_density = (a - 1) * np.log(p) + (shape_b[:, None] - 1) * np.log1p(-p)
        mass = weights * np.exp(log_density - log_density.max(axis=1, keepdims=True))
        mass /= mass.sum(axis=1, keepdims=True)
        age = (alpha + T)[:, None]
        bought = -np.expm1((r + x)[:, None] * (np.log(age) - np.log(age + p * t[:, None]))) / p
        return (mass * bought).sum(axis=1)


class _BGNBDLikelihood:
    """−LL per unit weight of BG/NBD and its gradient in log-parameters (FHL 2005, eq. 6)::

        ln L = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
               − (r+x) ln(α+T) + ln(1 + δ(x>0) · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x))

    Repeat buyers come first so that their slice of ln(α+T) is a view."""

    def __init__(self, x, t_x, T, w):
        repeat = x > 0
        self.n_repeat = int(repeat.sum())
        order = np.concatenate([np.flatnonzero(repeat), np.flatnonzero(~repeat)])
        self.T, self.w = T[order], w[order]
        self.wx = w[order] * x[order]
        self.x_r, self.t_x_r = x[repeat], t_x[repeat]
        self.w_r = self.w[: self.n_repeat]
        self.x_values, self.x_weight = _by_frequency(x, w)
        self.total = float(w.sum())

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        r, alpha, a, b = np.exp(theta)
        xs, ws, total = self.x_values, self.x_weight, self.total
        log_age = np.log(alpha + self.T)
        inv_age = 1.0 / (alpha + self.T)
        head = log_age[: self.n_repeat]
        gap = head - np.log(alpha + self.t_x_r)
        rx = r + self.x_r
        z = np.log(a) - np.log(b + self.x_r - 1) + rx * gap
        wp = self.w_r * expit(z)
        ll = (
            ws @ (gammaln(r + xs) + gammaln(b + xs) - gammaln(a + b + xs))
            + total * (-gammaln(r) + r * np.log(alpha) - gammaln(b) + gammaln(a + b))
            - r * (self.w @ log_age)
            - self.wx @ log_age
            + self.w_r @ np.logaddexp(0.0, z)
        )
        slope = inv_age[: self.n_repeat] - 1.0 / (alpha + self.t_x_r)
        d_r = ws @ digamma(r + xs) + total * (np.log(alpha) - digamma(r)) - self.w @ log_age
        d_r += wp @ gap
        d_alpha = total * r / alpha - r * (self.w @ inv_age) - self.wx @ inv_age + wp @ (rx * slope)
        d_ab = total * digamma(a + b) - ws @ digamma(a + b + xs)
        d_a = d_ab + wp.sum() / a
        d_b = d_ab + ws @ digamma(b + xs) - total * digamma(b) - wp @ (1.0 / (b + self.x_r - 1))
        gradient = np.array([d_r, d_alpha, d_a, d_b]) * np.array([r, alpha, a, b])
        return -ll / total, -gradient / total


def fit_bgnbd(frequency, recency, T, *, weights=None, unit: str = "week") -> BGNBD:
    """Fit BG/NBD by maximum likelihood. ``frequency`` = repeat transactions x, ``recency``
    = t_x and ``T`` in ``unit``; ``weights`` counts customers per row (default 1)."""
    unit_days(unit)
    x, t_x, age, w = _customers(frequency, recency, T, weights)
    rate = max(float(w @ x) / float(w @ age), 1e-6) if float(w @ age) > 0 else 1.0
    start = np.log([1.0, 1.0 / rate, 1.0, 1.0])
    theta, log_likelihood, total = maximise(_BGNBDLikelihood, (x, t_x, age, w), start)
    r, alpha, a, b = np.exp(theta).tolist()
    return BGNBD(
        r=r,
        alpha=alpha,
        a=a,
        b=b,
        log_likelihood=float(log_likelihood),
        customers=total,
        unit=unit,
    )


# Pareto/NBD -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParetoNBD:
    """A fitted Pareto/NBD model; ``unit`` is the time unit of ``alpha``, ``beta`` and times."""

    r: float
    alpha: float
    s: float
    beta: float
    log_likelihood: float
    customers: float
    unit: str

    @property
    def params(self) -> dict[str, float]:
        return {"r": self.r, "alpha": self.alpha, "s": self.s, "beta": self.beta}

    def p_alive(self, x, t_x, T) -> np.ndarray:
        """P(alive | x, t_x, T) = 1 / (1 + s/(r+s+x) · (α+T)^(r+x) (β+T)^s · A₀) (Fader &
        Hardie 2005, "A note on deriving the Pareto/NBD model", eq. 18), in log space."""
        x, t_x, T = _columns(x, t_x, T)
        _, log_survive, log_dead = _pareto_parts(self.params, x, t_x, T)
        return expit(log_survive - log_dead)

    def expected_purchases(self, t, x, t_x, T) -> np.ndarray:
        """E[Y(t) | x, t_x, T] = (r+x)(β+T) / ((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^(s−1)]
        · P(alive) (Fader & Hardie 2005 note, eq. 22; the limit (β+T) ln(1 + t/(β+T)) at
        s = 1)."""
        t, x, t_x, T = _columns(t, x, t_x, T)
        r, alpha, s, beta = self.r, self.alpha, self.s, self.beta
        growth = np.log1p(t / (beta + T))
        bend = growth if abs(s - 1) < 1e-12 else -np.expm1(-(s - 1) * growth) / (s - 1)
        return (r + x) * (beta + T) / (alpha + T) * bend * self.p_alive(x, t_x, T)


def _pareto_parts(params, x, t_x, T) -> tuple[np.ndarray, ...]:
    """The Pareto/NBD likelihood L = A₁ · (e^S + e^D) in logs (Fader & Hardie 2005 note,
    eq. 22, and "A note on implementing the Pareto/NBD model in MATLAB", 2005):

        ln A₁ = ln Γ(r+x) − ln Γ(r) + r ln α + s ln β
        S = −(r+x) ln(α+T) − s ln(β+T)                      (alive at T)
        D = ln(s/(r+s+x)) + ln A₀                           (died in (t_x, T])
        A₀ = F(t_x) − F(T),  F(y) = ₂F₁(r+s+x, s+1; r+s+x+1; (α−β)/(α+y)) / (α+y)^(r+s+x)

    for α ≥ β (for α < β swap α↔β and use ₂F₁(r+s+x, r+x; …)). Those ₂F₁ grow like
    (1−z)^(−s) or (1−z)^(1−r−x) and overflow for heavy buyers; Euler's transformation
    ₂F₁(a, b; c; z) = (1−z)^(c−a−b) ₂F₁(c−a, c−b; c; z) leaves ₂F₁(1, ·; ·; z) ∈ [1, 1/(1−z)]:

        ln F(y) = −(r+x) ln(α+y) − s ln(β+y) + ln H(y)
        H(y) = ₂F₁(1, r+x; r+s+x+1; (α−β)/(α+y))                     if α ≥ β
        H(y) = (α+y)/(β+y) · ₂F₁(1, s+1; r+s+x+1; (β−α)/(β+y))        if α < β

    and ln A₀ = ln F(t_x) + ln(1 − e^(ln F(T) − ln F(t_x))), −∞ when t_x = T."""
    r, alpha, s, beta = params["r"], params["alpha"], params["s"], params["beta"]
    rsx = r + s + x

    def log_f(y):
        if alpha >= beta:
            h = np.log(hyp2f1(1.0, r + x, rsx + 1, (alpha - beta) / (alpha + y)))
        else:
            h = np.log((alpha + y) / (beta + y))
            h += np.log(hyp2f1(1.0, s + 1, rsx + 1, (beta - alpha) / (beta + y)))
        return -(r + x) * np.log(alpha + y) - s * np.log(beta + y) + h

    log_a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    log_survive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    at_last = log_f(t_x)
    with np.errstate(divide="ignore"):
        log_a0 = at_last + np.log(-np.expm1(np.minimum(log_f(T) - at_last, 0.0)))
    return log_a1, log_survive, np.log(s / rsx) + log_a0


def _pareto_log_likelihood(params, x, t_x, T) -> np.ndarray:
    log_a1, log_survive, log_dead = _pareto_parts(params, x, t_x, T)
    return log_a1 + np.logaddexp(log_survive, log_dead)


def fit_pareto_nbd(frequency, recency, T, *, weights=None, unit: str = "week") -> ParetoNBD:
    """Fit Pareto/NBD by maximum likelihood (Nelder–Mead on log-parameters, then a gradient
    polish); arguments as ``fit_bgnbd``. Costs a few thousand ₂F₁ per row: aggregate
    identical rows with ``weights`` for large bases."""
    unit_days(unit)
    x, t_x, age, w = _customers(frequency, recency, T, weights)
    total = float(w.sum())

    def objective(theta):
        params = dict(zip(("r", "alpha", "s", "beta"), np.exp(theta), strict=True))
        value = -(w @ _pareto_log_likelihood(params, x, t_x, age)) / total
        return value if np.isfinite(value) else np.inf

    scale = max(float(w @ age) / total, 1e-6)
    start = np.log([1.0, scale, 1.0, scale])
    options = {"xatol": 1e-9, "fatol": 1e-13, "maxiter": 8000, "maxfev": 8000}
    theta = minimize(objective, start, method="Nelder-Mead", options=options).x
    theta = minimize(objective, theta, method="Nelder-Mead", options=options).x  # restart
    r, alpha, s, beta = np.exp(theta).tolist()
    return ParetoNBD(
        r=r,
        alpha=alpha,
        s=s,
        beta=beta,
        log_likelihood=float(-objective(theta) * total),
        customers=total,
        unit=unit,
    )


# Gamma–Gamma ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GammaGamma:
    """A fitted Gamma–Gamma spend model (money per transaction; no time unit)."""

    p: float
    q: float
    gamma: float
    log_likelihood: float
    customers: float

    @property
    def params(self) -> dict[str, float]:
        return {"p": self.p, "q": self.q, "gamma": self.gamma}

    def expected_spend(self, x, m) -> np.ndarray:
        """E[M | x, m] = (pγ + p·x·m) / (p·x + q − 1): a credibility-weighted mean of the
        population mean pγ/(q−1) and the customer's mean spend m over x repeats (FHL 2005,
        JMR, eq. 5); x = 0 gives the population mean (needs q > 1)."""
        x, m = _columns(x, m)
        p, q, gamma = self.p, self.q, self.gamma
        return (p * gamma + p * x * m) / (p * x + q - 1)


class _GammaGammaLikelihood:
    """−LL per unit weight of Gamma–Gamma and its log-parameter gradient (Fader & Hardie
    2013, eq. 4), the density of the mean m of x transaction values::

        ln f = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln m + px ln x
               − (px+q) ln(γ + m·x)"""

    def __init__(self, x, m, w):
        self.x_values, self.x_weight = _by_frequency(x, w)
        self.total = float(w.sum())
        self.w, self.wx, self.mx = w, w * x, m * x
        self.sum_log_m, self.sum_x_log_m = w @ np.log(m), self.wx @ np.log(m)
        self.sum_x_log_x = self.x_weight @ (self.x_values * np.log(self.x_values))

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        p, q, gamma = np.exp(theta)
        xs, ws, total = self.x_values, self.x_weight, self.total
        log_scale = np.log(gamma + self.mx)
        inv_scale = 1.0 / (gamma + self.mx)
        w_log, wx_log = self.w @ log_scale, self.wx @ log_scale
        ll = (
            ws @ (gammaln(p * xs + q) - gammaln(p * xs))
            + total * (q * np.log(gamma) - gammaln(q))
            + p * (self.sum_x_log_m + self.sum_x_log_x)
            - self.sum_log_m
            - p * wx_log
            - q * w_log
        )
        shared = digamma(p * xs + q)
        d_p = (ws * xs) @ (shared - digamma(p * xs)) + self.sum_x_log_m + self.sum_x_log_x
        d_p -= wx_log
        d_q = ws @ shared + total * (np.log(gamma) - digamma(q)) - w_log
        d_gamma = total * q / gamma - p * (self.wx @ inv_scale) - q * (self.w @ inv_scale)
        gradient = np.array([d_p, d_q, d_gamma]) * np.array([p, q, gamma])
        return -ll / total, -gradient / total


def fit_gamma_gamma(frequency, monetary, *, weights=None) -> GammaGamma:
    """Fit Gamma–Gamma by maximum likelihood on the repeat buyers: rows with
    ``frequency`` 0 are left out (their ``monetary`` is not a repeat mean); the others
    need ``monetary`` > 0."""
    x, m = _columns(frequency, monetary)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    if not x.ndim == 1 or not len(x) == len(w):
        raise ValueError("frequency, monetary and weights must be 1-d of one length")
    repeat = x > 0
    x, m, w = x[repeat], m[repeat], w[repeat]
    if not len(x):
        raise ValueError("Gamma–Gamma needs customers with at least one repeat transaction")
    if np.any(m <= 0) or not np.all(np.isfinite(m)):
        raise ValueError("monetary must be positive for customers with a repeat transaction")
    mean = float(w @ m) / float(w.sum())
    theta, log_likelihood, total = maximise(
        _GammaGammaLikelihood, (x, m, w), np.log([1.0, 2.0, mean])
    )
    p, q, gamma = np.exp(theta).tolist()
    return GammaGamma(p=p, q=q, gamma=gamma, log_likelihood=float(log_likelihood), customers=total)


# CLV --------------------------------------------------------------------------------------


def clv(
    model: BGNBD | ParetoNBD,
    spend_model: GammaGamma,
    x,
    t_x,
    T,
    m,
    *,
    horizon: int,
    discount_rate_per_unit: float,
    margin: float = 1.0,
) -> np.ndarray:
    """Discounted value of each customer's next ``horizon`` units (in ``model.unit``)::

        CLV = margin · E[M | x, m] · Σ_{k=1..H} (E[Y(k)] − E[Y(k−1)]) / (1 + d)^k

    the transactions expected in each unit, valued at the expected spend and discounted at
    ``d`` per unit from the end of the unit (the discrete form of Fader, Hardie & Lee 2005,
    JMR, eq. 2). For a yearly rate of 10 % in weeks, d = 1.10^(1/52) − 1."""
    if horizon < 0 or int(horizon) != horizon:
        raise ValueError("horizon counts whole units (0, 1, 2 …)")
    if discount_rate_per_unit <= -1:
        raise ValueError("discount_rate_per_unit must be above −1")
    x, t_x, T, m = _columns(x, t_x, T, m)
    value = np.zeros_like(x)
    before = np.zeros_like(x)
    for k in range(1, int(horizon) + 1):
        after = model.expected_purchases(k, x, t_x, T)
        value += (after - before) / (1 + discount_rate_per_unit) ** k
        before = after
    return margin * spend_model.expected_spend(x, m) * value
