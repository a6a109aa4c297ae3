"""Geometry of the whale curve as an inline SVG (pure, no Django).

The curve (``costs.whale_curve``) runs from (0, 0) through the customers ranked by profit,
most profitable first: x is the share of customers, y the cumulative profit as a share of
the total. It usually climbs well above 100 % and falls back to 100 % at the last customer,
so the y axis spans from the lowest point (0 % or below) to the highest (100 % or above),
in four to seven steps. With thousands of customers the line is thinned to a few hundred
points; the peak and both ends are always kept, so the shape a manager reads is exact.

>>> from kept.value.costs import WhalePoint
>>> drawn = whale([WhalePoint(0, 0), WhalePoint(0.5, 1.5), WhalePoint(1, 1)])
>>> drawn.peak.customers_percent, drawn.peak.profit_percent
(50, 150)
>>> [tick.label for tick in drawn.y_ticks]
['0 %', '50 %', '100 %', '150 %']
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from kept.value.costs import WhalePoint

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 30, 36  # room above the peak for its label
MOST_POINTS = 400


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Peak:
    x: float
    y: float
    customers_percent: int
    profit_percent: int
    anchor: str  # where the label hangs from the marker: "start", "middle" or "end"


def _anchor(share: float) -> str:
    """A label about 250 px long stays inside the chart whichever way it hangs."""
    return "start" if share < 0.3 else "end" if share > 0.7 else "middle"


@dataclass(frozen=True)
class WhaleChart:
    width: int
    height: int
    left: int
    right: int  # x of the right edge of the plot
    baseline: int  # y of the bottom edge of the plot
    points: str  # "x,y x,y …" for a polyline
    reference_y: float  # the 100 % line
    zero_y: float
    peak: Peak | None  # None when no customer earns anything (the curve never rises)
    y_ticks: list[Tick]
    x_ticks: list[Tick]


def _step(low: float, high: float) -> float:
    """Four to seven ticks: 25 % steps up to a span of 125 %, 50 % up to 300 %, then
    whole hundreds."""
    span = high - low
    if span <= 1.25:
        return 0.25
    if span <= 3:
        return 0.5
    return float(math.ceil(span / 6))


def _bounds(points: Sequence[WhalePoint]) -> tuple[float, float, float]:
    low = min(0.0, min(p.profit_share for p in points))
    high = max(1.0, max(p.profit_share for p in points))
    step = _step(low, high)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _thinned(points: Sequence[WhalePoint], keep: WhalePoint, most: int) -> list[WhalePoint]:
    """At most ``most`` points spread evenly, always with both ends and ``keep``."""
    if len(points) <= most:
        return list(points)
    stride = math.ceil(len(points) / most)
    chosen = set(range(0, len(points), stride)) | {0, len(points) - 1, points.index(keep)}
    return [points[i] for i in sorted(chosen)]


def whale(points: Sequence[WhalePoint], *, most: int = MOST_POINTS) -> WhaleChart:
    """The whale curve's SVG geometry; ``points`` as ``costs.whale_curve`` returns them
    (not empty)."""
    low, high, step = _bounds(points)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(share: float) -> float:
        return round(LEFT + plot_width * share, 1)

    def y(share: float) -> float:
        return round(TOP + plot_height * (high - share) / (high - low), 1)

    top = max(points, key=lambda p: p.profit_share)
    drawn = _thinned(points, top, most)
    peak = None
    if top.profit_share > 0:
        percents = round(top.customers_share * 100), round(top.profit_share * 100)
        anchor = _anchor(top.customers_share)
        peak = Peak(x(top.customers_share), y(top.profit_share), *percents, anchor)
    ticks = [low + step * n for n in range(round((high - low) / step) + 1)]
    return WhaleChart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=WIDTH - RIGHT,
        baseline=HEIGHT - BOTTOM,
        points=" ".join(f"{x(p.customers_share)},{y(p.profit_share)}" for p in drawn),
        reference_y=y(1.0),
        zero_y=y(0.0),
        peak=peak,
        y_ticks=[Tick(y(v), f"{round(v * 100)} %") for v in ticks],
        x_ticks=[Tick(x(v / 100), f"{v} %") for v in (0, 25, 50, 75, 100)],
    )


@dataclass(frozen=True)
class Step:
    customers_percent: int
    profit_percent: int


def steps(points: Sequence[WhalePoint], every: int = 10) -> list[Step]:
    """The curve read every ``every`` % of the customers, as the chart's text alternative:
    each step takes the last point at or before it. With fewer customers than steps, each
    customer's point instead."""
    if len(points) - 1 <= 100 // every:
        return [_step_of(p) for p in points[1:]]
    found, index = [], 0
    for percent in range(every, 101, every):
        while index + 1 < len(points) and points[index + 1].customers_share * 100 <= percent + 1e-9:
            index += 1
        found.append(Step(percent, _step_of(points[index]).profit_percent))
    return found


def _step_of(point: WhalePoint) -> Step:
    return Step(round(point.customers_share * 100), round(point.profit_share * 100))
