from datetime import date, timedelta
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from kept.promising.atp import Earliest, Timeline
from kept.promising.risk import Held, promises_at_risk

TODAY = date(2026, 3, 2)


def day(n):
    return TODAY + timedelta(days=n)


def test_slipped_receipt_puts_the_later_promise_at_risk():
    # 10 on hand; a receipt of 10 slipped from day 3 to day 9.
    # Promised: A 8 on day 2 (first), B 10 on day 4.
    held = [Held("A", day(2), D(8)), Held("B", day(4), D(10))]
    [risk] = promises_at_risk(TODAY, D(10), [(day(9), D(10))], held)
    assert risk.key == "B" and risk.proposal == Earliest(day(9))


def test_earliest_promise_keeps_its_stock_even_when_dated_later():
    held = [Held("first", day(6), D(5)), Held("second", day(2), D(5))]
    [risk] = promises_at_risk(TODAY, D(5), [], held)
    assert risk.key == "second" and risk.proposal is None


def test_write_off_with_replenishment_proposes_to_procure():
    [risk] = promises_at_risk(TODAY, D(0), [], [Held("A", day(1), D(3))], replenishment_lead_days=5)
    assert risk.proposal == Earliest(day(5), to_procure=True)


def test_nothing_at_risk_when_covered():
    assert (
        promises_at_risk(
            TODAY, D(10), [(day(1), D(5))], [Held(1, day(0), D(10)), Held(2, day(1), D(5))]
        )
        == []
    )


@settings(max_examples=200)
@given(st.integers(0, 30), st.lists(st.tuples(st.integers(0, 20), st.integers(1, 20)), max_size=10))
def test_what_stays_is_covered(on_hand, promises):
    held = [Held(i, day(d), D(q)) for i, (d, q) in enumerate(promises)]
    risky = {r.key for r in promises_at_risk(TODAY, D(on_hand), [], held)}
    kept = [h for h in held if h.key not in risky]
    timeline = Timeline(TODAY, D(on_hand), [], [(h.date, h.quantity) for h in kept])
    assert timeline.shortfall() == 0
