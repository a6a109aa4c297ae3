"""ATP core: hand-computed timelines and properties (SPEC 2.3)."""

from datetime import date, timedelta
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from kept.promising.atp import Earliest, Timeline

TODAY = date(2026, 3, 2)


def day(n: int) -> date:
    return TODAY + timedelta(days=n)


def test_receipt_after_a_big_later_commitment():
    # on hand 10; +20 arrives day 5; 25 promised for day 6.
    # PAB: d0..d4 = 10, d5 = 30, d6+ = 5.  ATP = min of PAB from d on → 5 everywhere.
    t = Timeline(TODAY, D(10), receipts=[(day(5), D(20))], commitments=[(day(6), D(25))])
    assert [t.pab(day(n)) for n in (0, 4, 5, 6, 30)] == [D(10), D(10), D(30), D(5), D(5)]
    assert [t.atp(day(n)) for n in (0, 4, 5, 6, 30)] == [D(5)] * 5
    assert t.can_commit(D(5), day(0)) and not t.can_commit(D(6), day(5))
    assert t.earliest_date(D(6), TODAY) is None


def test_later_receipt_frees_stock_only_from_its_date():
    # on hand 4; 4 promised day 2; +10 on day 7 → ATP 0 until day 6, 10 from day 7.
    t = Timeline(TODAY, D(4), receipts=[(day(7), D(10))], commitments=[(day(2), D(4))])
    assert [t.atp(day(n)) for n in (0, 2, 6, 7)] == [D(0), D(0), D(0), D(10)]
    assert t.earliest_date(D(3), day(1)) == Earliest(day(7))
    assert t.earliest_date(D(11), day(1)) is None


def test_overdue_commitment_counts_today():
    # 8 promised for three days ago and not delivered: it still holds 8 of the 10 on hand.
    t = Timeline(TODAY, D(10), commitments=[(day(-3), D(8))])
    assert t.pab(TODAY) == D(2) and t.atp(TODAY) == D(2)
    assert t.pab(day(-10)) == D(2)  # the past reads as today
    assert not t.can_commit(D(3), day(1))


def test_over_committed_day_after_a_receipt_slipped():
    # The receipt of 10 moved from day 3 to day 9; 12 were promised on day 4 against it.
    t = Timeline(TODAY, D(5), receipts=[(day(9), D(10))], commitments=[(day(4), D(12))])
    assert t.pab(day(4)) == D(-7) and t.pab(day(9)) == D(3)
    assert [t.atp(day(n)) for n in (0, 4, 8, 9)] == [D(-7), D(-7), D(-7), D(3)]
    assert t.shortfall() == D(7)
    assert t.earliest_date(D(1), TODAY) == Earliest(day(9))


def test_replenishment_lead_time_makes_later_dates_feasible():
    t = Timeline(TODAY, D(2))
    assert t.earliest_date(D(5), TODAY) is None
    assert t.earliest_date(D(5), TODAY, replenishment_lead_days=4) == Earliest(
        day(4), to_procure=True
    )
    assert t.earliest_date(D(5), day(10), replenishment_lead_days=4) == Earliest(
        day(10), to_procure=True
    )
    assert t.earliest_date(D(2), TODAY, replenishment_lead_days=4) == Earliest(TODAY)


def test_stock_wins_over_procurement_when_earlier():
    t = Timeline(TODAY, D(0), receipts=[(day(2), D(9))])
    assert t.earliest_date(D(5), TODAY, replenishment_lead_days=5) == Earliest(day(2))
    assert t.earliest_date(D(10), TODAY, replenishment_lead_days=5) == Earliest(
        day(5), to_procure=True
    )


def test_days_lists_each_calendar_day():
    t = Timeline(TODAY, D(3), receipts=[(day(1), D(2))], commitments=[(day(2), D(4))])
    assert [(x.pab, x.atp) for x in t.days(TODAY, day(3))] == [
        (D(3), D(1)),
        (D(5), D(1)),
        (D(1), D(1)),
        (D(1), D(1)),
    ]


def test_late_receipt_counts_today():
    t = Timeline(TODAY, D(0), receipts=[(day(-2), D(6))])
    assert t.atp(TODAY) == D(6)


quantities = st.integers(min_value=0, max_value=50).map(D)
offsets = st.integers(min_value=-5, max_value=40)
dated = st.tuples(offsets.map(day), quantities)


def _timelines():
    return st.builds(
        lambda on_hand, receipts: Timeline(TODAY, on_hand, receipts=receipts),
        quantities,
        st.lists(dated, max_size=8),
    )


@settings(max_examples=300)
@given(_timelines(), st.lists(st.tuples(offsets.map(day), st.integers(1, 40).map(D)), max_size=25))
def test_commit_iff_atp_covers_and_atp_never_goes_negative(timeline, requests):
    for when, quantity in requests:
        feasible = timeline.atp(when) >= quantity
        assert timeline.can_commit(quantity, when) == feasible
        if feasible:
            timeline = timeline.with_commitment(quantity, when)
        assert all(timeline.atp(day(n)) >= 0 for n in range(-6, 45))


@settings(max_examples=300)
@given(_timelines(), st.lists(dated, max_size=8), offsets)
def test_atp_is_the_look_ahead_minimum_and_never_decreases(base, commitments, start):
    timeline = Timeline(TODAY, base.on_hand, base.receipts, commitments)
    values = [timeline.atp(day(n)) for n in range(start, 45)]
    assert values == sorted(values)
    for n in range(0, 45):
        assert timeline.atp(day(n)) == min(timeline.pab(day(m)) for m in range(n, 46))


@settings(max_examples=200)
@given(_timelines(), st.integers(1, 60).map(D), offsets, st.one_of(st.none(), st.integers(0, 30)))
def test_earliest_date_is_the_first_feasible_day(timeline, quantity, start, lead):
    found = timeline.earliest_date(quantity, day(start), replenishment_lead_days=lead)
    first = max(day(start), TODAY)
    stock_days = [
        day(n) for n in range(0, 60) if day(n) >= first and timeline.atp(day(n)) >= quantity
    ]
    if lead is None:
        assert found == (Earliest(stock_days[0]) if stock_days else None)
    else:
        procured = max(first, TODAY + timedelta(days=lead))
        if stock_days and stock_days[0] <= procured:
            assert found == Earliest(stock_days[0])
        else:
            assert found == Earliest(procured, to_procure=True)
