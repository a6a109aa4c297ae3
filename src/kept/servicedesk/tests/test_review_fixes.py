"""What the review of the desk found: each case a test."""

from datetime import timedelta

import pytest
from django.urls import reverse

from kept.fulfilment import metrics
from kept.servicedesk import actions
from kept.servicedesk.models import Ticket, TicketMessage

pytestmark = pytest.mark.django_db


def test_a_breach_stays_a_breach_when_the_priority_changes(office, customer, at, staff):
    ticket = actions.open_ticket(customer, subject="late", now=at(0))
    actions.update_ticket(ticket, {"priority": "urgent"}, actor=staff, now=at(3))
    ticket.refresh_from_db()
    assert ticket.first_response_state == "breached"
    actions.update_ticket(ticket, {"priority": "normal"}, actor=staff, now=at(3.1))
    ticket.refresh_from_db()
    assert ticket.first_response_state == "breached"  # lowering the bar does not undo it


def test_odd_digits_in_the_search_are_not_an_error(client_as, api_as, staff, office):
    assert client_as(staff).get(reverse("servicedesk:queue"), {"q": "²"}).status_code == 200
    assert api_as(staff).get("/api/v1/tickets", {"q": "T-²"}).status_code == 200


def test_a_refused_status_change_takes_the_reply_back(client_as, staff, office, customer):
    ticket = actions.open_ticket(customer, subject="x", kind="complaint")
    client_as(staff).post(
        reverse("servicedesk:reply", args=[ticket.pk]),
        {"body": "sorry", "mode": "public", "status": "resolved"},  # no root cause yet
    )
    assert not TicketMessage.objects.filter(ticket=ticket).exists()


def test_a_subject_with_a_line_break_is_refused(api_as, staff, office, customer):
    response = api_as(staff).post(
        "/api/v1/tickets",
        {"customer": customer.code, "subject": "hi\r\nBcc: all@example.com"},
        content_type="application/json",
    )
    assert response.status_code == 422 and Ticket.objects.count() == 0


def test_a_complaint_about_a_delivery_by_api_and_its_confirmation_lowers_service_level(
    api_as, staff, manager, office, customer, delivered, today
):
    start, end = today - timedelta(days=1), today + timedelta(days=1)
    made = api_as(staff).post(
        "/api/v1/tickets",
        {"customer": customer.code, "subject": "破袋", "kind": "complaint",
         "delivery": delivered.pk,
         "complaint": {"what_happened": "袋子破了", "root_cause": "quality",
                       "remedy": "redeliver"}},
        content_type="application/json",
    ).json()  # fmt: skip
    assert made["delivery"] == delivered.pk and made["line"] == 1
    _rows, before = metrics.service_level(start, end, today=today)
    confirmed = api_as(manager).post(
        f"/api/v1/tickets/{made['id']}/complaint/confirm",
        {"reason": "photo", "defect": "damaged"},
        content_type="application/json",
    )
    assert confirmed.status_code == 200
    _rows, after = metrics.service_level(start, end, today=today)
    assert (before.quality_lines, after.quality_lines) == (1, 0)


def test_the_ticket_page_links_a_delivery(client_as, staff, office, customer, delivered):
    ticket = actions.open_ticket(customer, subject="破袋", kind="complaint")
    client = client_as(staff)
    page = client.get(reverse("servicedesk:ticket", args=[ticket.pk])).content.decode()
    assert f'value="{delivered.pk}"' in page
    client.post(
        reverse("servicedesk:edit", args=[ticket.pk]),
        {"subject": "破袋", "kind": "complaint", "priority": "normal", "channel": "phone",
         "delivery": delivered.pk},
    )  # fmt: skip
    ticket.refresh_from_db()
    assert ticket.delivery == delivered and ticket.order_line_id == delivered.line_id


def test_a_new_ticket_about_a_delivery_from_a_link(client_as, staff, office, customer, delivered):
    client = client_as(staff)
    url = reverse("servicedesk:create") + f"?customer={customer.code}&delivery={delivered.pk}"
    assert f'value="{delivered.pk}"' in client.get(url).content.decode()
    client.post(
        url,
        {"customer": customer.code, "subject": "破袋", "kind": "complaint", "priority": "normal",
         "channel": "phone", "delivery": delivered.pk},
    )  # fmt: skip
    assert Ticket.objects.get().delivery == delivered


def test_a_calendar_without_working_time_is_refused_in_settings(client_as, manager, office):
    calendar = office.calendar
    url = reverse("admin:servicedesk_businesscalendar_change", args=[calendar.pk])
    base = {
        "name": calendar.name, "time_zone": "UTC",
        "holidays-TOTAL_FORMS": 0, "holidays-INITIAL_FORMS": 0,
    }  # fmt: skip
    intervals = list(calendar.intervals.all())
    data = {**base, "intervals-TOTAL_FORMS": len(intervals),
            "intervals-INITIAL_FORMS": len(intervals)}  # fmt: skip
    for n, interval in enumerate(intervals):
        data.update({
            f"intervals-{n}-id": interval.pk, f"intervals-{n}-calendar": calendar.pk,
            f"intervals-{n}-weekday": interval.weekday, f"intervals-{n}-start": "09:00",
            f"intervals-{n}-end": "17:00" if n % 2 else "10:00", f"intervals-{n}-DELETE": "on",
        })  # fmt: skip
    response = client_as(manager).post(url, data)
    assert response.status_code == 200 and "around the clock" in response.content.decode()
    assert calendar.intervals.count() == len(intervals)


def test_the_warehouse_works_hand_offs_and_never_sees_customers_complaints(
    client_as, warehouse, office, customer
):
    from kept.customers.models import Customer

    complaint = actions.open_ticket(customer, subject="米里有虫", kind="complaint")
    asking = Customer.objects.create(code="D-CS", name="客服部", kind="internal")
    acting = Customer.objects.create(code="D-WH", name="仓库", kind="internal")
    handoff = actions.open_ticket(asking, subject="补拣 4 袋", kind="handoff", department=acting)
    client = client_as(warehouse)
    queue = client.get(reverse("servicedesk:queue")).content.decode()
    assert handoff.number in queue and complaint.number not in queue
    assert client.get(reverse("servicedesk:ticket", args=[complaint.pk])).status_code == 404
    reply = client.post(reverse("servicedesk:reply", args=[complaint.pk]), {"body": "x"})
    assert reply.status_code == 404
    assert client.get(reverse("servicedesk:ticket", args=[handoff.pk])).status_code == 200


def test_viewers_are_not_offered_as_assignees_and_the_description_is_editable(
    client_as, staff, viewer, office, customer
):
    ticket = actions.open_ticket(customer, subject="x", description="old")
    client = client_as(staff)
    page = client.get(reverse("servicedesk:ticket", args=[ticket.pk])).content.decode()
    assert f'value="{staff.pk}"' in page and f">{viewer.username}<" not in page
    client.post(
        reverse("servicedesk:edit", args=[ticket.pk]),
        {"subject": "x", "description": "new words", "kind": "request", "priority": "normal",
         "channel": "phone"},
    )  # fmt: skip
    ticket.refresh_from_db()
    assert ticket.description == "new words"
