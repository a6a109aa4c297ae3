"""Consumption intervals from fills, readings and feedback: hand-worked cases and properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kept.replenishment.history import (
    Event,
    Exposure,
    FillPolicy,
    LevelKind,
    feedback,
    fill,
    intervals,
    read_history,
    reading,
)


def test_fill_to_capacity_consumption_is_the_next_fills_quantity():
    # Given a 20 kg container filled on days 0, 30 and 55
    events = [fill(0, 20), fill(30, 16), fill(55, 12)]

    # When it is read
    found = intervals(events, capacity=20)

    # Then each interval used the next fill's quantity over the days between fills
    assert found.units.tolist() == [16, 12]
    assert found.days.tolist() == [30, 25]
    assert not found.censored.any()


def test_a_reading_between_fills_splits_the_interval():
    # 20 → 14 by day 10 (reading), then 14 → 4 by day 30 (the fill of 16 leaves 4 before it)
    found = intervals([fill(0, 20), reading(10, 14), fill(30, 16)], capacity=20)

    assert found.units.tolist() == [6, 10]
    assert found.days.tolist() == [10, 20]


def test_feedback_at_a_fill_replaces_the_level_its_quantity_implies():
    # The fill of 16 implies 4 left; the customer said "still had 7": 13 used, not 16
    found = intervals([fill(0, 20), feedback(30, 7), fill(30, 16)], capacity=20)

    assert found.units.tolist() == [13]
    assert found.days.tolist() == [30]


def test_a_full_refill_is_a_run_out_and_censored():
    # A fill of the whole capacity: the container was empty, some day before day 30
    found = intervals([fill(0, 20), fill(30, 20), fill(50, 15)], capacity=20)

    assert found.units.tolist() == [20, 15]
    assert found.censored.tolist() == [True, False]


def test_days_spent_empty_are_not_exposure():
    # Read empty on day 25, refilled on day 32: nothing could be used in between
    history = read_history([fill(0, 20), reading(25, 0), fill(32, 20)], capacity=20)

    assert history.intervals.units.tolist() == [20]
    assert history.intervals.days.tolist() == [25]
    assert history.intervals.censored.tolist() == [True]


def test_same_day_observations_give_no_zero_length_interval():
    # Two readings on day 10 (the later corrects the first), one on the fill's day (before it)
    events = [fill(0, 20), reading(10, 15), reading(10, 14), reading(20, 9), fill(20, 11)]

    found = intervals(events, capacity=20)

    assert found.units.tolist() == [6, 5]
    assert found.days.tolist() == [10, 10]


def test_fills_on_one_day_are_one_fill():
    found = intervals([fill(0, 20), fill(30, 10), fill(30, 6)], capacity=20)

    assert found.units.tolist() == [16]


def test_a_level_rising_without_a_fill_gives_no_interval():
    # Day 20 reads higher than day 10: an unrecorded delivery; day 20 becomes the anchor
    found = intervals([fill(0, 20), reading(10, 12), reading(20, 18), reading(30, 15)], 20)

    assert found.units.tolist() == [8, 3]
    assert found.start_day.tolist() == [0, 20]


def test_fixed_quantity_adds_to_what_was_left():
    # Fixed 10 kg: read 6 before the second fill, so 16 after it; unread fills assume empty
    events = [fill(0, 10), feedback(20, 6), fill(20, 10), fill(40, 10)]

    history = read_history(events, capacity=25, fill_policy=FillPolicy.FIXED_QUANTITY)

    assert history.level[history.kind == LevelKind.AFTER_FILL].tolist() == [10, 16, 10]
    assert history.intervals.units.tolist() == [4, 16]
    assert not history.intervals.censored.any()  # an assumed empty is not an observed one


def test_events_accept_plain_kinds():
    assert Event(3, "fill", 5) == fill(3, 5)


def test_history_ends_on_its_last_known_level():
    history = read_history([fill(0, 20), reading(12, 13)], capacity=20)

    assert (history.last_day, history.last_level) == (12, 13)
    assert read_history([], capacity=20).last_level is None


@pytest.mark.parametrize("capacity", [0, -5, float("nan"), float("inf")])
def test_a_capacity_that_is_not_positive_is_refused(capacity):
    with pytest.raises(ValueError, match="capacity"):
        intervals([fill(0, 1)], capacity=capacity)


@pytest.mark.parametrize("event", [fill(0, 25), reading(0, -1), reading(0, 21), fill(np.nan, 1)])
def test_events_that_do_not_fit_the_container_are_refused(event):
    with pytest.raises(ValueError):
        intervals([event], capacity=20)


def test_exposure_cuts_a_run_out_at_the_rate_given():
    # Subscription 0: 10 units in 20 days, then a run-out of 20 units within 30 days
    found = intervals([fill(0, 20), fill(20, 10), fill(50, 20)], capacity=20)
    exposure = Exposure.of([found, intervals([], capacity=5)])

    # Without a rate the run-out is left out; at 1/day it ran out after 20 of the 30 days;
    # at 0.5/day it would have taken 40, so all 30 count
    assert [total.tolist() for total in exposure.totals()] == [[10, 0], [20, 0]]
    units, days = exposure.totals(censored_rate=np.array([1.0, 1.0]))
    assert (units.tolist(), days.tolist()) == ([30, 0], [40, 0])
    assert exposure.totals(censored_rate=np.array([0.5, 1.0]))[1].tolist() == [50, 0]


@given(
    st.lists(
        st.tuples(st.integers(1, 60), st.floats(0.5, 20, allow_nan=False)),
        min_size=1,
        max_size=30,
    )
)
def test_without_readings_every_unit_delivered_after_the_first_fill_was_used(fills):
    # Given fills on distinct, increasing days
    day, events = 0, [fill(0, 20)]
    for gap, quantity in fills:
        day += gap
        events.append(fill(day, quantity))

    found = intervals(events, capacity=20)

    # Then one interval per gap, using exactly what the next fill delivered
    assert len(found) == len(fills)
    assert found.units.sum() == pytest.approx(sum(q for _, q in fills))
    assert found.days.sum() == day
    assert found.censored.tolist() == [q == 20 for _, q in fills]


# A unit of sale -----------------------------------------------------------------------------


def test_whole_units_leave_the_container_half_a_unit_below_the_brim():
    # A 25 kg jar filled with 10 kg bags, in bags: capacity 2.5, step 1. One bag on day 30:
    # the jar holds 2 after it (2.5 − ½), 1 before; two bags on day 50 (within half a bag of
    # the capacity): it was empty
    history = read_history([fill(0, 2), fill(30, 1), fill(50, 2)], capacity=2.5, step=1)

    assert history.level.tolist() == [0, 2, 1, 2, 0, 2]
    assert history.empty.tolist() == [True, False, False, False, True, False]
    assert history.intervals.units.tolist() == [1, 2]
    assert history.intervals.days.tolist() == [30, 20]
    assert history.intervals.censored.tolist() == [False, True]


def test_whole_units_change_the_levels_not_the_units_used_between_fills():
    events = [fill(0, 10), fill(30, 5), fill(55, 10)]

    brim, bags = read_history(events, 15), read_history(events, 15, step=5)

    # the levels after a fill: 15 to the brim; 12.5 with 5 kg bags, or the 10 delivered
    assert brim.level[brim.fill_points].tolist() == [15, 15, 15]
    assert bags.level[bags.fill_points].tolist() == [12.5, 12.5, 12.5]
    assert brim.intervals.units.tolist() == bags.intervals.units.tolist() == [5, 10]


def test_a_fill_bigger_than_the_brim_less_half_a_unit_fills_at_least_itself():
    # 1.2 delivered into a container of 1.5 with a step of 1: at least 1.2 after it, empty
    # before it
    history = read_history([fill(0, 1.2)], capacity=1.5, step=1)

    assert history.level.tolist() == [0, 1.2]
    assert history.empty.tolist() == [True, False]


def test_feedback_at_a_fill_of_whole_units_gives_both_levels():
    # A 15 kg jar, 10 kg bags: capacity 1.5, step 1. "Still had 0.3", one bag: 1.3, not 1.5
    history = read_history([fill(0, 1), feedback(30, 0.3), fill(30, 1)], capacity=1.5, step=1)

    assert history.level.tolist() == pytest.approx([0, 1, 0.3, 1.3])
    assert history.intervals.units.tolist() == pytest.approx([0.7])


def test_a_step_of_zero_fills_to_the_brim():
    events = [fill(0, 20), reading(10, 14), fill(30, 16), feedback(50, 3), fill(50, 15)]

    found, brim = read_history(events, 20, step=0.0), read_history(events, 20)

    assert found.level.tolist() == brim.level.tolist()
    assert found.level[found.fill_points].tolist() == [20, 20, 20]


@pytest.mark.parametrize("step", [-1, float("nan"), float("inf")])
def test_a_step_that_is_negative_or_not_finite_is_refused(step):
    with pytest.raises(ValueError, match="step"):
        read_history([fill(0, 5)], 10, step=step)


def test_a_fixed_quantity_ignores_the_step():
    events = [fill(0, 10), feedback(20, 6), fill(20, 10), fill(40, 10)]

    found = read_history(events, 25, FillPolicy.FIXED_QUANTITY, step=10)

    assert (
        found.level.tolist() == read_history(events, 25, FillPolicy.FIXED_QUANTITY).level.tolist()
    )
