"""/api/v1/scorecards: the board with the pages' anonymity, submitting scores, the items."""

import pytest

from kept.team.models import Score

pytestmark = pytest.mark.django_db

BOARD, SCORES, ITEMS = "/api/v1/scorecards", "/api/v1/scorecards/scores", "/api/v1/scorecards/items"


@pytest.fixture
def scored(team, items, give):
    give(team["bob"], team["ann"], {items[0]: 0}, "忘了回电话")
    give(team["cai"], team["ann"], {items[0]: 1})
    return team


def _ann(body):
    return next(p for p in body["people"] if p["username"] == "ann")


def test_a_peer_reads_aggregates_and_anonymous_notes(scored, api_as, items):
    body = api_as(scored["keeper"]).get(BOARD).json()
    ann = _ann(body)
    assert ann["items"][0] == {
        "item": items[0].pk,
        "self_score": None,
        "peer_average": 0.5,
        "peer_count": 2,
    }
    assert ann["notes"] == [
        {"item": items[0].pk, "text": "忘了回电话", "is_self": False, "rater": None}
    ]
    assert body["scores"] is None
    assert "bob" not in str(ann) and "cai" not in str(ann)


def test_a_manager_reads_who_gave_which(scored, api_as):
    body = api_as(scored["boss"]).get(BOARD).json()
    assert _ann(body)["notes"][0]["rater"] == "bob"
    given = {(s["rater"], s["person"], s["value"]) for s in body["scores"]}
    assert given == {("bob", "ann", 0), ("cai", "ann", 1)}


def test_submitting_scores_creates_then_updates(team, api_as, items):
    client = api_as(team["ann"])
    payload = {"scores": [{"person": "bob", "item": items[0].pk, "value": 1, "note": "准时"}]}
    first = client.post(SCORES, payload, content_type="application/json")
    assert first.status_code == 200 and first.json()["saved"] == 1
    payload["scores"][0]["value"] = 0
    again = client.post(SCORES, payload, content_type="application/json")
    assert again.status_code == 200 and Score.objects.get().value == 0


@pytest.mark.parametrize(
    "score",
    [
        {"person": "nobody", "item": 1, "value": 1},
        {"person": "bob", "item": 1, "value": 2},
        {"person": "watcher", "item": 1, "value": 1},
        {"person": "bob", "item": 99999, "value": 1},
        {"person": "bob", "item": 1, "value": 1, "note": "x" * 501},
    ],
    ids=["unknown", "two", "viewer", "no item", "long note"],
)
def test_bad_scores_are_422_in_json(team, api_as, score):
    response = api_as(team["ann"]).post(
        SCORES, {"scores": [score]}, content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["code"] == "invalid"
    assert not Score.objects.exists()


def test_a_closed_period_is_409(team, api_as, items, period):
    from kept.team.actions import close_period

    close_period(period, team["boss"])
    payload = {"period": period.key, "scores": [{"person": "bob", "item": items[0].pk, "value": 1}]}
    response = api_as(team["ann"]).post(SCORES, payload, content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "period_closed"


def test_periods_that_are_not_there(team, api_as):
    client = api_as(team["ann"])
    assert client.get(BOARD + "?period=2020-01").status_code == 404
    assert client.get(BOARD + "?period=January").json()["code"] == "invalid"


def test_the_items_in_the_callers_language(team, api_as):
    client = api_as(team["keeper"])
    body = client.get(ITEMS).json()
    assert [i["key"] for i in body][:1] == ["respect"]
    assert body[0]["text"] == "Respects and thanks the customer"


@pytest.mark.parametrize(
    ("who", "expected"),
    [("boss", 200), ("ann", 200), ("keeper", 200), ("watcher", 403)],
)
def test_roles(team, api_as, items, who, expected):
    client = api_as(team[who])
    assert client.get(BOARD).status_code == expected
    assert client.get(ITEMS).status_code == expected
    payload = {"scores": [{"person": "ann", "item": items[0].pk, "value": 1}]}
    response = client.post(SCORES, payload, content_type="application/json")
    assert response.status_code == expected
    if expected == 403:
        assert response.json()["code"] == "forbidden"


def test_without_a_token_it_is_401(client):
    assert client.get(BOARD).status_code == 401
