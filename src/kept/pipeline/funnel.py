"""The funnel's arithmetic (SPEC 2.8), free of Django: counts per stage, conversion, and the
rolling-window check against the stage targets.

**Cohorts.** A lead belongs to the period in which it entered the first stage (its cohort).
The count of stage *i* for a cohort is the number of its leads that have entered stage *i*
so far. A lead enters every stage it skips at the same moment and never moves back, so a
lead's furthest stage says which stages it entered: every stage up to and including it.
The input is therefore a tally of leads by their furthest stage, and

    count_i = Σ_{j ≥ i} leads whose furthest stage is j           (never increases with i)
    conversion_i = count_i / count_{i−1}                            (in [0, 1]; none if 0/0)
    overall = count_won / count_0                                   (lead to customer)

The same definition holds everywhere: the funnel page, the API, the dashboard and the
alerts. A young cohort has had little time to move on, so its later conversions are low
until it settles; the check below only judges cohorts that have had ``settle_days``.

**Alert rule.** Over the rolling window of ``window_days`` (default 30):

- stage *i* ≥ 1 is below target when conversion_i < target_i, measured on the cohort that
  entered the first stage in [as_of − settle − window, as_of − settle); it is judged only
  when count_{i−1} ≥ ``min_leads`` (default 20): on fewer leads one lost lead moves the
  rate by 5 points or more, which is noise, not news;
- the first stage is below target when the leads that entered it in [as_of − window,
  as_of) are fewer than its monthly target × window / 30.4375 (days in an average month);
  it is judged only once the funnel is in use (some lead is older than the window).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

DAYS_PER_MONTH = 365.25 / 12
WINDOW_DAYS = 30
SETTLE_DAYS = 14
MIN_LEADS = 20


@dataclass(frozen=True)
class Tally:
    """``leads`` leads of ``group`` (a month "YYYY-MM", a channel, an owner…) whose furthest
    stage is the one at index ``furthest`` (0: the first stage)."""

    group: str
    furthest: int
    leads: int


@dataclass(frozen=True)
class StageTarget:
    """A stage as the check sees it: its target conversion from the previous stage in per
    cent (later stages), or its target of leads per month (the first stage)."""

    name: str
    percent: float | None = None
    monthly: int | None = None


@dataclass(frozen=True)
class Funnel:
    """Counts per stage (index 0 first), conversion from the previous stage (None for the
    first stage and after an empty stage) and the overall conversion to the won stage."""

    counts: tuple[int, ...]
    conversions: tuple[float | None, ...]
    overall: float | None


@dataclass(frozen=True)
class Shortfall:
    """A stage below its target. ``measured`` and ``target`` are a conversion in per cent,
    or (``is_volume``) leads in the window against the pro-rated monthly target."""

    index: int
    name: str
    measured: float
    target: float
    leads: int
    is_volume: bool


def reached(by_furthest: Sequence[int]) -> list[int]:
    """count_i = Σ_{j ≥ i} by_furthest[j]: the leads that entered stage i (suffix sums)."""
    counts, running = [0] * len(by_furthest), 0
    for index in range(len(by_furthest) - 1, -1, -1):
        running += by_furthest[index]
        counts[index] = running
    return counts


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def funnel(by_furthest: Sequence[int], won_index: int | None = None) -> Funnel:
    """The funnel of leads tallied by their furthest stage (see the module's formulas)."""
    counts = reached(by_furthest)
    conversions = [None] + [ratio(counts[i], counts[i - 1]) for i in range(1, len(counts))]
    last = len(counts) - 1 if won_index is None else won_index
    overall = ratio(counts[last], counts[0]) if counts else None
    return Funnel(tuple(counts), tuple(conversions), overall)


def tally_by_group(tallies: Iterable[Tally], stages: int) -> dict[str, list[int]]:
    """{group: leads by furthest stage}, groups in sorted order. Tallies of a stage index
    outside 0..stages−1 (a stage removed meanwhile) are ignored."""
    grouped: dict[str, list[int]] = defaultdict(lambda: [0] * stages)
    for tally in tallies:
        if 0 <= tally.furthest < stages:
            grouped[tally.group][tally.furthest] += tally.leads
    return {group: grouped[group] for group in sorted(grouped)}


def funnels(
    tallies: Iterable[Tally], stages: int, won_index: int | None = None
) -> tuple[Funnel, dict[str, Funnel]]:
    """The funnel of all tallies together, and one per group."""
    grouped = tally_by_group(tallies, stages)
    total = [sum(column) for column in zip(*grouped.values(), strict=True)] or [0] * stages
    return funnel(total, won_index), {g: funnel(row, won_index) for g, row in grouped.items()}


def volume_target(monthly: int, window_days: int) -> float:
    """The monthly target pro-rated to the window: monthly × window / 30.4375."""
    return monthly * window_days / DAYS_PER_MONTH


def below_target(
    stages: Sequence[StageTarget],
    settled: Sequence[int],
    recent_leads: int,
    *,
    window_days: int = WINDOW_DAYS,
    min_leads: int = MIN_LEADS,
    in_use: bool = True,
) -> list[Shortfall]:
    """The stages below target (module docstring). ``settled``: the settled cohort's leads by
    furthest stage; ``recent_leads``: leads that entered the first stage in the window."""
    found = []
    first = stages[0] if stages else None
    if first is not None and first.monthly and in_use:
        expected = volume_target(first.monthly, window_days)
        if recent_leads < expected:
            found.append(Shortfall(0, first.name, recent_leads, expected, recent_leads, True))
    counts = reached(settled)
    for index in range(1, len(stages)):
        target, before = stages[index].percent, counts[index - 1]
        if target is None or before < min_leads:
            continue
        measured = 100 * counts[index] / before
        if measured < target:
            found.append(Shortfall(index, stages[index].name, measured, target, before, False))
    return found
