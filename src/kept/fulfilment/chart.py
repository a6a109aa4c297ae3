"""Geometry of the service-level trend chart: two series of rates over periods as SVG
points (pure, no Django). A period without counted lines leaves a gap, not a zero."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 36, 12, 36  # room for the first and last date labels


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: float
    label: str


@dataclass(frozen=True)
class Series:
    name: str
    segments: list[str]  # "x,y x,y …" for each unbroken run of values
    points: list[Point]


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span / 2 if count == 1 else span * index / (count - 1))


def _y(value: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value)


def series(name: str, keys: list[str], values: list[float | None]) -> Series:
    points, segments, run = [], [], []
    for index, (key, value) in enumerate(zip(keys, values, strict=True)):
        if value is None:
            if run:
                segments.append(" ".join(run))
            run = []
            continue
        point = Point(round(_x(index, len(keys)), 1), round(_y(value), 1), value, key)
        points.append(point)
        run.append(f"{point.x},{point.y}")
    if run:
        segments.append(" ".join(run))
    return Series(name, segments, points)


def y_ticks() -> list[Tick]:
    return [Tick(round(_y(v / 100), 1), f"{v} %") for v in (0, 25, 50, 75, 100)]


def x_ticks(keys: list[str], most: int = 8) -> list[Tick]:
    step = max(1, -(-len(keys) // most))  # ceil: at most `most` labels
    return [Tick(round(_x(i, len(keys)), 1), key) for i, key in enumerate(keys) if i % step == 0]
