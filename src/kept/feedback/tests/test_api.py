"""/api/v1/surveys: the list, the results, sending one by hand; never the token's digest."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from kept.feedback.models import Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(api_as, make_user):
    return lambda role: api_as(make_user(role))


def _post(client, data: dict):
    return client.post("/api/v1/surveys", data, content_type="application/json")


def test_send_a_survey_by_hand_and_answer_it_once(api, smith, client):
    sent = _post(api("staff"), {"customer": smith.code})
    assert sent.status_code == 201, sent.content
    body = sent.json()
    survey = body["survey"]
    assert survey["customer"] == "R1" and survey["trigger"] == "manual"
    assert survey["sent_to"] == smith.email and survey["answered_at"] is None
    assert "token_digest" not in survey and Survey.objects.get().token_digest not in sent.text
    link = body["link"]
    assert link.startswith("http://127.0.0.1:8000/feedback/s/")
    path = link.removeprefix("http://127.0.0.1:8000")
    client.defaults.pop("HTTP_AUTHORIZATION", None)
    assert client.post(path, {"csat": "5", "nps": "10"}).status_code == 200
    assert client.post(path, {"csat": "1"}).status_code == 404


def test_sending_again_within_the_quiet_days_is_a_conflict(api, smith):
    client = api("manager")
    assert _post(client, {"customer": smith.code}).status_code == 201
    again = _post(client, {"customer": smith.code})
    assert again.status_code == 409 and again.json()["code"] == "quiet_period"


def test_sending_to_an_unknown_customer_says_which(api, db):
    refused = _post(api("staff"), {"customer": "NOPE"})
    assert refused.status_code == 422 and refused.json()["details"] == {"customer": "NOPE"}


@pytest.mark.parametrize(("role", "status"), [("viewer", 403), ("warehouse", 403)])
def test_who_may_send(api, smith, role, status):
    assert _post(api(role), {"customer": smith.code}).status_code == status


def test_the_list_filters_and_pages(api, zhang, smith, answered):
    now = timezone.now()
    answered(zhang, 5, 10, comment="很好 👍", at=now - timedelta(days=40))
    answered(smith, 2, 3, comment="<b>late</b>", at=now - timedelta(days=2))
    answered(smith, at=now - timedelta(days=1))
    client = api("viewer")
    everything = client.get("/api/v1/surveys").json()
    assert everything["count"] == 3
    assert [s["customer"] for s in everything["items"]] == ["R1", "R1", "H9"]
    assert all("token_digest" not in s for s in everything["items"])
    assert client.get("/api/v1/surveys?customer=H9").json()["items"][0]["comment"] == "很好 👍"
    answered_only = client.get("/api/v1/surveys?answered=true").json()
    assert answered_only["count"] == 2
    assert client.get("/api/v1/surveys?answered=false").json()["count"] == 1
    since = (now - timedelta(days=10)).date().isoformat()
    assert client.get(f"/api/v1/surveys?from={since}").json()["count"] == 2
    assert client.get(f"/api/v1/surveys?to={since}").json()["count"] == 1
    paged = client.get("/api/v1/surveys?limit=1&offset=1").json()
    assert paged["count"] == 3 and paged["items"][0]["comment"] == "<b>late</b>"


def test_the_list_is_for_readers_only(api, db):
    assert api("warehouse").get("/api/v1/surveys").status_code == 403
    assert api("viewer").get("/api/v1/surveys").status_code == 200


def _at(day: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(f"{day}T10:00"))


def test_results_by_each_grouping(api, zhang, smith, answered, staff):
    for csat, nps, customer in [(5, 10, zhang), (4, 9, zhang), (3, 8, smith), (1, 6, smith)]:
        answered(customer, csat, nps, at=_at("2026-01-15"), staff=staff)
    answered(smith, None, 0, at=_at("2026-02-15"))
    client = api("viewer")
    query = "from=2026-01-01&to=2026-02-28"
    total = client.get(f"/api/v1/surveys/results?{query}").json()
    assert total["from"] == "2026-01-01" and total["by"] == "month" and total["scope"] == "external"
    assert total["total"]["csat_percent"] == 50.0 and total["total"]["nps"] == 0.0
    assert [g["key"] for g in total["groups"]] == ["2026-01", "2026-02"]
    by_customer = client.get(f"/api/v1/surveys/results?{query}&by=customer").json()["groups"]
    assert {g["key"]: g["csat_percent"] for g in by_customer} == {"H9": 100.0, "R1": 0.0}
    by_staff = client.get(f"/api/v1/surveys/results?{query}&by=staff").json()["groups"]
    assert {g["key"]: g["sent"] for g in by_staff} == {"": 1, staff.username: 4}
    by_group = client.get(f"/api/v1/surveys/results?{query}&by=group").json()["groups"]
    assert by_group[0]["key"] == "" and by_group[0]["answered"] == 5


@pytest.mark.parametrize(
    "query",
    [
        "from=2026-03-01&to=2026-01-01",
        "from=2000-01-01&to=2026-01-01",
        "by=product",
        "scope=everyone",
        "from=yesterday",
    ],
)
def test_bad_results_queries_are_refused(api, db, query):
    refused = api("viewer").get(f"/api/v1/surveys/results?{query}")
    assert refused.status_code == 422 and refused.json()["code"] == "invalid"


def test_far_dates_are_no_server_error(api, db):
    client = api("viewer")
    assert client.get("/api/v1/surveys?from=0001-01-01&to=9999-12-31").status_code == 200
    far = client.get("/api/v1/surveys/results?from=9999-01-01&to=9999-12-31")
    assert far.status_code == 422
