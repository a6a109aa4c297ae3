"""Geometry of a container's outlook chart: the level band (10–90 %) and the median over
the coming days as SVG points (pure, no Django)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT = 480, 160
LEFT, RIGHT, TOP, BOTTOM = 36, 12, 10, 24


@dataclass(frozen=True)
class Band:
    area: str  # polygon points: the high edge forward, the low edge back
    middle: str  # polyline points
    capacity_y: float
    zero_y: float
    risk_x: float | None
    ticks: list[tuple[float, str]]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT


def band(rows: list[tuple[date, float, float, float]], capacity: float, risk: date | None):
    """``rows``: (day, low, middle, high) levels; ``None`` when there is nothing to draw."""
    empty = [i for i, row in enumerate(rows) if row[3] <= 0]  # even the high edge is empty
    if empty:
        rows = rows[: max(empty[0] + 3, 8)]  # a few days past it, no long flat tail
    if len(rows) < 2 or capacity <= 0:
        return None
    span = len(rows) - 1

    def x(index: int) -> float:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * index / span, 1)

    def y(level: float) -> float:
        share = min(max(level / capacity, 0.0), 1.0)
        return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - share), 1)

    high = [f"{x(i)},{y(row[3])}" for i, row in enumerate(rows)]
    low = [f"{x(i)},{y(row[1])}" for i, row in reversed(list(enumerate(rows)))]
    middle = " ".join(f"{x(i)},{y(row[2])}" for i, row in enumerate(rows))
    days = [row[0] for row in rows]
    risk_x = x(days.index(risk)) if risk in days else None
    step = max(1, span // 5)
    ticks = [(x(i), day.strftime("%m-%d")) for i, day in enumerate(days) if i % step == 0]
    return Band(" ".join(high + low), middle, y(capacity), y(0), risk_x, ticks)
