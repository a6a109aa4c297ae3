"""The demo's value scorecards (SPEC 2.9, 4): six months, every member scored by self and
peers, the modest one and the one who sees himself better than his peers do, notes in
Chinese, this month partly scored; the same seed gives the same scores."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Avg, F
from django.utils import timezone

from kept.demo.context import DemoContext
from kept.demo.scorecards import MONTHS, save_scorecards, score_drafts, team_usernames
from kept.team import queries
from kept.team.models import Period, Score

pytestmark = pytest.mark.django_db


def _context(today, seed=7) -> DemoContext:
    return DemoContext(seed, 0.05, today, timezone.get_default_timezone())


@pytest.fixture
def scorecards(small_demo, today):
    """The demo with its scorecards (written here until the build takes this step)."""
    if not Score.objects.exists():
        ctx = _context(today)
        names = team_usernames() + ["viewer"]
        ctx.users = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
        save_scorecards(ctx)
    return today


def _share(**where) -> float:
    return Score.objects.filter(**where).aggregate(share=Avg("value"))["share"]


def test_six_periods_the_past_ones_closed_and_every_member_scored(scorecards):
    today = scorecards
    periods = list(Period.objects.order_by("start"))
    assert len(periods) == MONTHS and periods[-1].start == today.replace(day=1)
    assert all(not p.is_open for p in periods[:-1]) and periods[-1].is_open
    team = set(team_usernames())
    scored = set(Score.objects.values_list("person__username", flat=True))
    raters = set(Score.objects.values_list("rater__username", flat=True))
    assert scored == raters == team  # the viewer neither scores nor is scored
    last_month = periods[-2]
    # a closed month is complete: everyone scored everyone on every item
    assert Score.objects.filter(period=last_month).count() == len(team) ** 2 * 4


def test_the_modest_one_and_the_one_who_rates_himself_higher(scorecards):
    selfs = {"rater": F("person")}
    modest_self = _share(person__username="staff3", rater__username="staff3")
    modest_peers = Score.objects.filter(person__username="staff3").exclude(**selfs)
    assert modest_self < modest_peers.aggregate(share=Avg("value"))["share"] - 0.15
    proud_self = _share(person__username="staff4", rater__username="staff4")
    proud_peers = Score.objects.filter(person__username="staff4").exclude(**selfs)
    assert proud_self > proud_peers.aggregate(share=Avg("value"))["share"] + 0.2


def test_notes_in_chinese_and_this_month_partly_scored(scorecards):
    today = scorecards
    notes = list(Score.objects.exclude(note="").values_list("note", flat=True))
    assert len(notes) >= 20 and all(any("\u4e00" <= c <= "\u9fff" for c in n) for n in notes)
    this_month = Period.objects.get(start=today.replace(day=1))
    raters = set(Score.objects.filter(period=this_month).values_list("rater__username", flat=True))
    assert {"manager", "staff1", "warehouse", "staff3"} == raters  # staff2 and staff4 not yet
    staff2 = get_user_model().objects.get(username="staff2")
    card = queries.my_scorecard(staff2, today)
    assert card.given == 0 and card.to_give == 24 and card.peer_scores > 0


def test_the_board_shows_scores_beside_outcomes(scorecards):
    today = scorecards
    last_month = Period.objects.get(start=(today.replace(day=1) - timedelta(days=1)).replace(day=1))
    rows = {row.person.username: row for row in queries.board(last_month, today).rows}
    assert rows["staff1"].totals.peer_items == 4
    assert any(row.outcomes.csat is not None for row in rows.values())


def test_the_same_seed_gives_the_same_scores(today):
    people = team_usernames()
    first = score_drafts(_context(today), people, 4)
    assert first == score_drafts(_context(today), people, 4)
    assert first != score_drafts(_context(today, seed=8), people, 4)
