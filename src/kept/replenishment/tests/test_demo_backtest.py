"""The acceptance of SPEC 2.5's backtest on the demo business (seed 1, full size): the model
beats both baselines on the error of the predicted interval, and on anticipation at the
waste (days of cover left) of each baseline. The figures are in docs/replenishment.md."""

import pytest
from django.test import override_settings

from kept.replenishment import backtest, report

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from kept.demo import build_demo
    from kept.demo.reset import delete_demo_data

    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        summary = build_demo(seed=1)
    yield summary
    with django_db_blocker.unblock():
        delete_demo_data()


@pytest.mark.django_db
def test_the_model_beats_both_baselines_on_the_demo(demo):
    replayed = report.replay_book(demo.today)
    scored = backtest.score(replayed, 0.1)
    assert scored.predictions > 5_000 and scored.subscriptions == demo.jars
    model_mae = scored.model.interval_mae_days
    for baseline in (scored.mean_interval, scored.last_interval):
        assert model_mae < 0.85 * baseline.interval_mae_days
        matched = report.at_equal_waste(replayed, baseline.cover_left_days)
        assert matched.model.cover_left_days == pytest.approx(baseline.cover_left_days, abs=0.05)
        assert matched.model.anticipation > baseline.anticipation
