"""/api/v1/subscriptions and /api/v1/plan."""

from datetime import timedelta

import pytest

from kept.replenishment.models import Proposal

pytestmark = pytest.mark.django_db


class Json:
    def __init__(self, client):
        self.client = client

    def post(self, path, data):
        return self.client.post(path, data, content_type="application/json")

    def patch(self, path, data):
        return self.client.patch(path, data, content_type="application/json")

    def get(self, path):
        return self.client.get(path)


@pytest.fixture
def api(api_as, make_user):
    return lambda role: Json(api_as(make_user(role)))


def test_create_list_change_a_subscription_with_clear_errors(api, customer, make_product):
    make_product("RICE-5", on_hand="100")
    staff = api("staff")
    body = {"customer": customer.code, "sku": "RICE-5", "capacity": "15", "people": 3}
    created = staff.post("/api/v1/subscriptions", body)
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert staff.post("/api/v1/subscriptions", body).status_code == 409
    unknown = staff.post("/api/v1/subscriptions", {**body, "sku": "NOPE"})
    assert unknown.status_code == 422 and unknown.json()["details"] == {"sku": "NOPE"}
    fixed = staff.patch(f"/api/v1/subscriptions/{pk}", {"fill_policy": "fixed"})
    assert fixed.status_code == 422 and "fixed_quantity" in fixed.json()["details"]
    days = staff.patch(f"/api/v1/subscriptions/{pk}", {"preferred_days": [9]})
    assert days.status_code == 422
    ok = staff.patch(f"/api/v1/subscriptions/{pk}", {"people": 4, "preferred_days": [6, 3]})
    assert ok.json()["people"] == 4 and ok.json()["preferred_days"] == [3, 6]
    listed = api("viewer").get(f"/api/v1/subscriptions?customer={customer.code}").json()
    assert [s["id"] for s in listed["items"]] == [pk]
    assert api("viewer").post("/api/v1/subscriptions", body).status_code == 403


def test_readings_are_checked(api, jar):
    crew = api("warehouse")
    too_much = crew.post(f"/api/v1/subscriptions/{jar.pk}/readings", {"level": "16"})
    assert too_much.status_code == 422 and "level" in too_much.json()["details"]
    ok = crew.post(f"/api/v1/subscriptions/{jar.pk}/readings", {"level": "4.5"})
    assert ok.status_code == 201 and ok.json()["level"] == "4.500"
    assert (
        api("viewer").post(f"/api/v1/subscriptions/{jar.pk}/readings", {"level": 1}).status_code
        == 403
    )


def test_plan_then_order_through_the_promise_engine(api, jar, fill, today):
    for n in range(8, 0, -1):
        fill(jar, n * 10, 10)
    staff = api("staff")
    plan = staff.get(f"/api/v1/plan?date={today}").json()
    [proposal] = plan["proposals"]
    assert proposal["subscription"] == jar.pk and proposal["customer"] == jar.customer.code
    assert 9 <= proposal["quantity"] <= 13
    outlook = staff.get(f"/api/v1/subscriptions/{jar.pk}").json()["outlook"]
    assert outlook["rate_per_day"] == pytest.approx(1.0, rel=0.15)
    later = staff.post(
        f"/api/v1/plan/{jar.pk}/answer", {"date": str(today), "outcome": "postponed"}
    )
    assert later.status_code == 422 and "postponed_until" in later.json()["details"]
    answered = staff.post(f"/api/v1/plan/{jar.pk}/answer", {"outcome": "accepted"})
    assert answered.status_code == 201, answered.json()
    assert answered.json()["order"].startswith("SO-") and answered.json()["decision"] == "commit"
    assert Proposal.objects.get().order.number == answered.json()["order"]
    again = staff.post(f"/api/v1/plan/{jar.pk}/answer", {"outcome": "declined"})
    assert again.status_code == 409  # no longer proposed
    tomorrow = today + timedelta(days=1)
    assert staff.get(f"/api/v1/plan?date={tomorrow}").json()["proposals"] == []  # on order
