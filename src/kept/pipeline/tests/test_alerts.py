"""The funnel check: managers hear once per stage per window when a stage is below target."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kept.core import notifications
from kept.core.models import Notification
from kept.pipeline import queries, tasks
from kept.pipeline.models import FunnelAlert

pytestmark = pytest.mark.django_db


@pytest.fixture
def weak_purchase(make_lead):
    """A funnel in use since long ago; 30 leads three weeks ago: 24 visited, 9 bought (37.5 %)."""
    make_lead("Inquiry", days_ago=300)
    for number in range(30):
        stage = "Inquiry" if number < 6 else "Visit" if number < 21 else "Purchase"
        make_lead(stage, days_ago=20)


def test_managers_are_told_once_per_window(weak_purchase, manager, staff):
    # when the check runs today and again tomorrow
    first = tasks.check_funnel()
    again = tasks.check_funnel(now=timezone.now() + timedelta(days=1))
    # then the purchase stage and the low volume were each alerted once
    assert first == {"below_target": 2, "alerts": 2} and again["alerts"] == 0
    alerts = {(a.stage.name, a.is_volume): a for a in FunnelAlert.objects.all()}
    assert set(alerts) == {("Purchase", False), ("Inquiry", True)}
    assert float(alerts[("Purchase", False)].measured) == 37.5
    sent = Notification.objects.filter(user=manager)
    assert sent.count() == 2 and not Notification.objects.filter(user=staff).exists()
    texts = {notifications.text(n) for n in sent}
    assert "Funnel: Purchase converted 38 % from the previous stage over the last 30 days, " \
           "below its target of 60 %." in texts  # fmt: skip


def test_a_window_later_they_are_told_again(weak_purchase, manager):
    tasks.check_funnel()
    later = tasks.check_funnel(now=timezone.now() + timedelta(days=31))
    # a month on, the same leads are no longer in the window: only the volume is low
    assert later["alerts"] == 1 and FunnelAlert.objects.count() == 3


def test_the_dashboard_list_is_the_current_check(weak_purchase):
    assert {a.name for a in queries.funnel_alerts()} == {"Purchase", "Inquiry"}


def test_kept_funnel_check_runs_it_or_queues_it(weak_purchase, manager, capsys):
    from kept.cli import main

    with pytest.raises(SystemExit) as done:
        main(["funnel", "check"])
    said = capsys.readouterr().out
    with pytest.raises(SystemExit) as queued:
        main(["funnel", "check", "--enqueue"])

    assert done.value.code == 0 and "2 stages below target; 2 new alerts" in said
    assert queued.value.code == 0 and "queued" in capsys.readouterr().out
    assert FunnelAlert.objects.count() == 2
