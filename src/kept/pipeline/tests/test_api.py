"""/api/v1/leads and /api/v1/funnel: permissions like the pages, JSON errors, the moves."""

import pytest

from kept.customers.models import Customer, Interaction

pytestmark = pytest.mark.django_db


def test_staff_create_move_and_win_through_the_api(api_as, staff, stages):
    api = api_as(staff)
    payload = {"name": "孙先生", "phone": "13600000001", "channel": "walk_in", "stage": "Visit"}
    created = api.post("/api/v1/leads", payload, content_type="application/json")
    assert created.status_code == 201, created.json()
    lead = created.json()
    assert lead["stage"] == "Visit" and lead["owner"] == staff.username
    assert [e["stage"] for e in lead["entries"]] == ["Inquiry", "Visit"]
    back = api.post(f"/api/v1/leads/{lead['id']}/move", {"stage": "Inquiry"},
                    content_type="application/json")  # fmt: skip
    assert back.status_code == 422 and back.json()["code"] == "invalid"
    assert "only moves forward" in back.json()["message"]
    won = api.post(f"/api/v1/leads/{lead['id']}/win", {}, content_type="application/json")
    assert won.status_code == 201
    code = won.json()["customer"]
    assert Customer.objects.get(code=code).name == "孙先生"
    assert Interaction.objects.filter(customer__code=code).count() == 3
    got = api.get(f"/api/v1/leads/{lead['id']}").json()
    assert got["customer"] == code and got["stage"] == "Purchase"


def test_patch_and_lose(api_as, staff, make_lead):
    lead = make_lead("Visit")
    api = api_as(staff)
    patched = api.patch(f"/api/v1/leads/{lead.pk}", {"note": "Call after 6 pm"},
                        content_type="application/json")  # fmt: skip
    assert patched.status_code == 200 and patched.json()["note"] == "Call after 6 pm"
    lost = api.post(f"/api/v1/leads/{lead.pk}/lose", {"reason": "Moved away"},
                    content_type="application/json")  # fmt: skip
    assert lost.json()["lost_reason"] == "Moved away" and lost.json()["lost_at"]


def test_list_with_filters_and_paging(api_as, viewer, make_lead):
    for number in range(5):
        make_lead("Visit" if number % 2 else "Inquiry", channel="event" if number else "phone")
    api = api_as(viewer)
    page = api.get("/api/v1/leads", {"channel": "event", "limit": 2})
    assert page.status_code == 200
    assert page.json()["count"] == 4 and len(page.json()["items"]) == 2
    assert api.get("/api/v1/leads", {"stage": "Visit"}).json()["count"] == 2
    assert api.get("/api/v1/leads", {"limit": 0}).status_code == 422


def test_the_funnel_by_channel(api_as, viewer, make_lead):
    make_lead("Inquiry", channel="online")
    make_lead("Purchase", channel="referral")
    body = api_as(viewer).get("/api/v1/funnel", {"by": "channel"}).json()
    assert [s["count"] for s in body["stages"]] == [2, 1, 1, 0]
    assert body["overall"] == 0.5 and body["stages"][1]["target"] == 70
    groups = {g["key"]: g for g in body["groups"]}
    assert groups["referral"]["counts"] == [1, 1, 1, 0] and groups["online"]["overall"] == 0
    bad = api_as(viewer).get("/api/v1/funnel", {"start": "2026-05-01", "end": "2026-01-01"})
    assert bad.status_code == 422


def test_viewers_cannot_write_and_the_warehouse_cannot_read(api_as, viewer, warehouse, make_lead):
    lead = make_lead()
    api = api_as(viewer)
    assert api.post("/api/v1/leads", {"name": "x", "phone": "1"},
                    content_type="application/json").status_code == 403  # fmt: skip
    assert api.post(f"/api/v1/leads/{lead.pk}/win", {},
                    content_type="application/json").status_code == 403  # fmt: skip
    api = api_as(warehouse)
    assert api.get("/api/v1/leads").status_code == 403
    assert api.get("/api/v1/funnel").json()["code"] == "forbidden"
    assert api.get("/api/v1/leads/999999").status_code == 403


def test_dates_out_of_range_are_refused_not_a_server_error(api_as, client_as, viewer, stages):
    # found by schemathesis: year 1 as a business day's start cannot be turned into UTC
    api = api_as(viewer)
    ancient = api.get("/api/v1/funnel", {"start": "0001-01-01", "end": "0001-01-01"})
    page = client_as(viewer).get("/pipeline/", {"start": "0001-01-01", "end": "0001-01-01"})
    assert ancient.status_code == 422 and "between 1900 and 9998" in ancient.json()["message"]
    assert page.status_code < 500
