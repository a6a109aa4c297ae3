"""The board: each person's scores beside their customer outcomes, computed by hand, in a
number of queries that does not grow with the team."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kept.customers.models import Customer
from kept.feedback.models import Survey
from kept.servicedesk.choices import SlaState
from kept.servicedesk.models import Ticket
from kept.team import queries
from kept.team.models import Period

pytestmark = pytest.mark.django_db


@pytest.fixture
def window(today):
    """A period around today, whatever the day of the month."""
    return Period.objects.create(start=today - timedelta(days=10), end=today + timedelta(days=10))


def _survey(customer, staff, csat, *, days_ago=1):
    at = timezone.now() - timedelta(days=days_ago)
    number = Survey.objects.count() + 1
    return Survey.objects.create(
        customer=customer,
        trigger="manual",
        staff=staff,
        language="en",
        token_digest=f"{number:064x}",
        sent_at=at,
        expires_at=at + timedelta(days=14),
        answered_at=at if csat is not None else None,
        csat=csat,
    )


def _ticket(customer, assignee, response, resolution):
    return Ticket.objects.create(
        customer=customer,
        subject="Rice late",
        assignee=assignee,
        first_response_state=response,
        resolution_state=resolution,
    )


@pytest.fixture
def ann_customer(team):
    return Customer.objects.create(code="H1", name="王芳", owner=team["ann"])


def test_outcomes_stand_beside_the_scores(team, items, give, window, ann_customer, today):
    from kept.fulfilment import scores
    from kept.fulfilment.actions import record_delivery
    from kept.promising.models import OrderLine

    ann, bob = team["ann"], team["bob"]
    # given ann's scores: self 1 and 0; bob gives her 1 and cai 0 on the first item
    give(ann, ann, {items[0]: 1, items[1]: 0}, at=window)
    give(bob, ann, {items[0]: 1}, at=window)
    give(team["cai"], ann, {items[0]: 0}, at=window)
    # CSAT: 5, 4 and 2 answered, one unanswered, one before the period → 2 of 3
    for csat in (5, 4, 2, None):
        _survey(ann_customer, ann, csat)
    _survey(ann_customer, ann, 1, days_ago=40)
    _survey(ann_customer, bob, 5)  # bob's, not hers
    # SLA: met+met, met+breached, breached+running → 3 met of 5 decided
    _ticket(ann_customer, ann, SlaState.MET, SlaState.MET)
    _ticket(ann_customer, ann, SlaState.MET, SlaState.BREACHED)
    _ticket(ann_customer, ann, SlaState.BREACHED, SlaState.ON_TRACK)
    # promises kept (her customer's lines): one kept, one late, one still pending → 1 of 2
    order = _three_lines(ann_customer, today)
    first, late, pending = order.lines.order_by("number")
    record_delivery(first, Decimal(10), delivered_at=timezone.now())
    # promised for three days ago (as if promised last week), delivered today: late
    OrderLine.objects.filter(pk=late.pk).update(governing_date=today - timedelta(days=3))
    late.versions.update(date=today - timedelta(days=3))
    scores.mark_orders([order.pk])
    record_delivery(late, Decimal(4), delivered_at=timezone.now())
    record_delivery(pending, Decimal(2), delivered_at=timezone.now())  # short, window open

    # when the board is read
    board = queries.board(window, today)

    # then ann's row carries her scores and her outcomes, by hand
    row = next(r for r in board.rows if r.person == ann)
    assert [(c.self_value, c.peer_sum, c.peer_count) for c in row.items[:2]] == [
        (1, 1, 2),
        (0, 0, 0),
    ]
    assert row.items[0].peer_average == 0.5
    assert (row.totals.self_total, row.totals.self_items) == (1, 2)
    assert (row.outcomes.satisfied, row.outcomes.csat_answers) == (2, 3)
    assert (row.outcomes.sla_met, row.outcomes.sla_targets) == (3, 5)
    assert (row.outcomes.lines_kept, row.outcomes.lines) == (1, 2)
    assert row.outcomes.promises_kept == 0.5
    bob_row = next(r for r in board.rows if r.person == bob)
    assert bob_row.outcomes.csat == 1.0 and bob_row.outcomes.promises_kept is None


def _three_lines(customer, today):
    from kept.catalog import actions as catalog
    from kept.promising import actions as promising
    from kept.promising.engine import LineInput

    rice = catalog.create_product(
        {"sku": "RICE", "name": "Rice", "unit": "bag", "price": Decimal(50), "cost": Decimal(40)}
    )
    catalog.record_movement(rice, Decimal(50), "opening")
    wanted = [LineInput(rice, Decimal(q), today) for q in ("10", "4", "5")]
    order, _evaluation = promising.promise_order(customer, wanted)
    return order


def test_the_board_lists_every_member_and_not_the_viewer(team, period, today):
    names = [row.person.username for row in queries.board(period, today).rows]
    assert names == ["ann", "bob", "boss", "cai", "keeper"]


def test_the_board_reads_in_a_fixed_number_of_queries(
    team, items, give, period, today, make_user, django_assert_max_num_queries
):
    give(team["ann"], team["bob"], dict.fromkeys(items, 1), "有礼貌")
    with django_assert_max_num_queries(8):
        small = queries.board(period, today)
    for number in range(12):  # a bigger team, scored too
        newcomer = make_user("staff", f"new{number}")
        give(newcomer, team["ann"], dict.fromkeys(items, number % 2))
    with django_assert_max_num_queries(8):
        big = queries.board(period, today)
    assert len(big.rows) == len(small.rows) + 12


def test_a_persons_history_reads_in_a_fixed_number_of_queries(
    team, items, give, period, today, django_assert_max_num_queries
):
    give(team["bob"], team["ann"], {items[0]: 1}, "主动帮忙")
    with django_assert_max_num_queries(9):
        rows = queries.history(team["ann"], today, with_raters=False)
    assert rows[0].totals.peer_total == 1 and rows[0].notes[0].rater is None


def test_my_scorecard_in_three_queries(team, items, give, period, today):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    give(team["ann"], team["ann"], dict.fromkeys(items[:2], 1))
    give(team["ann"], team["bob"], dict.fromkeys(items, 0))
    give(team["bob"], team["ann"], {items[0]: 1, items[1]: 0})
    with CaptureQueriesContext(connection) as captured:
        card = queries.my_scorecard(team["ann"], today)
    assert len(captured) <= 3
    # 5 members × 4 items to give; she gave 6
    assert (card.to_give, card.given, card.left_to_give) == (20, 6, 14)
    assert card.self_share == 1.0 and card.peer_share == 0.5 and card.peer_scores == 2
    assert not card.has_scored_everyone


def test_my_scorecard_before_anyone_opened_the_period(team, today):
    card = queries.my_scorecard(team["ann"], today)
    assert card.period is None and card.to_give == 20 and card.given == 0
    assert queries.my_scorecard(team["watcher"], today).to_give == 0  # not on the team
