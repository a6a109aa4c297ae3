"""Many subscriptions at once: ``read_many`` equals ``read_history`` one subscription at a
time, on hand-made histories, simulated households and random event lists."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kept.replenishment.history import (
    Event,
    EventKind,
    Exposure,
    feedback,
    fill,
    read_history,
    reading,
)
from kept.replenishment.many import EventCode, FillPolicyCode, Many, read_many
from kept.replenishment.tests.simulation import simulate_events

TO_CAPACITY, FIXED = FillPolicyCode.TO_CAPACITY, FillPolicyCode.FIXED_QUANTITY


def long_format(histories: Sequence[Sequence[Event]]):
    """Events of all subscriptions, interleaved round robin: every subscription's own
    events keep their order, but the arrays are sorted neither by subscription nor by day."""
    rows = [
        (position, owner, event.day, _code(event), event.quantity)
        for owner, events in enumerate(histories)
        for position, event in enumerate(events)
    ]
    rows.sort(key=lambda row: row[0])
    columns = list(zip(*rows, strict=True)) or [(), (), (), (), ()]
    subscription, day, kind, amount = (np.array(column) for column in columns[1:])
    return subscription.astype(int), day.astype(float), kind.astype(int), amount.astype(float)


def _code(event: Event) -> EventCode:
    # an Event does not tell feedback from a reading; both are readings to history
    return EventCode.FILL if event.kind is EventKind.FILL else EventCode.READING


def one_at_a_time(subscription, day, kind, amount, capacity, fill_policy, step=None) -> Many:
    """The reference: ``read_history`` per subscription, events in the order given."""
    histories = []
    steps = np.zeros(len(capacity)) if step is None else step
    for owner, (size, policy, unit) in enumerate(zip(capacity, fill_policy, steps, strict=True)):
        mine = np.flatnonzero(subscription == owner)
        kinds = [EventKind.FILL if kind[j] == EventCode.FILL else EventKind.READING for j in mine]
        events = [Event(day[j], k, amount[j]) for j, k in zip(mine, kinds, strict=True)]
        histories.append(read_history(events, size, FillPolicyCode(policy).policy, unit))
    last_day = [np.nan if h.last_day is None else h.last_day for h in histories]
    last_level = [np.nan if h.last_level is None else h.last_level for h in histories]
    exposure = Exposure.of([history.intervals for history in histories])
    return Many(exposure, np.array(last_day), np.array(last_level), len(histories))


def assert_same(found: Many, expected: Many) -> None:
    assert found.count == expected.count == found.exposure.count
    for name in ("subscription", "units", "days", "censored"):
        mine, theirs = getattr(found.exposure, name), getattr(expected.exposure, name)
        assert np.array_equal(mine, theirs) and mine.dtype == theirs.dtype, name
    assert np.array_equal(found.last_day, expected.last_day, equal_nan=True)
    assert np.array_equal(found.last_level, expected.last_level, equal_nan=True)


def read_both(histories, capacity, fill_policy, step=None) -> tuple[Many, Many]:
    arrays = long_format(histories)
    return (
        read_many(*arrays, capacity, fill_policy, step),
        one_at_a_time(*arrays, capacity, fill_policy, step),
    )


# Hand-made cases ----------------------------------------------------------------------------

EDGE_CASES = {
    "reading between fills": [fill(0, 20), reading(10, 14), fill(30, 16)],
    # the feedback is given after the fill but was taken before it
    "feedback on the fill day": [fill(0, 20), fill(30, 16), feedback(30, 7)],
    "read empty, then a full refill": [fill(0, 20), reading(25, 0), fill(32, 20), fill(50, 20)],
    "fixed quantity": [fill(0, 10), feedback(20, 6), fill(20, 10), fill(40, 10)],
    "no events": [],
    "only a reading": [reading(5, 3)],
    "same day": [
        fill(0, 20),
        reading(10, 15),
        reading(10, 14),  # corrects the first
        fill(20, 5),
        reading(20, 9),
        fill(20, 6),  # with the 5: one fill of 11
    ],
    "given out of time order": [fill(55, 12), fill(30, 16), fill(0, 20)],
    # 15 + 10 on one day: one fill of the whole capacity, so empty before it
    "fills on one day beyond capacity": [fill(0, 20), fill(30, 15), fill(30, 10), fill(50, 5)],
}
CAPACITY = np.array([20, 20, 20, 25, 20, 20, 20, 20, 20], dtype=float)
POLICY = np.array([TO_CAPACITY, TO_CAPACITY, TO_CAPACITY, FIXED] + [TO_CAPACITY] * 5)


def test_hand_made_histories_give_the_intervals_of_history():
    # Given the edge cases of one product's subscriptions, their events interleaved
    found, expected = read_both(list(EDGE_CASES.values()), CAPACITY, POLICY)

    # Then they equal one subscription at a time
    assert_same(found, expected)
    # And the numbers are those worked out by hand in test_history
    owner, units, days = (found.exposure.subscription, found.exposure.units, found.exposure.days)
    per_subscription = [
        (units[owner == i].tolist(), days[owner == i].tolist()) for i in range(len(CAPACITY))
    ]
    assert per_subscription == [
        ([6, 10], [10, 20]),
        ([13], [30]),
        ([20, 20], [25, 18]),
        ([4, 16], [20, 20]),
        ([], []),
        ([], []),
        ([6, 5], [10, 10]),
        ([16, 12], [30, 25]),
        ([20, 5], [30, 20]),
    ]
    assert found.exposure.censored[owner == 2].tolist() == [True, True]
    assert found.exposure.censored[owner == 8].tolist() == [True, False]
    # fixed quantity: an empty assumed before a fill is not a run-out observed
    assert not found.exposure.censored[(owner != 2) & (owner != 8)].any()


@pytest.mark.parametrize("step", [0.0, 1.0, 5.0, 30.0])
def test_hand_made_histories_with_a_unit_of_sale_give_the_intervals_of_history(step):
    # Given the edge cases again, each subscription with a unit of sale (the same for all)
    steps = np.full(CAPACITY.size, step)

    found, expected = read_both(list(EDGE_CASES.values()), CAPACITY, POLICY, steps)

    # Then they equal one subscription at a time, and a step of 0 is no step at all
    assert_same(found, expected)
    if step == 0:
        assert_same(found, read_both(list(EDGE_CASES.values()), CAPACITY, POLICY)[0])


def test_a_unit_of_sale_per_subscription():
    # A 25 kg jar in 10 kg bags (capacity 2.5, step 1), the same jar to the brim, and a jar
    # of 15 kg in 5 kg bags read after a fill
    histories = [
        [fill(0, 2), fill(30, 1), fill(50, 2)],
        [fill(0, 2), fill(30, 1), fill(50, 2)],
        [fill(0, 10), feedback(20, 4), fill(20, 10), fill(40, 5)],
    ]

    found, expected = read_both(histories, [2.5, 2.5, 15], [TO_CAPACITY] * 3, [1, 0, 5])

    assert_same(found, expected)
    exposure = found.exposure
    # the third: 12.5 after the first fill, read 4 (8.5 used), 14 after the second fill,
    # 7.5 before the third (12.5 − 5): 6.5 used
    assert exposure.units.tolist() == [1, 2, 1, 2, 8.5, 6.5]
    assert exposure.censored.tolist() == [False, True, False, False, False, False]
    # after the last fill: 2 (half a bag below 2.5), 2.5, and 12.5 (the 5 kg bag)
    assert found.last_level.tolist() == [2, 2.5, 12.5]


def test_the_last_known_level_is_nan_without_events():
    found = read_many(*long_format(list(EDGE_CASES.values())), CAPACITY, POLICY)

    assert found.last_day.tolist()[:4] == [30, 30, 50, 40]
    assert found.last_level.tolist()[:4] == [20, 20, 20, 10]
    assert np.isnan(found.last_day[4]) and np.isnan(found.last_level[4])
    assert (found.last_day[5], found.last_level[5]) == (5, 3)


def test_nothing_at_all_gives_empty_exposure():
    nothing = np.zeros(0)

    found = read_many(nothing, nothing, nothing, nothing, [10.0, 5.0], [TO_CAPACITY] * 2)

    assert found.count == found.exposure.count == 2
    assert found.exposure.units.size == 0
    assert np.isnan(found.last_day).all()


def test_a_day_read_empty_and_filled_with_zero_is_an_empty_fixed_fill():
    # Fixed quantity: read 0, then a fill of 0 leaves it empty, which is observed
    found, expected = read_both([[fill(0, 5), reading(10, 0), fill(10, 0), fill(12, 5)]], [5], [1])

    assert_same(found, expected)


def test_a_reading_of_one_subscription_is_not_the_level_before_the_next_ones_fill():
    # Both on day 10: the second subscription's first fill (fixed 5) starts from empty
    histories = [[fill(0, 10), reading(10, 4)], [fill(10, 5), fill(20, 5)]]

    found, expected = read_both(histories, [10, 10], [TO_CAPACITY, FIXED])

    assert_same(found, expected)
    assert found.exposure.units.tolist() == [6, 5]


# Simulated households -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def households():
    """300 households over two years (tests/simulation.py), with readings and feedback."""
    return simulate_events(300, seed=3, reading_chance=0.03, feedback_chance=0.3)


@pytest.mark.parametrize("fixed_share", [0.0, 0.3])
def test_simulated_households_give_the_intervals_of_history(households, fixed_share):
    # Given their events shuffled, some read under a fixed quantity policy
    rng = np.random.default_rng(4)
    shuffled = rng.permutation(households.subscription.size)
    arrays = [
        households.subscription[shuffled],
        households.day[shuffled],
        households.kind[shuffled],
        households.amount[shuffled],
    ]
    policy = np.where(rng.random(households.people.size) < fixed_share, FIXED, TO_CAPACITY)

    found = read_many(*arrays, households.capacity, policy)

    assert found.exposure.units.size > 10_000
    assert found.exposure.censored.any()
    assert_same(found, one_at_a_time(*arrays, households.capacity, policy))


@pytest.mark.parametrize("fixed_share", [0.0, 0.3])
def test_households_buying_whole_bags_give_the_intervals_of_history(fixed_share):
    # Given households that buy whole bags, read with their bag as the step (some with none)
    bought = simulate_events(
        300, seed=5, reading_chance=0.03, feedback_chance=0.3, whole_units=True
    )
    rng = np.random.default_rng(6)
    shuffled = rng.permutation(bought.subscription.size)
    arrays = [
        bought.subscription[shuffled],
        bought.day[shuffled],
        bought.kind[shuffled],
        bought.amount[shuffled],
    ]
    policy = np.where(rng.random(bought.people.size) < fixed_share, FIXED, TO_CAPACITY)
    step = np.where(rng.random(bought.people.size) < 0.2, 0.0, bought.unit)

    found = read_many(*arrays, bought.capacity, policy, step)

    assert found.exposure.units.size > 10_000
    assert_same(found, one_at_a_time(*arrays, bought.capacity, policy, step))


# Validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize("capacity", [0, -5, float("nan"), float("inf")])
def test_a_capacity_that_is_not_positive_names_its_subscription(capacity):
    histories = [[fill(0, 5)], [], [fill(0, 5)]]

    with pytest.raises(ValueError, match="subscription 1: capacity"):
        read_many(*long_format(histories), [5, capacity, 5], [TO_CAPACITY] * 3)


@pytest.mark.parametrize(
    "event", [fill(0, 25), reading(0, -1), reading(0, 21), fill(np.nan, 1), reading(np.inf, 1)]
)
def test_events_that_do_not_fit_name_the_first_subscription_with_one(event):
    histories = [[fill(0, 20)], [fill(0, 20), event], [event]]

    with pytest.raises(ValueError, match="subscription 1: "):
        read_many(*long_format(histories), [20] * 3, [TO_CAPACITY] * 3)


@pytest.mark.parametrize(
    "arrays",
    [
        ([0, 2], [0, 1], [0, 0], [1, 1]),  # no subscription 2
        ([0, 0.5], [0, 1], [0, 0], [1, 1]),  # not an index
        ([0, 1], [0, 1], [0, 3], [1, 1]),  # no kind 3
        ([0, 1], [0], [0, 0], [1, 1]),  # lengths differ
    ],
)
def test_malformed_arrays_are_refused(arrays):
    with pytest.raises(ValueError):
        read_many(*arrays, [5, 5], [TO_CAPACITY] * 2)


@pytest.mark.parametrize("step", [-1, float("nan"), float("inf")])
def test_a_step_that_is_negative_or_not_finite_names_its_subscription(step):
    histories = [[fill(0, 5)], [fill(0, 5)], [fill(0, 5)]]

    with pytest.raises(ValueError, match="subscription 1: step"):
        read_many(*long_format(histories), [5] * 3, [TO_CAPACITY] * 3, [1, step, -1])


def test_a_step_of_another_length_is_refused():
    with pytest.raises(ValueError, match="step"):
        read_many([0], [0], [0], [1], [5], [TO_CAPACITY], [1, 1])


def test_unknown_fill_policy_codes_are_refused():
    with pytest.raises(ValueError, match="fill_policy"):
        read_many([0], [0], [0], [1], [5], [2])


# Properties ---------------------------------------------------------------------------------

amounts = st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0, 1))
random_events = st.lists(
    st.tuples(st.integers(0, 2), st.integers(0, 5), st.sampled_from(list(EventCode)), amounts),
    max_size=40,
)
# a unit of sale as a share of the capacity: none, whole fractions, any, beyond it
steps = st.one_of(st.sampled_from([0.0, 0.5, 1 / 3, 2 / 3, 1.0]), st.floats(0, 2.5))
subscriptions = st.lists(
    st.tuples(st.sampled_from([1.0, 7.5, 20.0]), st.sampled_from(list(FillPolicyCode)), steps),
    min_size=3,
    max_size=3,
)


@settings(max_examples=300)
@given(random_events, subscriptions)
def test_any_events_in_any_order_give_the_intervals_of_history(events, per_subscription):
    capacity = np.array([size for size, _, _ in per_subscription])
    policy = np.array([code for _, code, _ in per_subscription])
    step = np.array([share for _, _, share in per_subscription]) * capacity
    owner = np.array([e[0] for e in events], dtype=int)
    day = np.array([e[1] for e in events], dtype=float)
    kind = np.array([e[2] for e in events], dtype=int)
    amount = np.array([e[3] for e in events], dtype=float) * capacity[owner]

    found = read_many(owner, day, kind, amount, capacity, policy, step)

    assert_same(found, one_at_a_time(owner, day, kind, amount, capacity, policy, step))
