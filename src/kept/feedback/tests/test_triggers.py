"""Surveys sent by themselves: after the last delivery of an order (through
``kept.fulfilment.actions.record_delivery``), after a resolved ticket, after a hand-off."""

import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from kept.feedback import actions
from kept.feedback.models import Survey
from kept.fulfilment.actions import record_delivery
from kept.servicedesk.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(make_product, zhang, line):
    """Two promised lines for the household: 10 and 4 bags."""
    from kept.promising import actions as promising

    rice = make_product("RICE", on_hand="50")
    promised, _result = promising.promise_order(zhang, [line(rice, "10", 1), line(rice, "4", 2)])
    return promised


def _deliver(order, number: int, quantity: str, capture, **extra):
    with capture(execute=True):
        return record_delivery(order.lines.get(number=number), Decimal(quantity), **extra)


def test_the_last_delivery_of_an_order_sends_the_survey_and_not_before(
    order, zhang, staff, django_capture_on_commit_callbacks
):
    _deliver(order, 1, "10", django_capture_on_commit_callbacks)
    _deliver(order, 2, "3", django_capture_on_commit_callbacks)
    assert not Survey.objects.exists() and mail.outbox == []  # one bag still to come
    _deliver(order, 2, "1", django_capture_on_commit_callbacks)
    survey = Survey.objects.get()
    assert (survey.customer, survey.order, survey.trigger) == (zhang, order, "delivery")
    assert survey.staff == staff  # the customer's owner
    assert len(mail.outbox) == 1 and "/feedback/s/" in mail.outbox[0].body


def test_an_order_is_asked_about_once(order, django_capture_on_commit_callbacks):
    _deliver(order, 1, "10", django_capture_on_commit_callbacks)
    _deliver(order, 2, "4", django_capture_on_commit_callbacks)
    actions.save_policy({"quiet_days": 0})
    assert actions.survey_after_delivery(order) is None
    assert Survey.objects.count() == 1


def test_no_survey_after_delivery_when_switched_off_or_old_or_internal(
    order, zhang, django_capture_on_commit_callbacks
):
    actions.save_policy({"after_delivery": False})
    _deliver(order, 1, "10", django_capture_on_commit_callbacks)
    _deliver(order, 2, "4", django_capture_on_commit_callbacks)
    assert not Survey.objects.exists()
    actions.save_policy({"after_delivery": True})
    later = timezone.now() + timedelta(days=8)  # an import of last week's deliveries
    assert actions.survey_after_delivery(order, now=later) is None
    zhang.kind = "internal"
    zhang.save()
    assert actions.survey_after_delivery(order) is None
    zhang.kind, zhang.email = "external", ""
    zhang.save()
    assert actions.survey_after_delivery(order) is None  # nobody could open it
    zhang.email = "zhang@example.com"
    zhang.save()
    assert actions.survey_after_delivery(order).order == order


def test_a_failing_mail_never_undoes_the_delivery(
    order, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(actions, "send_mail", broken)
    _deliver(order, 1, "10", django_capture_on_commit_callbacks)
    with caplog.at_level(logging.ERROR):
        delivery = _deliver(order, 2, "4", django_capture_on_commit_callbacks)
    assert delivery.pk and order.lines.get(number=2).deliveries.count() == 1
    assert Survey.objects.count() == 1  # made; staff may send another by hand
    assert "could not be sent" in caplog.text


def test_a_failing_survey_never_undoes_the_delivery(
    order, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broken(order_id):
        raise RuntimeError("bug")

    monkeypatch.setattr(actions.queries, "is_fully_delivered", broken)
    _deliver(order, 1, "10", django_capture_on_commit_callbacks)
    with caplog.at_level(logging.ERROR):
        _deliver(order, 2, "4", django_capture_on_commit_callbacks)
    assert order.lines.get(number=2).deliveries.count() == 1 and not Survey.objects.exists()
    assert "bug" in caplog.text


def _ticket(customer, **extra) -> Ticket:
    return Ticket.objects.create(customer=customer, subject="Wet rice", status="resolved", **extra)


def test_a_resolved_ticket_asks_about_its_assignee(smith, staff):
    ticket = _ticket(smith, kind="complaint", assignee=staff)
    survey = actions.survey_after_ticket(ticket)
    assert (survey.trigger, survey.ticket, survey.staff) == ("ticket", ticket, staff)
    actions.save_policy({"quiet_days": 0})
    assert actions.survey_after_ticket(ticket) is None  # once per ticket, even reopened


def test_hand_offs_and_departments_get_internal_surveys(make_customer, smith, staff):
    kitchen = make_customer("D-KIT", "Kitchen", kind="internal")
    handoff = _ticket(smith, kind="handoff", assignee=staff)
    assert actions.survey_after_ticket(handoff).trigger == "handoff"
    request = _ticket(kitchen, kind="request")
    assert actions.survey_after_ticket(request).trigger == "handoff"


def test_ticket_surveys_follow_their_own_switches(make_customer, smith, zhang):
    kitchen = make_customer("D-KIT", "Kitchen", kind="internal")
    actions.save_policy({"after_ticket": False})
    assert actions.survey_after_ticket(_ticket(smith)) is None
    assert actions.survey_after_ticket(_ticket(kitchen, kind="handoff")) is not None
    actions.save_policy({"after_ticket": True, "internal": False})
    assert actions.survey_after_ticket(_ticket(zhang)) is not None
    store = make_customer("D-STORE", "Store", kind="internal")
    assert actions.survey_after_ticket(_ticket(store, kind="handoff")) is None
