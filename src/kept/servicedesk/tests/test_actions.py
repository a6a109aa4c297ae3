"""The desk's workflow and its SLA, with a known office calendar (conftest: Mon–Fri 09–12
and 13–17 UTC; normal: answer in 2 h, resolve in 8 h of business time)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from kept.core.models import AuditEntry
from kept.customers.models import Customer
from kept.servicedesk import actions
from kept.servicedesk.models import Ticket

pytestmark = pytest.mark.django_db


def _open(customer, at, **extra):
    values = {"subject": "Rice bag torn", "actor": None, "now": at(0)}
    return actions.open_ticket(customer, **{**values, **extra})


def test_a_new_ticket_gets_its_policy_targets_and_deadlines(office, customer, at, staff):
    ticket = _open(customer, at, actor=staff)
    assert ticket.policy == office
    assert ticket.first_response_target == timedelta(hours=2)
    assert ticket.resolution_target == timedelta(hours=8)
    assert ticket.first_response_due == at(2)  # Monday 11:00
    # 3 h before lunch, 4 h after, the 8th hour on Tuesday 09:00–10:00
    assert ticket.resolution_due == at(1, days=1)
    assert ticket.first_response_state == ticket.resolution_state == "on_track"
    assert [c.status for c in ticket.status_changes.all()] == ["new"]
    assert AuditEntry.objects.filter(action="ticket.open").count() == 1


def test_the_first_public_staff_reply_is_the_first_response(office, customer, at, staff):
    ticket = _open(customer, at)
    actions.reply(ticket, "noted", public=False, actor=staff, now=at(0.5))
    actions.reply(ticket, "you said", from_customer=True, actor=staff, now=at(0.6))
    ticket.refresh_from_db()
    assert ticket.first_responded_at is None and ticket.status == "open"  # the note opened it
    actions.reply(ticket, "We bring a new bag today.", actor=staff, now=at(1))
    ticket.refresh_from_db()
    assert ticket.first_responded_at == at(1)
    assert ticket.first_response_state == "met"


def test_waiting_on_the_customer_pauses_and_moves_the_deadline(office, customer, at, staff):
    ticket = _open(customer, at)
    actions.change_status(ticket, "waiting_customer", actor=staff, now=at(1))  # 1 h used
    ticket.refresh_from_db()
    assert ticket.sla_paused
    # the customer answers on Wednesday 10:00: 7 h left → Wed 10–12, 13–17, Thu 09–10
    actions.reply(ticket, "Here is the photo", from_customer=True, actor=staff, now=at(1, days=2))
    ticket.refresh_from_db()
    assert ticket.status == "open" and not ticket.sla_paused
    assert ticket.resolution_due == at(1, days=3)


def test_reopen_resumes_the_resolution_clock_and_a_breach_is_final(office, customer, at, staff):
    ticket = _open(customer, at)
    actions.reply(ticket, "on it", actor=staff, now=at(0.5))
    actions.change_status(ticket, "resolved", actor=staff, now=at(6))  # 09–12, 13–15: 5 h
    ticket.refresh_from_db()
    assert ticket.resolution_state == "met" and ticket.resolved_at == at(6)
    actions.change_status(ticket, "open", actor=staff, now=at(24))  # Tuesday 09:00
    ticket.refresh_from_db()
    assert ticket.resolution_state == "on_track" and ticket.resolved_at is None
    assert ticket.resolution_due == at(27)  # 3 h left: Tuesday 12:00
    actions.change_status(ticket, "resolved", actor=staff, now=at(29))  # Tue 14:00: 9 h used
    ticket.refresh_from_db()
    assert ticket.resolution_state == "breached"


def test_a_first_response_after_the_deadline_stays_breached(office, customer, at, staff):
    ticket = _open(customer, at)
    actions.reply(ticket, "sorry for the wait", actor=staff, now=at(5))  # 09–12, 13–14: 4 h
    ticket.refresh_from_db()
    assert ticket.first_response_state == "breached"


def test_closed_is_final_and_bad_moves_are_refused(office, customer, at, staff):
    ticket = _open(customer, at)
    actions.change_status(ticket, "open", actor=staff, now=at(0.5))
    with pytest.raises(ValidationError):
        actions.change_status(ticket, "new", actor=staff, now=at(1))
    with pytest.raises(ValidationError):
        actions.change_status(ticket, "lost", actor=staff, now=at(1))
    actions.change_status(ticket, "closed", actor=staff, now=at(1))
    for status in ("open", "resolved"):
        with pytest.raises(ValidationError):
            actions.change_status(ticket, status, actor=staff, now=at(2))
    with pytest.raises(ValidationError):
        actions.reply(ticket, "hello?", actor=staff, now=at(2))


def test_a_new_priority_takes_the_targets_of_that_priority(office, customer, at, staff):
    ticket = _open(customer, at)
    actions.update_ticket(ticket, {"priority": "urgent"}, actor=staff, now=at(0.5))
    ticket.refresh_from_db()
    assert ticket.first_response_target == timedelta(hours=1)
    assert ticket.first_response_due == at(1)
    actions.update_ticket(ticket, {"priority": "low"}, actor=staff, now=at(0.6))
    ticket.refresh_from_db()  # the policy sets no target for low: no clock
    assert ticket.first_response_target is None and ticket.first_response_state == ""


def test_policies_match_in_order_on_group_scope_kind_and_priority(office, customer, at):
    from kept.customers.models import CustomerGroup
    from kept.servicedesk.models import SlaPolicy, SlaTarget

    restaurants = CustomerGroup.objects.create(name="Restaurants")
    for position, name, conditions in [
        (1, "inactive", {"is_active": False}),
        (2, "internal", {"customer_scope": "internal"}),
        (3, "restaurant complaints", {"customer_group": restaurants, "kind": "complaint"}),
        (4, "urgent", {"priority": "urgent"}),
    ]:
        policy = SlaPolicy.objects.create(
            name=name, position=position, calendar=office.calendar, **conditions
        )
        for priority in ("normal", "urgent"):
            SlaTarget.objects.create(
                policy=policy,
                priority=priority,
                first_response=timedelta(minutes=position * 10),
                resolution=timedelta(hours=position),
            )
    department = Customer.objects.create(code="D-WH", name="Warehouse", kind="internal")
    restaurant = Customer.objects.create(code="R1", name="面馆", group=restaurants)
    assert _open(department, at).policy.name == "internal"
    assert _open(restaurant, at, kind="complaint").policy.name == "restaurant complaints"
    assert _open(restaurant, at, kind="question").policy.name == "Office"
    assert _open(customer, at, priority="urgent").policy.name == "urgent"
    assert _open(customer, at).policy.name == "Office"


def test_a_handoff_goes_to_an_internal_department(office, customer, at, staff):
    sales = Customer.objects.create(code="D-SALES", name="Sales", kind="internal")
    warehouse = Customer.objects.create(code="D-WH", name="Warehouse", kind="internal")
    with pytest.raises(ValidationError):
        _open(sales, at, kind="handoff")  # to whom?
    with pytest.raises(ValidationError):
        _open(sales, at, kind="handoff", department=customer)  # not a department
    with pytest.raises(ValidationError):
        _open(sales, at, kind="handoff", department=sales)
    ticket = _open(sales, at, kind="handoff", department=warehouse, subject="Re-pick order 12")
    assert ticket.department == warehouse and ticket.policy is not None


def test_links_must_belong_to_the_customer(office, customer, at, delivered):
    other = Customer.objects.create(code="H2", name="李雷")
    with pytest.raises(ValidationError):
        _open(other, at, delivery=delivered)
    ticket = _open(customer, at, delivery=delivered)
    assert ticket.order_line_id == delivered.line_id


def test_a_public_reply_is_emailed_in_the_customers_language(
    office, customer, at, staff, django_capture_on_commit_callbacks
):
    customer.email, customer.language = "wang@example.com", "zh-hans"
    customer.save()
    ticket = _open(customer, at)
    with django_capture_on_commit_callbacks(execute=True):
        actions.reply(ticket, "internal only", public=False, actor=staff, now=at(0.2))
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        message = actions.reply(ticket, "今天送新的一袋", actor=staff, now=at(0.5))
    assert message.emailed_to == "wang@example.com"
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["wang@example.com"] and sent.body == "今天送新的一袋"
    assert ticket.number in sent.subject


def test_no_email_without_an_address(
    office, customer, at, staff, django_capture_on_commit_callbacks
):
    ticket = _open(customer, at)
    with django_capture_on_commit_callbacks(execute=True):
        message = actions.reply(ticket, "called back", actor=staff, now=at(0.5))
    assert message.emailed_to == "" and mail.outbox == []


def test_empty_messages_are_refused(office, customer, at, staff):
    ticket = _open(customer, at)
    with pytest.raises(ValidationError):
        actions.reply(ticket, "   ", actor=staff)
    assert not Ticket.objects.get(pk=ticket.pk).messages.exists()
