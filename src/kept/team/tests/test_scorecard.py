"""The pure arithmetic of a scorecard: peer averages, totals, months."""

from datetime import date

from kept.team.scorecard import (
    NOT_SCORED,
    ItemScore,
    month_of,
    parse_month,
    previous_months,
    share,
    totals,
)


def test_the_peer_average_is_the_share_of_peers_who_gave_1():
    assert ItemScore(1, 3, 4).peer_average == 0.75
    assert NOT_SCORED.peer_average is None  # nobody scored: a gap, not a zero


def test_totals_keep_self_and_peers_apart_and_count_only_what_was_scored():
    # given three items: self 1, 0 and unscored; peers 3/4, none, 1/2
    items = [ItemScore(1, 3, 4), ItemScore(0, 0, 0), ItemScore(None, 1, 2)]
    # when totalled
    found = totals(items)
    # then self is 1 of 2 items self-scored, peers 0.75 + 0.5 of 2 items peers scored
    assert (found.self_total, found.self_items) == (1, 2)
    assert (found.peer_total, found.peer_items) == (1.25, 2)
    assert found.self_share == 0.5 and found.peer_share == 0.625
    assert totals([]).self_share is None and totals([]).peer_share is None


def test_share_is_none_when_nothing_was_counted():
    assert share(2, 3) == 2 / 3 and share(0, 0) is None


def test_months():
    assert month_of(date(2024, 2, 10)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert parse_month("2026-12") == date(2026, 12, 1)
    assert [parse_month(t) for t in ["2026-13", "26-12", "2026-1", "abcd-ef", "", "0000-01"]] == [
        None
    ] * 6
    assert previous_months(date(2026, 2, 15), 3) == [
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
