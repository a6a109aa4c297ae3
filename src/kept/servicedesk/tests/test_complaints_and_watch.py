"""Complaints (form, cost, confirmation changing the service level) and the SLA watch
(stored states, one warning per target and state, in the app and by email)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from kept.core import notifications
from kept.core.models import Notification
from kept.fulfilment import metrics
from kept.servicedesk import actions, tasks
from kept.servicedesk.models import Complaint

pytestmark = pytest.mark.django_db


def test_a_complaint_needs_cause_and_remedy_before_it_is_resolved(office, customer, at, staff):
    ticket = actions.open_ticket(
        customer,
        subject="米有虫",
        kind="complaint",
        complaint={"what_happened": "米里有虫"},
        now=at(0),
    )
    assert Complaint.objects.get(ticket=ticket).what_happened == "米里有虫"
    with pytest.raises(ValidationError):
        actions.change_status(ticket, "resolved", actor=staff, now=at(1))
    actions.save_complaint(
        ticket,
        {
            "root_cause": "quality",
            "remedy": "redeliver",
            "remedy_cost": 52.5,
            "follow_up_on": (at(0) + timedelta(days=7)).date(),
        },
        actor=staff,
    )
    actions.change_status(ticket, "resolved", actor=staff, now=at(2))
    complaint = Complaint.objects.get(ticket=ticket)
    assert complaint.remedy_cost == pytest.approx(52.5) and complaint.remedy == "redeliver"


def test_a_negative_remedy_cost_is_refused(office, customer, at, staff):
    ticket = actions.open_ticket(customer, subject="x", kind="complaint", now=at(0))
    with pytest.raises(ValidationError):
        actions.save_complaint(ticket, {"remedy_cost": -1}, actor=staff)


def test_a_confirmed_quality_complaint_marks_the_delivery_and_the_service_level_drops(
    office, customer, at, manager, delivered, today
):
    start, end = today - timedelta(days=1), today + timedelta(days=1)
    _rows, before = metrics.service_level(start, end, today=today)
    assert before.quality_lines == 1 and before.perfect_orders == 1
    ticket = actions.open_ticket(
        customer,
        subject="袋子破了",
        kind="complaint",
        delivery=delivered,
        complaint={"what_happened": "袋子破了，米撒了", "root_cause": "quality"},
        now=at(0),
    )
    with pytest.raises(ValidationError):
        actions.confirm_complaint(ticket, reason="  ", actor=manager)
    actions.confirm_complaint(ticket, reason="photo", defect="damaged", actor=manager)
    delivered.refresh_from_db()
    assert not delivered.quality_ok and delivered.defect == "damaged"
    _rows, after = metrics.service_level(start, end, today=today)
    assert after.quality_lines == 0 and after.perfect_orders == 0
    with pytest.raises(ValidationError):  # once
        actions.confirm_complaint(ticket, reason="again", actor=manager)


def test_a_confirmed_late_complaint_leaves_the_delivery_alone(
    office, customer, at, manager, delivered
):
    ticket = actions.open_ticket(
        customer,
        subject="来晚了",
        kind="complaint",
        delivery=delivered,
        complaint={"what_happened": "晚了两小时", "root_cause": "late"},
        now=at(0),
    )
    actions.confirm_complaint(ticket, reason="route log", actor=manager)
    delivered.refresh_from_db()
    assert delivered.quality_ok
    assert Complaint.objects.get(ticket=ticket).is_confirmed


def test_the_watch_warns_once_at_risk_and_once_breached(
    office, customer, at, staff, manager, django_capture_on_commit_callbacks
):
    staff.email = "clerk@example.com"
    staff.save()
    ticket = actions.open_ticket(customer, subject="where is my rice", assignee=staff, now=at(0))
    assert tasks.watch(now=at(1)) == {"tickets": 1, "warnings": 0}  # 50 % of the first response
    with django_capture_on_commit_callbacks(execute=True):  # mail goes after the commit
        assert tasks.watch(now=at(1.7))["warnings"] == 1  # 85 %: at risk
    assert tasks.watch(now=at(1.8))["warnings"] == 0  # said once
    ticket.refresh_from_db()
    assert ticket.first_response_state == "at_risk" and ticket.first_response_warned == "at_risk"
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.watch(now=at(2.5))["warnings"] == 1  # breached
    ticket.refresh_from_db()
    assert ticket.first_response_state == "breached"
    sent = Notification.objects.filter(user=staff).order_by("created_at")
    assert [n.kind for n in sent] == ["sla.at_risk", "sla.breached"]
    assert "T-" in notifications.text(sent[0]) and "first response" in notifications.text(sent[0])
    assert len(mail.outbox) == 2 and mail.outbox[0].to == ["clerk@example.com"]
    assert not Notification.objects.filter(user=manager).exists()


def test_the_watch_tells_the_managers_when_nobody_has_the_ticket(office, customer, at, manager):
    actions.open_ticket(customer, subject="?", now=at(0))
    tasks.watch(now=at(3))
    assert Notification.objects.filter(user=manager, kind="sla.breached").count() == 1


def test_the_watch_leaves_resolved_tickets_alone(office, customer, at, staff):
    ticket = actions.open_ticket(customer, subject="ok", assignee=staff, now=at(0))
    actions.reply(ticket, "done", actor=staff, now=at(0.5))
    actions.change_status(ticket, "resolved", actor=staff, now=at(1))
    assert tasks.watch(now=at(30)) == {"tickets": 0, "warnings": 0}


def test_the_watch_runs_as_a_task(office, customer, at, staff):
    actions.open_ticket(customer, subject="?", assignee=staff, now=at(0))
    result = tasks.watch_slas.call()
    assert result["tickets"] == 1
