"""Backtest of the replenishment forecast against two baselines (SPEC 2.5 "Backtest").

Pure numpy, no Django. Each subscription's history is replayed: at every fill but the first
and the last, from what was known then (the events up to that fill, its same-day feedback
included), each method predicts when the container just filled will run out, and the plan
delivers on a day; what happened up to the next fill says when it actually would have.

**Actual run-out** after a fill leaving ``L`` on day ``d₀``, from the known levels up to
the next fill (``history``): with ``y`` the last one, on day ``t``, before the next fill::

    d₀ + L·(t − d₀)/(L − y)        (the rate of that interval, L − y units in t − d₀ days)

Under fill to capacity without readings ``L − y`` is (about, with a unit of sale) the next
fill's quantity; readings and feedback replace the inferred ``y``. ``L`` and ``y`` are the
history's known levels, read with the subscription's unit of sale
(``ReplaySubscription.step``): the levels the model predicts from, so that with whole units
the actual run-out, too, starts half a unit below the brim, and a fill within half a unit of
the capacity says the container was empty. When the container was found empty (first on day
``t₀``) the run-out lies before ``t₀``: it is extrapolated from the last level above zero
at the rate seen until then, at most ``t₀``; ``t₀`` itself when nothing was seen between —
the latest it can have been, which flatters every method alike on those intervals. An
interval in which nothing was used has no run-out to anticipate and is not scored.

**Methods**, each a predicted run-out and a planned delivery day:

* model: ``forecast.posterior`` from the intervals known then; predicted
  ``expected_runout_day``, delivered on ``runout_day_at_risk(risk)``;
* mean interval: the fill's day + the customer's mean interval between fills so far;
* last interval: the fill's day + the last interval between fills.

**Scores** over predictions ``n`` (``actual`` and ``planned`` days)::

    anticipation     = share with planned ≤ actual      (met before the run-out)
    cover left       = mean of max(actual − planned, 0)  (days of stock wasted; 0 if missed)
    interval MAE     = mean |predicted − actual|        (days)
    interval bias    = mean (predicted − actual)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from kept.replenishment.forecast import (
    RateBelief,
    expected_runout_day,
    posterior,
    runout_day_at_risk,
)
from kept.replenishment.history import Event, Exposure, FillPolicy, History, read_history
from kept.replenishment.population import PopulationPrior


@dataclass(frozen=True)
class ReplaySubscription:
    """One subscription's whole history, as the backtest replays it. ``step`` is its unit
    of sale under fill to capacity, in the container's units (a 15 kg jar filled with 10 kg
    bags, in bags: ``capacity=1.5, step=1``; ``history``), for the replay's levels and the
    actual run-out alike; ``0`` fills to the brim."""

    events: Sequence[Event]
    capacity: float
    people: float
    fill_policy: FillPolicy = FillPolicy.TO_CAPACITY
    step: float = 0.0


@dataclass(frozen=True)
class MethodScore:
    method: str
    anticipation: float
    cover_left_days: float
    interval_mae_days: float
    interval_bias_days: float


@dataclass(frozen=True)
class BacktestReport:
    model: MethodScore
    mean_interval: MethodScore
    last_interval: MethodScore
    risk: float
    subscriptions: int
    predictions: int
    run_outs_seen: int

    @property
    def methods(self) -> tuple[MethodScore, MethodScore, MethodScore]:
        return (self.model, self.mean_interval, self.last_interval)


def actual_runout_day(history: History, after_fill: int, next_fill: int) -> float:
    """The day the container filled at known level ``after_fill`` would have run out, from
    the known levels before ``next_fill`` (module docstring); NaN if nothing was used."""
    start, fill_level = history.day[after_fill], history.level[after_fill]
    between = np.arange(after_fill + 1, next_fill)
    empty = between[history.empty[between]]
    if empty.size == 0:
        last = next_fill - 1
        used = fill_level - history.level[last]
        if used <= 0 or last == after_fill:
            return float("nan")
        return float(start + fill_level * (history.day[last] - start) / used)
    found_empty = history.day[empty[0]]
    seen = between[(between < empty[0]) & (history.level[between] > 0)]
    if seen.size == 0:
        return float(found_empty)
    last = seen[-1]
    used = fill_level - history.level[last]
    if used <= 0:
        return float(found_empty)
    rate = used / (history.day[last] - start)
    return float(min(found_empty, history.day[last] + history.level[last] / rate))


def _score(method: str, predicted, planned, actual) -> MethodScore:
    error = predicted - actual
    return MethodScore(
        method=method,
        anticipation=float(np.mean(planned <= actual)),
        cover_left_days=float(np.mean(np.maximum(actual - planned, 0.0))),
        interval_mae_days=float(np.mean(np.abs(error))),
        interval_bias_days=float(np.mean(error)),
    )


@dataclass(frozen=True)
class Replay:
    """Every scored fill of a replay: its day, the level it left, the actual run-out, the
    model's belief then, and the baselines' predicted run-outs; ``subscription``, when
    known, the index of the replayed subscription it belongs to. Scored per risk by
    ``score``, so several risks cost one replay."""

    start_day: np.ndarray
    level: np.ndarray
    actual: np.ndarray
    run_out_seen: np.ndarray
    belief: RateBelief
    by_mean_interval: np.ndarray
    by_last_interval: np.ndarray
    subscriptions: int
    subscription: np.ndarray | None = None


@dataclass
class _Collected:
    """Per-subscription pieces of a replay, and the intervals known at each scored fill."""

    points: dict[str, list[np.ndarray]] = field(default_factory=lambda: defaultdict(list))
    known: dict[str, list[np.ndarray]] = field(default_factory=lambda: defaultdict(list))
    count: int = 0

    def add(self, history: History, people: float, index: int) -> None:
        fills = history.fill_points
        scored = np.arange(1, fills.size - 1)
        actual = np.array([actual_runout_day(history, fills[i], fills[i + 1]) for i in scored])
        scored, actual = scored[np.isfinite(actual)], actual[np.isfinite(actual)]
        if scored.size == 0:
            return
        after, gaps = fills[scored], np.diff(history.day[fills])
        seen = [history.empty[fills[i] + 1 : fills[i + 1]].any() for i in scored]
        for name, values in (
            ("people", np.full(scored.size, people)),
            ("subscription", np.full(scored.size, index)),
            ("start_day", history.day[after]),
            ("level", history.level[after]),
            ("actual", actual),
            ("run_out_seen", np.array(seen, dtype=bool)),
            ("mean_interval", np.cumsum(gaps)[scored - 1] / scored),
            ("last_interval", gaps[scored - 1]),
        ):
            self.points[name].append(values)
        found = history.intervals
        point, interval = np.nonzero(found.end_point[None, :] < after[:, None])
        self.known["subscription"].append(point + self.count)
        for name in ("units", "days", "censored"):
            self.known[name].append(getattr(found, name)[interval])
        self.count += scored.size

    def column(self, name: str) -> np.ndarray:
        return np.concatenate(self.points[name])

    def exposure(self) -> Exposure:
        known = {name: np.concatenate(parts) for name, parts in self.known.items()}
        return Exposure(count=self.count, **known)


def replay(subscriptions: Sequence[ReplaySubscription], prior: PopulationPrior) -> Replay:
    """Replay every subscription (module docstring), ready to ``score``.

    ``prior`` is the population prior the model starts from; fit it on other subscriptions
    or an earlier period, or the replay sees the future through it.
    """
    collected = _Collected()
    for index, subscription in enumerate(subscriptions):
        events, capacity = subscription.events, subscription.capacity
        history = read_history(events, capacity, subscription.fill_policy, subscription.step)
        collected.add(history, subscription.people, index)
    if collected.count == 0:
        raise ValueError("no fill has both an earlier and a later fill to replay")
    start = collected.column("start_day")
    return Replay(
        start_day=start,
        level=collected.column("level"),
        actual=collected.column("actual"),
        run_out_seen=collected.column("run_out_seen"),
        belief=posterior(prior, collected.column("people"), collected.exposure()),
        by_mean_interval=start + collected.column("mean_interval"),
        by_last_interval=start + collected.column("last_interval"),
        subscriptions=len(subscriptions),
        subscription=collected.column("subscription"),
    )


def score(replayed: Replay, risk: float = 0.1) -> BacktestReport:
    """The three methods' scores (module docstring), the model delivering at ``risk``."""
    belief, level, start = replayed.belief, replayed.level, replayed.start_day
    actual = replayed.actual
    return BacktestReport(
        model=_score(
            "model",
            expected_runout_day(belief, level, start),
            runout_day_at_risk(belief, level, start, risk),
            actual,
        ),
        mean_interval=_score(
            "mean interval", replayed.by_mean_interval, replayed.by_mean_interval, actual
        ),
        last_interval=_score(
            "last interval", replayed.by_last_interval, replayed.by_last_interval, actual
        ),
        risk=risk,
        subscriptions=replayed.subscriptions,
        predictions=int(actual.size),
        run_outs_seen=int(replayed.run_out_seen.sum()),
    )


def backtest(
    subscriptions: Sequence[ReplaySubscription], prior: PopulationPrior, risk: float = 0.1
) -> BacktestReport:
    """``score(replay(subscriptions, prior), risk)``."""
    return score(replay(subscriptions, prior), risk)
