"""Today's plan from the database: the fills are the deliveries, readings and feedback
correct them, and what was answered today or is already on order is left out."""

from datetime import timedelta

import pytest

from kept.replenishment import actions, queries
from kept.replenishment.choices import Outcome

pytestmark = pytest.mark.django_db


def _regular(fill, jar, every=10, times=8, quantity=10):
    """A household that refills 10 kg every 10 days: 1 kg a day; last fill ``every`` ago."""
    for n in range(times, 0, -1):
        fill(jar, n * every, quantity)


def test_a_household_about_to_run_out_is_proposed_with_a_refill(fill, jar, today):
    _regular(fill, jar)
    book = queries.load(today)
    assert book.belief.mean[0] == pytest.approx(1.0, rel=0.15)  # kg a day
    [proposed] = queries.todays_plan(today)
    assert proposed.subscription == jar
    assert proposed.delivery_date == today + timedelta(days=1)
    # the jar was full 10 days ago at ~1 kg/day: ~5 kg left; refill to 15 at delivery
    assert 3 <= proposed.level_today <= 7
    assert 9 <= proposed.quantity <= 13
    assert proposed.risk_date <= today + timedelta(days=2)


def test_a_reading_showing_a_full_jar_takes_it_off_the_plan(fill, jar, today):
    _regular(fill, jar)
    actions.record_reading(jar, 14, day=today)
    assert queries.todays_plan(today) == []


def test_an_answer_today_or_a_postponement_takes_it_off(fill, jar, today):
    _regular(fill, jar)
    [proposed] = queries.todays_plan(today)
    actions.record_outcome(
        jar, proposed, Outcome.POSTPONED, postponed_until=today + timedelta(days=3)
    )
    assert queries.todays_plan(today) == []
    assert queries.todays_plan(today + timedelta(days=1)) == []  # still postponed
    assert queries.todays_plan(today + timedelta(days=3))  # due again


def test_ordering_a_proposal_goes_through_the_promise_engine(fill, jar, today, manager):
    _regular(fill, jar)
    [proposed] = queries.todays_plan(today)
    proposal, promised = actions.order_proposal(jar, proposed, actor=manager)
    assert proposal.order == promised.order and proposal.outcome == Outcome.ACCEPTED
    assert promised.order.lines.get().product == jar.product
    assert queries.todays_plan(today) == []  # answered (and on order)


def test_still_had_is_a_reading_that_feeds_the_model(fill, jar, today):
    _regular(fill, jar)
    [proposed] = queries.todays_plan(today)
    before = queries.load(today).belief.mean[0]
    actions.record_outcome(jar, proposed, Outcome.STILL_HAD, still_had=9)
    assert jar.readings.get().level == 9
    assert queries.load(today).belief.mean[0] < before  # used less than thought


def test_no_history_no_plan_but_no_error(jar, today):
    assert queries.todays_plan(today) == []
    assert queries.load(today).belief.mean[0] > 0  # the prior: a jar a month


def test_a_short_pick_topped_up_later_is_one_fill(fill, jar, today):
    """The rest of a line delivered two days later is the same fill, not a bag eaten in
    two days."""
    from datetime import timedelta as days

    from django.utils import timezone

    from kept.fulfilment.models import Delivery

    _regular(fill, jar)
    first = fill(jar, 5, 6)  # 6 of 10 kg five days ago…
    at = timezone.make_aware(
        timezone.datetime.combine(today - days(3), timezone.datetime.min.time())
    )
    Delivery.objects.create(
        line=first.line, quantity=4, delivered_at=at, delivered_on=today - days(3)
    )  # …the other 4 two days later
    first.line.requested_quantity = first.line.governing_quantity = 10
    first.line.save()
    book = queries.load(today)
    assert book.last_day[0] == (today - days(5)).toordinal()
    assert book.belief.mean[0] == pytest.approx(1.0, rel=0.2)  # not 2 kg a day
