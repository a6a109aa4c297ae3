# ruff: noqa: F811 (the imported fixtures are used as fixtures here)
"""The refit from the pages: a manager queues it, ``kept worker`` runs it on the database
backend, the status panel follows it (polling while active) and shows the fitted
parameters, or the error when there is too little history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kept.cli import main
from kept.value import tasks
from kept.value.models import CustomerValue, ValueRun
from kept.value.refit import NotEnoughHistory
from kept.value.tests.test_retention_pages import history  # noqa: F401


def _worker_once(capsys) -> int:
    with pytest.raises(SystemExit) as done:
        main(["worker", "--once"])
    capsys.readouterr()
    return done.value.code


def _status(client) -> str:
    return client.get(reverse("value:refit_status")).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_manager_queues_the_refit_and_the_panel_follows_it(
    capsys, kept_signals, client_as, manager, history
):
    # given a year of purchases up to yesterday
    yesterday = timezone.localdate() - timedelta(days=1)
    history(30, until=yesterday)
    client = client_as(manager)
    # when the manager asks for a refit from the page (htmx)
    response = client.post(reverse("value:refit"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    # then a run as of yesterday is queued, and the panel polls it
    assert response.status_code == 200 and "<html" not in body
    assert 'hx-trigger="every 2s"' in body and "Queued" in body and "0%" in body
    assert "Refit now" not in body  # one run at a time
    run = ValueRun.objects.get()
    queued = DBTaskResult.objects.get()
    assert (run.as_of, run.requested_by, run.task_id) == (yesterday, manager, str(queued.id))
    again = client.post(reverse("value:refit"))
    assert again.status_code == 302 and ValueRun.objects.count() == 1
    # when the worker runs it
    assert _worker_once(capsys) == 0
    # then the panel stops polling and tells when, how many, and the fitted parameters
    run.refresh_from_db()
    assert run.status == "done" and run.customers == 30 == CustomerValue.objects.count()
    body = _status(client)
    assert "every 2s" not in body and "Done" in body and "30 customers valued" in body
    assert "BG/NBD" in body and "Gamma–Gamma" in body and "alpha" in body
    assert f"{run.fit['bgnbd']['r']:.4f}" in body
    assert "Refit now" in body


@pytest.mark.django_db(transaction=True)
def test_a_refit_with_too_little_history_shows_the_error(
    capsys, kept_signals, client_as, manager, history
):
    # given three customers only
    history(3, until=timezone.localdate() - timedelta(days=1))
    client = client_as(manager)
    client.post(reverse("value:refit"), HTTP_HX_REQUEST="true")
    # when the worker runs the refit
    assert _worker_once(capsys) == 0
    # then the run failed with the reason, shown on the panel, and it can be run again
    run = ValueRun.objects.get()
    assert run.status == "failed" and run.error.startswith("NotEnoughHistory: 3 customers")
    assert DBTaskResult.objects.get().status == "FAILED"
    body = _status(client)
    assert "The refit failed: NotEnoughHistory: 3 customers" in body
    assert "every 2s" not in body and "Refit now" in body


@pytest.mark.django_db
def test_the_refit_in_process_fails_the_same_way(client_as, manager, history):
    history(3)
    with pytest.raises(NotEnoughHistory):
        tasks.run_refit(date(2026, 6, 30))
    assert "The refit failed: NotEnoughHistory" in _status(client_as(manager))


@pytest.mark.django_db
def test_a_running_refit_polls_and_a_stalled_one_stops(client_as, manager):
    client = client_as(manager)
    run = ValueRun.objects.create(as_of=date(2026, 6, 30), status="running", progress=10)
    body = _status(client)
    assert 'hx-trigger="every 2s"' in body and "10%" in body and "Running" in body
    ValueRun.objects.filter(pk=run.pk).update(
        created_at=timezone.now() - ValueRun.STALLED_AFTER - timedelta(minutes=1)
    )
    body = _status(client)
    assert "every 2s" not in body and "kept worker" in body and "Refit now" in body


@pytest.mark.django_db
def test_the_status_panel_is_on_segments_and_retention(client_as, manager):
    client = client_as(manager)
    for route in ("value:segments", "value:retention"):
        body = client.get(reverse(route)).content.decode()
        assert 'id="refit-status"' in body and "has never been computed" in body


@pytest.mark.parametrize("role", ["staff", "warehouse", "viewer"])
def test_only_managers_may_refit(client_as, make_user, role):
    response = client_as(make_user(role)).post(reverse("value:refit"))
    assert response.status_code == 403 and not ValueRun.objects.exists()


@pytest.mark.django_db
def test_the_refit_is_a_post(client_as, manager):
    assert client_as(manager).get(reverse("value:refit")).status_code == 405


@pytest.mark.django_db
def test_the_refit_needs_the_csrf_token(manager):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(manager)
    assert strict.post(reverse("value:refit")).status_code == 403
    assert not ValueRun.objects.exists()


@pytest.mark.django_db
def test_the_status_panel_queries_stay_bounded(client_as, manager, django_assert_max_num_queries):
    ValueRun.objects.create(as_of=date(2026, 6, 30), status="done", fit={"bgnbd": {"r": 1.0}})
    client = client_as(manager)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("value:refit_status")).status_code == 200


@pytest.mark.django_db
def test_a_fit_that_predicts_no_number_fails_and_keeps_the_previous_values(monkeypatch, history):
    import numpy as np

    from kept.value import refit

    # given a history and the values of a first refit
    yesterday = timezone.localdate() - timedelta(days=1)
    history(30, until=yesterday)
    tasks.run_refit(yesterday)
    before = dict(CustomerValue.objects.values_list("customer_id", "clv"))
    real = refit._predictions

    def broken(*args, **kwargs):
        predicted = real(*args, **kwargs)
        predicted["clv"] = np.where(np.arange(len(predicted["clv"])) == 0, np.nan, 1.0)
        return predicted

    monkeypatch.setattr(refit, "_predictions", broken)
    # when a later refit's models predict a NaN for one customer
    with pytest.raises(refit.UnusableFit, match="non-finite clv"):
        tasks.run_refit(yesterday)
    # then that run failed with the reason, and every customer keeps the earlier value
    failed = ValueRun.objects.order_by("-id").first()
    assert failed.status == "failed" and "non-finite clv" in failed.error
    assert dict(CustomerValue.objects.values_list("customer_id", "clv")) == before
