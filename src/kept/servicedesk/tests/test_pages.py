"""The desk's pages: queue, new ticket, the ticket with its forms, the notebook section."""

import pytest
from django.urls import reverse

from kept.servicedesk import actions
from kept.servicedesk.models import Complaint, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(office, customer, staff):
    return actions.open_ticket(
        customer,
        subject="<b>bag</b> torn",
        kind="complaint",
        assignee=staff,
        actor=staff,
        complaint={"what_happened": "torn", "remedy_cost": 30},
    )


def test_the_queue_lists_open_tickets_most_urgent_first(client_as, staff, ticket, customer):
    other = actions.open_ticket(customer, subject="question", priority="urgent")
    Ticket.objects.filter(pk=other.pk).update(resolution_state="breached")
    page = client_as(staff).get(reverse("servicedesk:queue"))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index(other.number) < html.index(ticket.number)
    assert "&lt;b&gt;bag&lt;/b&gt;" in html and "<b>bag</b>" not in html
    assert "data-deadline" in html and "countdown-labels" in html
    breached = client_as(staff).get(reverse("servicedesk:queue"), {"sla": "breached"})
    assert other.number in breached.content.decode()
    assert ticket.number not in breached.content.decode()


def test_the_queue_filters_and_refreshes_by_htmx(client_as, staff, ticket):
    page = client_as(staff).get(
        reverse("servicedesk:queue"),
        {"assignee": "me", "kind": "complaint"},
        HTTP_HX_REQUEST="true",
    )
    assert page.status_code == 200 and ticket.number in page.content.decode()
    assert "<html" not in page.content.decode()
    none = client_as(staff).get(reverse("servicedesk:queue"), {"assignee": "none"})
    assert ticket.number not in none.content.decode()


def test_the_queue_costs_a_bounded_number_of_queries(
    client_as, staff, office, customer, django_assert_max_num_queries
):
    for n in range(30):
        actions.open_ticket(customer, subject=f"t{n}", assignee=staff)
    client = client_as(staff)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("servicedesk:queue")).status_code == 200


def test_staff_open_a_ticket_from_the_page(client_as, staff, office, customer):
    client = client_as(staff)
    assert client.get(reverse("servicedesk:create"), {"customer": customer.code}).status_code == 200
    response = client.post(
        reverse("servicedesk:create"),
        {
            "customer": customer.code,
            "subject": "Need invoice",
            "kind": "request",
            "priority": "normal",
            "channel": "phone",
        },
    )
    ticket = Ticket.objects.get(subject="Need invoice")
    assert response.status_code == 302 and response.url == reverse(
        "servicedesk:ticket", args=[ticket.pk]
    )
    bad = client.post(
        reverse("servicedesk:create"),
        {
            "customer": "NOPE",
            "subject": "x",
            "kind": "request",
            "priority": "normal",
            "channel": "phone",
        },
    )
    assert bad.status_code == 200 and "No customer with this code" in bad.content.decode()


def test_a_reply_note_and_status_through_the_page(client_as, staff, ticket):
    client = client_as(staff)
    client.post(
        reverse("servicedesk:reply", args=[ticket.pk]),
        {"body": "we come today", "mode": "public", "status": "waiting_customer"},
    )
    ticket.refresh_from_db()
    assert ticket.first_responded_at is not None and ticket.status == "waiting_customer"
    page = client.get(reverse("servicedesk:ticket", args=[ticket.pk]))
    assert "we come today" in page.content.decode()
    refused = client.post(
        reverse("servicedesk:status", args=[ticket.pk]), {"status": "resolved"}, follow=True
    )
    assert "root cause" in refused.content.decode()  # a complaint needs its cause first
    ticket.refresh_from_db()
    assert ticket.status == "waiting_customer"


def test_staff_never_see_or_set_the_remedy_cost(client_as, staff, manager, ticket):
    page = client_as(staff).get(reverse("servicedesk:ticket", args=[ticket.pk])).content.decode()
    assert "remedy_cost" not in page and "¥30" not in page
    client_as(staff).post(
        reverse("servicedesk:complaint", args=[ticket.pk]),
        {
            "what_happened": "torn",
            "root_cause": "quality",
            "remedy": "credit",
            "remedy_cost": "999",
        },
    )
    complaint = Complaint.objects.get(ticket=ticket)
    assert complaint.root_cause == "quality" and complaint.remedy_cost == 30
    page = client_as(manager).get(reverse("servicedesk:ticket", args=[ticket.pk])).content.decode()
    assert "¥30" in page and "remedy_cost" in page


def test_only_a_manager_confirms_a_complaint(client_as, staff, manager, ticket):
    url = reverse("servicedesk:confirm", args=[ticket.pk])
    assert client_as(staff).post(url, {"reason": "seen"}).status_code == 403
    client_as(manager).post(url, {"reason": "seen"})
    assert Complaint.objects.get(ticket=ticket).is_confirmed


