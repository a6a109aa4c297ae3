"""/api/v1/tickets: the queue, one ticket, and the desk's writes."""

import pytest

from kept.customers.models import Customer
from kept.servicedesk.models import Ticket

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets"


def _create(client, **extra):
    body = {"customer": "H1", "subject": "No rice", "priority": "high", **extra}
    return client.post(URL, body, content_type="application/json")


def test_open_read_and_list_a_ticket(api_as, staff, office, customer):
    client = api_as(staff)
    created = _create(client, assignee=staff.username)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["number"].startswith("T-") and body["assignee"] == staff.username
    assert body["policy"] == "Office" and body["status"] == "new"
    assert body["messages"] == [] and body["complaint"] is None
    # high has no target in the test policy: no clock
    assert body["first_response"] is None
    urgent = _create(client, priority="urgent").json()
    assert urgent["first_response"]["target_minutes"] == 60
    assert urgent["first_response"]["state"] == "on_track"
    listed = client.get(URL, {"priority": "urgent"}).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == urgent["id"]
    assert client.get(f"{URL}/{urgent['id']}").json()["number"] == urgent["number"]


def test_reply_status_and_reopen(api_as, staff, office, customer):
    client = api_as(staff)
    ticket = _create(client, priority="normal").json()
    reply = client.post(
        f"{URL}/{ticket['id']}/messages", {"body": "coming"}, content_type="application/json"
    )
    assert reply.status_code == 201 and reply.json()["public"] is True
    note = client.post(
        f"{URL}/{ticket['id']}/messages",
        {"body": "n", "public": False},
        content_type="application/json",
    )
    assert note.json()["public"] is False
    done = client.post(
        f"{URL}/{ticket['id']}/status", {"status": "resolved"}, content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["resolution"]["state"] == "met"
    again = client.post(
        f"{URL}/{ticket['id']}/status", {"status": "open"}, content_type="application/json"
    )
    assert again.json()["status"] == "open" and again.json()["resolved_at"] is None
    client.post(
        f"{URL}/{ticket['id']}/status", {"status": "closed"}, content_type="application/json"
    )
    refused = client.post(
        f"{URL}/{ticket['id']}/status", {"status": "open"}, content_type="application/json"
    )
    assert refused.status_code == 409 and refused.json()["code"] == "conflict"


def test_complaint_cost_only_from_and_to_managers(api_as, staff, manager, office, customer):
    client = api_as(staff)
    ticket = _create(
        client, kind="complaint", complaint={"what_happened": "bag torn", "remedy_cost": "20"}
    ).json()
    assert ticket["complaint"]["remedy_cost"] is None
    put = client.put(
        f"{URL}/{ticket['id']}/complaint",
        {
            "what_happened": "bag torn",
            "root_cause": "quality",
            "remedy": "credit",
            "remedy_cost": "99",
        },
        content_type="application/json",
    )
    assert put.status_code == 200 and put.json()["remedy_cost"] is None
    boss = api_as(manager)
    assert boss.get(f"{URL}/{ticket['id']}").json()["complaint"]["remedy_cost"] == "0.00"
    boss.put(
        f"{URL}/{ticket['id']}/complaint",
        {
            "what_happened": "bag torn",
            "root_cause": "quality",
            "remedy": "credit",
            "remedy_cost": "15.50",
        },
        content_type="application/json",
    )
    assert boss.get(f"{URL}/{ticket['id']}").json()["complaint"]["remedy_cost"] == "15.50"
    assert (
        api_as(staff)
        .post(
            f"{URL}/{ticket['id']}/complaint/confirm",
            {"reason": "x"},
            content_type="application/json",
        )
        .status_code
        == 403
    )
    confirmed = api_as(manager).post(
        f"{URL}/{ticket['id']}/complaint/confirm",
        {"reason": "photo"},
        content_type="application/json",
    )
    assert confirmed.status_code == 200 and confirmed.json()["confirmed_at"]


def test_bad_input_is_a_clear_error(api_as, staff, office, customer):
    client = api_as(staff)
    assert _create(client, customer="NOPE").status_code == 422
    assert _create(client, assignee="ghost").status_code == 422
    assert _create(client, kind="handoff").status_code == 422  # to which department?
    assert _create(client, order="O-404").status_code == 422
    assert _create(client, subject="").status_code == 422
    assert _create(client, priority="whenever").status_code == 422
    assert client.get(f"{URL}/999999").status_code == 404
    assert Ticket.objects.count() == 0


def test_a_handoff_by_api(api_as, staff, office, customer):
    Customer.objects.create(code="D-CS", name="客服", kind="internal")
    Customer.objects.create(code="D-WH", name="仓库", kind="internal")
    made = _create(
        api_as(staff), customer="D-CS", kind="handoff", department="D-WH", subject="Re-pick"
    )
    assert made.status_code == 201 and made.json()["department"] == "D-WH"


def test_roles(api_as, warehouse, viewer, office, customer):
    assert api_as(viewer).get(URL).status_code == 200
    assert _create(api_as(viewer)).status_code == 403
    assert _create(api_as(warehouse)).status_code == 403  # customers' tickets are not theirs
    Customer.objects.create(code="D-WH", name="仓库", kind="internal")
    Customer.objects.create(code="D-PUR", name="采购", kind="internal")
    handoff = _create(api_as(warehouse), customer="D-WH", kind="handoff", department="D-PUR")
    assert handoff.status_code == 201  # hand-offs between departments
    listed = api_as(warehouse).get(URL, {"status": "all"}).json()
    assert [t["customer"] for t in listed["items"]] == ["D-WH"]


def test_huge_paging_numbers_are_refused_not_an_error(api_as, staff, office, customer):
    client = api_as(staff)
    _create(client)
    far = client.get(URL, {"limit": 41917848157410549760, "offset": 4575017})
    assert far.status_code == 422
    assert client.get(URL, {"offset": 10**15}).status_code == 422
    assert client.get(URL, {"offset": 10_000_000}).json()["items"] == []


def test_time_spent_on_a_message_is_kept_and_bounded(api_as, staff, office, customer):
    client = api_as(staff)
    ticket = _create(client).json()
    url = f"{URL}/{ticket['id']}/messages"

    note = client.post(
        url, {"body": "called the driver", "public": False, "minutes_spent": 25},
        content_type="application/json",
    )  # fmt: skip
    too_long = client.post(
        url, {"body": "x", "minutes_spent": 24 * 60 + 1}, content_type="application/json"
    )
    negative = client.post(url, {"body": "x", "minutes_spent": -5}, content_type="application/json")

    assert note.status_code == 201 and note.json()["minutes_spent"] == 25
    assert too_long.status_code == 422 and negative.status_code == 422
    assert [m.minutes_spent for m in Ticket.objects.get(pk=ticket["id"]).messages.all()] == [25]
