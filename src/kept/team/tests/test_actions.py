"""Scoring: one score per rater, item, person and period, updated while the period is open;
closed periods refuse; only team members and active items; audited; items keep history."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from kept.core.models import AuditEntry
from kept.team import actions
from kept.team.actions import Entry, submit_scores
from kept.team.choices import DefaultItem
from kept.team.models import BehaviourItem, Period, Score

pytestmark = pytest.mark.django_db


def test_the_four_defaults_exist_in_order_and_show_in_the_readers_language(items):
    assert [item.key for item in items] == list(DefaultItem.values)
    assert all(item.text == "" for item in items)  # stored as keys: the text is translated
    with translation.override("en"):
        assert items[0].display_text == "Respects and thanks the customer"
    with translation.override("zh-hans"):
        assert items[0].display_text == str(DefaultItem.RESPECT.label)


def test_scoring_again_in_an_open_period_updates_the_one_score(team, items, give, period):
    # given ann scored bob 0 on the first item
    give(team["ann"], team["bob"], {items[0]: 0}, "late twice")
    # when she scores him again
    give(team["ann"], team["bob"], {items[0]: 1}, "better since")
    # then there is still one score, now 1 with the new note, and both changes are audited
    score = Score.objects.get()
    assert (score.value, score.note) == (1, "better since")
    entries = AuditEntry.objects.filter(action="scorecard.score").order_by("id")
    assert entries.count() == 2
    assert entries.last().changes["scores"][0]["from"] == [0, "late twice"]


def test_the_database_refuses_a_second_score_for_the_same_rater_item_person_period(
    team, items, give, period
):
    give(team["ann"], team["bob"], {items[0]: 1})
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.create(
            period=period, item=items[0], rater=team["ann"], person=team["bob"], value=0
        )


def test_an_unchanged_score_writes_no_audit_entry(team, items, give):
    give(team["ann"], team["ann"], {items[0]: 1})
    give(team["ann"], team["ann"], {items[0]: 1})
    assert AuditEntry.objects.filter(action="scorecard.score").count() == 1


def test_a_closed_period_takes_no_more_scores(team, items, give, period):
    give(team["ann"], team["bob"], {items[0]: 1})
    actions.close_period(period, team["boss"])
    with pytest.raises(actions.PeriodClosed):
        give(team["ann"], team["bob"], {items[0]: 0})
    assert Score.objects.get().value == 1  # unchanged
    assert AuditEntry.objects.filter(action="scorecard.period.close").count() == 1


def test_a_period_reopens_only_with_a_reason(team, period):
    actions.close_period(period, team["boss"])
    with pytest.raises(ValidationError):
        actions.reopen_period(period, team["boss"], reason=" ")
    assert actions.reopen_period(period, team["boss"], reason="ann was away").is_open


def test_this_months_period_opens_once(today):
    first, again = actions.open_period(today), actions.open_period(today.replace(day=1))
    assert first == again and Period.objects.count() == 1
    assert first.start == today.replace(day=1) and first.end.month == today.month


def test_only_team_members_score_and_are_scored(team, items, period):
    with pytest.raises(ValidationError):  # a viewer is not on the team
        submit_scores(team["watcher"], period, [Entry(team["ann"].pk, items[0].pk, 1)])
    with pytest.raises(ValidationError):
        submit_scores(team["ann"], period, [Entry(team["watcher"].pk, items[0].pk, 1)])
    assert not Score.objects.exists()


@pytest.mark.parametrize(
    ("value", "note"), [(2, ""), (-1, ""), (1, "x" * 501)], ids=["two", "minus", "long note"]
)
def test_a_score_is_1_or_0_with_a_short_note(team, items, period, value, note):
    with pytest.raises(ValidationError):
        submit_scores(team["ann"], period, [Entry(team["bob"].pk, items[0].pk, value, note)])
    assert not Score.objects.exists()


def test_a_retired_item_takes_no_new_scores_and_keeps_its_old_ones(team, items, give, period):
    give(team["ann"], team["bob"], {items[3]: 1})
    actions.save_item(team["boss"], items[3], {"retired": True})
    with pytest.raises(ValidationError):
        give(team["ann"], team["cai"], {items[3]: 1})
    assert Score.objects.filter(item=items[3]).count() == 1
    assert AuditEntry.objects.get(action="scorecard.item.change").changes == {
        "retired": [False, True]
    }


def test_managers_rewrite_a_default_and_add_items(team, items):
    changed = actions.save_item(team["boss"], items[0], {"text": " Greets by name "})
    assert changed.display_text == "Greets by name" and changed.key == DefaultItem.RESPECT
    added = actions.save_item(team["boss"], None, {"text": "Calls back", "position": 9})
    assert list(BehaviourItem.objects.active())[-1] == added
    with pytest.raises(ValidationError):  # an item of their own needs a text
        actions.save_item(team["boss"], None, {"text": ""})
