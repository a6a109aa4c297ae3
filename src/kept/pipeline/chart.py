"""Geometry of the funnel chart (pure, no Django): one horizontal bar per stage, its length
the stage's count against the largest, with a marker where the stage's target would put it
(the previous stage's count × the target conversion; the first stage's volume target)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

LEFT, RIGHT, TOP = 8, 64, 4  # room on the right for the count
ROW = 44  # per stage: a label line and the bar
BAR = 20


@dataclass(frozen=True)
class Bar:
    name: str
    count: int
    conversion: float | None
    y: float  # top of the bar
    label_y: float  # baseline of the stage's name above the bar
    width: float
    count_x: float  # where the count is written, after the bar
    target_x: float | None  # where the target marker stands, None without a target
    is_below: bool


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    bars: list[Bar]


def bars(
    names: Sequence[str],
    counts: Sequence[int],
    conversions: Sequence[float | None],
    target_counts: Sequence[float | None],
    below: Sequence[bool],
    *,
    width: int = 640,
) -> Chart:
    """Bars scaled to the largest of the counts and the targets, so a marker beyond every bar
    still shows."""
    span = width - LEFT - RIGHT
    largest = max([*counts, *(t for t in target_counts if t is not None), 1])
    found = []
    for i, name in enumerate(names):
        top = TOP + i * ROW + 16
        target = target_counts[i]
        length = round(span * counts[i] / largest, 1)
        found.append(
            Bar(
                name=name,
                count=counts[i],
                conversion=conversions[i],
                y=top,
                label_y=top - 4,
                width=length,
                count_x=LEFT + length + 6,
                target_x=None if target is None else round(LEFT + span * target / largest, 1),
                is_below=below[i],
            )
        )
    return Chart(width, TOP + len(names) * ROW + 4, LEFT, found)


def from_rows(rows, *, width: int = 640) -> Chart:
    """The chart of ``queries.StageRow`` rows."""
    return bars(
        [row.stage.label for row in rows],
        [row.count for row in rows],
        [row.conversion for row in rows],
        [row.target_count for row in rows],
        [row.is_below for row in rows],
        width=width,
    )
