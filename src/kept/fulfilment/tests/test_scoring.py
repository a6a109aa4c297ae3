"""The scoring rules of SPEC 2.4, one by one and combined (pure core, no database)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kept.fulfilment.scoring import (
    EXCLUDED,
    PENDING,
    REQUEST,
    SCORED,
    Delivery,
    Line,
    Tolerance,
    Version,
    governing,
    score_line,
    summarise,
)

D = date(2026, 3, 10)  # the promised date in most cases
STRICT = Tolerance()
AFTER = D + timedelta(days=30)  # "today", long after every window


def day(offset: int) -> date:
    return D + timedelta(days=offset)


def line(*deliveries, quantity="10", versions=None, requested=(None, None), **extra) -> Line:
    versions = versions or (Version(1, "initial", Decimal(quantity), D),)
    requested_quantity, requested_date = requested
    return Line(
        1,
        1,
        Decimal(requested_quantity or quantity),
        requested_date or D,
        tuple(versions),
        tuple(Delivery(Decimal(q), day(o), ok, n) for n, (q, o, ok) in enumerate(deliveries)),
        **extra,
    )


def ok(quantity, offset):
    return (quantity, offset, True)


def test_governing_is_the_latest_agreed_else_the_first():
    first = Version(1, "initial", Decimal(10), D)
    slipped = Version(2, "unilateral", Decimal(10), day(3))
    agreed = Version(3, "agreed", Decimal(8), day(5))
    later_slip = Version(4, "unilateral", Decimal(8), day(9))
    assert governing([first]) == first
    assert governing([slipped, first]) == first  # a unilateral change moves nothing
    assert governing([first, slipped, agreed, later_slip]) == agreed
    assert governing([]) is None


def test_perfect_line_on_the_day_in_full():
    score = score_line(line(ok("10", 0)), STRICT, AFTER)
    assert score.status == SCORED and score.perfect and score.filled
    assert score.fill_units == Decimal(10) and score.failed() == []


def test_late_delivery_is_in_full_but_not_on_time_and_not_in_full_by_the_window():
    score = score_line(line(ok("10", 1)), STRICT, AFTER)
    # by the window's end (the promised day) nothing had come: short, and late
    assert (score.on_time, score.in_full, score.perfect) == (False, False, False)
    assert score.failed() == ["on_time", "in_full"] and score.fill_units == 0


def test_early_delivery_is_in_full_but_not_on_time():
    score = score_line(line(ok("10", -2)), STRICT, AFTER)
    assert (score.on_time, score.in_full, score.filled) == (False, True, False)
    assert score.failed() == ["on_time"]


def test_early_days_tolerance_makes_early_on_time():
    score = score_line(line(ok("10", -2)), Tolerance(early_days=2), AFTER)
    assert score.perfect and score.filled


def test_late_days_tolerance():
    assert score_line(line(ok("10", 2)), Tolerance(late_days=2), AFTER).perfect
    assert not score_line(line(ok("10", 3)), Tolerance(late_days=2), AFTER).on_time


def test_partial_then_late_completion():
    score = score_line(line(ok("6", 0), ok("4", 2)), STRICT, AFTER)
    assert (score.on_time, score.in_full, score.quality_ok) == (False, False, True)
    assert score.fill_units == Decimal(6) and not score.filled


def test_partial_then_completion_inside_the_window():
    score = score_line(line(ok("6", -1), ok("4", 1)), Tolerance(early_days=1, late_days=1), AFTER)
    assert score.perfect and score.fill_units == Decimal(10)


def test_short_tolerance_boundary():
    five_percent = Tolerance(short_percent=Decimal(5))
    assert score_line(line(ok("9.5", 0)), five_percent, AFTER).perfect  # exactly 95 %
    score = score_line(line(ok("9.499", 0)), five_percent, AFTER)
    assert (score.in_full, score.on_time) == (False, False)  # never reached 95 %


def test_quality_failure_on_one_of_two_deliveries():
    score = score_line(line(ok("5", 0), ("5", 0, False)), STRICT, AFTER)
    assert (score.on_time, score.in_full, score.quality_ok, score.perfect) == (
        True,
        True,
        False,
        False,
    )
    assert score.failed() == ["quality"]


def test_unilateral_slip_still_scored_against_the_original():
    versions = (
        Version(1, "initial", Decimal(10), D),
        Version(2, "unilateral", Decimal(10), day(4)),
    )
    score = score_line(line(ok("10", 4), versions=versions), STRICT, AFTER)
    assert score.target.date == D and not score.on_time


def test_agreed_change_resets_the_target():
    versions = (Version(1, "initial", Decimal(10), D), Version(2, "agreed", Decimal(8), day(4)))
    score = score_line(line(ok("8", 4), versions=versions), STRICT, AFTER)
    assert score.target.date == day(4) and score.target.quantity == 8 and score.perfect


def test_pending_while_the_window_is_open_and_short():
    assert score_line(line(ok("4", 0)), Tolerance(late_days=2), day(2)).status == PENDING
    assert score_line(line(), STRICT, D).status == PENDING  # due today, nothing yet


def test_complete_inside_an_open_window_is_scored():
    assert score_line(line(ok("10", 0)), Tolerance(late_days=5), D).status == SCORED


def test_past_the_window_and_still_short_fails():
    score = score_line(line(ok("4", 0)), STRICT, day(1))
    assert score.status == SCORED and not score.in_full and not score.on_time


def test_never_promised_and_customer_cancelled_are_excluded():
    never = Line(1, 1, Decimal(10), D, (), ())
    assert score_line(never, STRICT, AFTER).status == EXCLUDED
    assert score_line(line(customer_cancelled=True), STRICT, AFTER).status == EXCLUDED


def test_against_the_request():
    versions = (Version(1, "initial", Decimal(10), day(3)),)  # promised later than asked
    kept = line(ok("10", 3), versions=versions, requested=("10", D))
    assert score_line(kept, STRICT, AFTER).perfect  # the promise was kept
    request = score_line(kept, STRICT, AFTER, against=REQUEST)
    assert not request.on_time and request.target.date == D  # the request was not met


def test_orders_are_perfect_when_every_line_is_and_pending_orders_wait():
    def scored(line_id, order_id, *deliveries, today=AFTER):
        base = line(*deliveries)
        return score_line(
            Line(
                line_id,
                order_id,
                base.requested_quantity,
                base.requested_date,
                base.versions,
                base.deliveries,
            ),
            STRICT,
            today,
        )

    scores = [
        ("m", scored(1, 1, ok("10", 0))),
        ("m", scored(2, 1, ok("10", 0))),  # order 1: perfect
        ("m", scored(3, 2, ok("10", 0))),
        ("m", scored(4, 2, ok("10", 1))),  # order 2: one late line
        ("m", scored(5, 3, ok("10", 0))),
        ("m", scored(6, 3, today=D)),  # order 3: a pending line
    ]
    metrics = summarise(scores)["m"]
    assert (metrics.orders, metrics.perfect_orders, metrics.lines, metrics.pending_lines) == (
        2,
        1,
        5,
        1,
    )
    rates = metrics.rates()
    assert rates["perfect_order_rate"] == 0.5 and rates["otif"] == 0.8
    assert rates["unit_fill_rate"] == 0.8 and rates["order_fill_rate"] == 0.5


def test_rates_are_none_when_nothing_counted():
    assert all(
        v is None for v in summarise([("k", score_line(line(), STRICT, D))])["k"].rates().values()
    )


def test_tolerance_is_validated():
    with pytest.raises(ValueError):
        Tolerance(late_days=-1)
    with pytest.raises(ValueError):
        Tolerance(short_percent=Decimal(100))


quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(50), places=3)


@given(
    st.lists(st.tuples(quantities, st.integers(-5, 5), st.booleans()), max_size=5),
    st.integers(0, 3),
    st.integers(0, 3),
)
def test_properties(deliveries, early, late):
    tolerance = Tolerance(early_days=early, late_days=late)
    score = score_line(line(*deliveries), tolerance, AFTER)
    assert score.status == SCORED
    assert score.perfect == (score.on_time and score.in_full and score.quality_ok)
    assert score.in_full or not score.on_time  # on time implies in full
    assert Decimal(0) <= score.fill_units <= Decimal(10)
    assert score.filled <= score.in_full  # filled inside the window implies in full by its end
