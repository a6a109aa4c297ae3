"""The pure core by hand and by property: counts never increase down the funnel, every
conversion is in [0, 1], and the rolling-window check of the module's docstring."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kept.pipeline import funnel as core

DEFAULT = [
    core.StageTarget("Inquiry", monthly=500),
    core.StageTarget("Visit", percent=70),
    core.StageTarget("Purchase", percent=60),
    core.StageTarget("Repeat", percent=10),
]


def test_counts_are_leads_that_reached_each_stage():
    # given 100 leads: 30 stopped at inquiry, 20 at visit, 45 bought, 5 came back
    by_furthest = [30, 20, 45, 5]
    # when
    result = core.funnel(by_furthest, won_index=2)
    # then 100 inquired, 70 visited, 50 bought, 5 came back
    assert result.counts == (100, 70, 50, 5)
    assert result.conversions == (None, 0.7, pytest.approx(50 / 70), 0.1)
    assert result.overall == 0.5


def test_an_empty_stage_has_no_conversion_after_it():
    result = core.funnel([3, 0, 0, 0])
    assert result.counts == (3, 0, 0, 0)
    assert result.conversions == (None, 0.0, None, None)
    assert core.funnel([0, 0]).overall is None


def test_groups_and_total():
    tallies = [
        core.Tally("2026-01", 0, 4),
        core.Tally("2026-01", 2, 6),
        core.Tally("2026-02", 1, 5),
        core.Tally("2026-02", 9, 99),  # a stage that no longer exists: ignored
    ]
    total, groups = core.funnels(tallies, 3)
    assert total.counts == (15, 11, 6)
    assert list(groups) == ["2026-01", "2026-02"]
    assert groups["2026-01"].counts == (10, 6, 6) and groups["2026-02"].counts == (5, 5, 0)


def test_volume_target_is_pro_rated_to_the_window():
    # 500 a month over 30 days: 500 × 30 / 30.4375
    assert core.volume_target(500, 30) == pytest.approx(492.813, abs=1e-3)


def test_the_check_flags_a_stage_below_its_target():
    # given a settled cohort of 100: 80 visited (80 % ≥ 70), 40 bought (50 % < 60), 5 came
    # back (12.5 % ≥ 10), and 600 newcomers in the window (≥ 492.8)
    settled = [20, 40, 35, 5]
    # when
    found = core.below_target(DEFAULT, settled, 600)
    # then only the purchase stage is below its target, judged on the 80 visitors
    assert [(s.name, s.measured, s.target, s.leads) for s in found] == [
        ("Purchase", 50.0, 60.0, 80)
    ]


def test_the_check_flags_the_volume_of_the_first_stage():
    found = core.below_target(DEFAULT, [0, 0, 0, 0], 400)
    assert [(s.index, s.is_volume, s.measured) for s in found] == [(0, True, 400)]
    assert core.below_target(DEFAULT, [0, 0, 0, 0], 400, in_use=False) == []


def test_no_alert_on_fewer_leads_than_the_guard():
    # 19 visitors of whom none bought: judged on too few leads
    settled = [1, 19, 0, 0]
    assert core.below_target(DEFAULT, settled, 500) == []
    assert [s.name for s in core.below_target(DEFAULT, settled, 500, min_leads=19)] == ["Purchase"]


counts = st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=8)


@given(counts)
def test_counts_never_increase_down_the_funnel(by_furthest):
    result = core.funnel(by_furthest)
    assert all(a >= b for a, b in zip(result.counts, result.counts[1:], strict=False))
    assert result.counts[0] == sum(by_furthest)


@given(counts)
def test_every_conversion_is_a_share(by_furthest):
    result = core.funnel(by_furthest)
    shares = [c for c in result.conversions if c is not None]
    assert all(0 <= c <= 1 for c in shares)
    assert result.overall is None or 0 <= result.overall <= 1


@given(counts, st.integers(min_value=0, max_value=10_000))
def test_a_stage_flagged_is_truly_below_its_target(by_furthest, recent):
    stages = [core.StageTarget("s0", monthly=500)] + [
        core.StageTarget(f"s{i}", percent=50) for i in range(1, len(by_furthest))
    ]
    reached = core.reached(by_furthest)
    for shortfall in core.below_target(stages, by_furthest, recent):
        assert shortfall.measured < shortfall.target
        if not shortfall.is_volume:
            assert reached[shortfall.index - 1] >= core.MIN_LEADS