def test_viewers_read_but_cannot_write(client_as, viewer, ticket):
    client = client_as(viewer)
    assert client.get(reverse("servicedesk:ticket", args=[ticket.pk])).status_code == 200
    assert (
        client.post(
            reverse("servicedesk:reply", args=[ticket.pk]), {"body": "x", "mode": "public"}
        ).status_code
        == 403
    )
    assert client.get(reverse("servicedesk:create")).status_code == 403


def test_a_missing_ticket_is_404(client_as, staff, office):
    assert client_as(staff).get(reverse("servicedesk:ticket", args=[999999])).status_code == 404


def test_the_notebook_shows_the_customers_open_tickets(client_as, staff, ticket, customer):
    page = client_as(staff).get(reverse("customers:notebook", args=[customer.code]))
    html = page.content.decode()
    assert ticket.number in html and 'id="tickets"' in html


def test_notifications_page_and_bell(client_as, staff, ticket):
    from kept.core import notifications

    notifications.notify(
        [staff],
        "sla.at_risk",
        link="/x",
        ticket=ticket.number,
        target="resolution",
        due="11-24 10:00",
    )
    client = client_as(staff)
    page = client.get(reverse("notifications")).content.decode()
    assert ticket.number in page and "resolution" in page
    client.post(reverse("notifications_read"))
    assert staff.notifications.unread().count() == 0


def test_counts_and_filters_are_live_between_two_watches(client_as, staff, office, customer, at):
    """The stored state says on track, but the deadline has passed since: the queue knows."""
    from kept.servicedesk import queries

    ticket = actions.open_ticket(customer, subject="late", now=at(0))
    assert ticket.first_response_state == "on_track"
    assert queries.counts(now=at(1.7))["at_risk"] == 1  # 85 % of 2 h
    assert queries.counts(now=at(2.5))["breached"] == 1
    assert queries.counts(now=at(2.5))["at_risk"] == 0
    found = queries.queue(queries.QueueFilter(sla="breached"), now=at(2.5))
    assert list(found) == [ticket]
    actions.change_status(ticket, "waiting_customer", now=at(0.5))
    assert queries.counts(now=at(200))["breached"] == 0  # paused: nothing runs out


def test_a_manager_edits_a_policy_in_settings_with_pause_statuses_as_checkboxes(
    client_as, manager, office
):
    from kept.core.models import AuditEntry

    url = reverse("admin:servicedesk_slapolicy_change", args=[office.pk])
    client = client_as(manager)
    page = client.get(url).content.decode()
    assert 'type="checkbox" name="pause_statuses" value="waiting_customer"' in page
    data = {
        "name": "Office", "position": 10, "is_active": "on", "calendar": office.calendar_id,
        "customer_scope": "", "kind": "", "priority": "",
        "pause_statuses": ["waiting_customer"],
        "targets-TOTAL_FORMS": 0, "targets-INITIAL_FORMS": 0,
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    office.refresh_from_db()
    assert office.pause_statuses == ["waiting_customer"]
    assert AuditEntry.objects.filter(action="sla.policy").exists()


def test_a_reply_records_the_time_it_took(client_as, staff, ticket):
    client = client_as(staff)
    page = client.get(reverse("servicedesk:ticket", args=[ticket.pk])).content.decode()
    assert 'name="minutes_spent"' in page

    client.post(
        reverse("servicedesk:reply", args=[ticket.pk]),
        {"body": "checked the stock", "mode": "note", "minutes_spent": "15"},
    )
    refused = client.post(
        reverse("servicedesk:reply", args=[ticket.pk]),
        {"body": "a whole week", "mode": "note", "minutes_spent": "99999"},
    )

    assert [m.minutes_spent for m in ticket.messages.all()] == [15]
    assert refused.status_code == 200 and "a whole week" in refused.content.decode()


def test_the_default_policy_and_calendar_read_in_the_readers_language(client_as, staff, ticket):
    from kept.servicedesk.models import BusinessCalendar, SlaPolicy

    BusinessCalendar.objects.exclude(pk=ticket.policy.calendar_id).delete()  # the migration's
    SlaPolicy.objects.filter(pk=ticket.policy_id).update(name="Default")  # the migration's names
    BusinessCalendar.objects.filter(pk=ticket.policy.calendar_id).update(name="Office hours")
    client = client_as(staff)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("servicedesk:ticket", args=[ticket.pk])).content.decode()
    assert "默认 · 办公时间" in page and "Office hours" not in page
    client.cookies["django_language"] = "en"
    assert (
        "Default · Office hours"
        in client.get(reverse("servicedesk:ticket", args=[ticket.pk])).content.decode()
    )
    assert client.get(f"/api/v1/tickets/{ticket.pk}").json()["policy"] == "Default"
