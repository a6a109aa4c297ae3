"""Pages: roles per route, anonymity (peers see aggregates and notes, managers see raters),
the rater's form (htmx and plain), closed periods, items and closing."""

import pytest
from django.urls import reverse

from kept.team.models import BehaviourItem, Period, Score

pytestmark = pytest.mark.django_db

ROUTES = [
    ("team:scorecards", [], "get"),
    ("team:score", [], "get"),
    ("team:person", ["ann"], "get"),
    ("team:items", [], "get"),
]
ALLOWED = {
    "team:scorecards": {"boss", "ann", "keeper"},
    "team:score": {"boss", "ann", "keeper"},
    "team:person": {"boss", "ann", "keeper"},
    "team:items": {"boss"},
}


@pytest.mark.parametrize("who", ["boss", "ann", "keeper", "watcher"])
@pytest.mark.parametrize(("name", "args", "_method"), ROUTES)
def test_roles_per_route(team, client_as, who, name, args, _method):
    response = client_as(team[who]).get(reverse(name, args=args))
    assert response.status_code == (200 if who in ALLOWED[name] else 403)


def test_closing_a_period_is_for_managers(team, client_as, period):
    url = reverse("team:close_period", args=[period.key])
    assert client_as(team["ann"]).post(url).status_code == 403
    assert client_as(team["boss"]).post(url).status_code == 302
    period.refresh_from_db()
    assert not period.is_open


@pytest.fixture
def scored(team, items, give):
    """bob gave ann 0 on the first item with a note; cai gave her 1; she gave herself 1."""
    give(team["bob"], team["ann"], {items[0]: 0}, "忘了回电话")
    give(team["cai"], team["ann"], {items[0]: 1}, "helped a new customer")
    give(team["ann"], team["ann"], {items[0]: 1})
    return team


def test_a_peer_sees_the_average_and_the_notes_but_never_who_gave_them(scored, client_as):
    # when ann (staff) reads her page and the board
    client = client_as(scored["ann"])
    page = client.get(reverse("team:person", args=["ann"])).content.decode()
    board = client.get(reverse("team:scorecards")).content.decode()
    # then the notes are there, without their raters
    assert "忘了回电话" in page and "helped a new customer" in page
    for rater in ("bob", "cai"):
        assert f'class="muted rater">({rater})' not in page and 'id="raters"' not in page
    # and the board shows her self score 1 and a peer average of 50 % of 2
    assert 'data-person="ann"' in board and '1 · 50 % <span class="muted">(2)</span>' in board


def test_a_manager_sees_who_gave_which_score(scored, client_as):
    page = client_as(scored["boss"]).get(reverse("team:person", args=["ann"])).content.decode()
    assert 'id="raters"' in page
    assert 'class="muted rater">(bob)</span>' in page  # bob's note names him
    assert '<td data-label="Rater" class="rater">cai' in page


def test_the_rater_scores_a_peer_with_htmx_and_sees_the_card_again(team, items, client_as):
    client = client_as(team["ann"])
    page = client.get(reverse("team:score"))
    html = page.content.decode()
    # her own card first, then each peer's
    assert html.index(f'id="card-{team["ann"].pk}"') < html.index(f'id="card-{team["bob"].pk}"')
    prefix = f"p{team['bob'].pk}"
    data = {"person": team["bob"].pk, f"{prefix}-value_{items[0].pk}": "1"}
    data[f"{prefix}-note_{items[0].pk}"] = "<b>kind</b>"
    response = client.post(reverse("team:score"), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Saved." in response.content.decode()
    assert "&lt;b&gt;kind&lt;/b&gt;" in response.content.decode()  # escaped
    score = Score.objects.get()
    assert (score.rater, score.person, score.value) == (team["ann"], team["bob"], 1)


def test_without_script_the_form_saves_and_returns_to_the_page(team, items, client_as):
    client = client_as(team["keeper"])
    prefix = f"p{team['ann'].pk}"
    data = {"person": team["ann"].pk, f"{prefix}-value_{items[1].pk}": "0"}
    response = client.post(reverse("team:score"), data)
    assert response.status_code == 302 and Score.objects.get().value == 0


def test_a_bad_value_is_refused_on_the_card(team, items, client_as):
    prefix = f"p{team['bob'].pk}"
    data = {"person": team["bob"].pk, f"{prefix}-value_{items[0].pk}": "7"}
    response = client_as(team["ann"]).post(reverse("team:score"), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and not Score.objects.exists()


def test_a_viewer_cannot_be_scored(team, items, client_as):
    data = {"person": team["watcher"].pk}
    assert client_as(team["ann"]).post(reverse("team:score"), data).status_code == 404


def test_a_closed_period_refuses_the_form(team, items, client_as, period):
    from kept.team.actions import close_period

    close_period(period, team["boss"])
    client = client_as(team["ann"])
    assert client.get(reverse("team:score")).status_code == 409
    prefix = f"p{team['bob'].pk}"
    data = {"person": team["bob"].pk, f"{prefix}-value_{items[0].pk}": "1"}
    assert client.post(reverse("team:score"), data).status_code == 409
    assert not Score.objects.exists()


def test_an_unknown_or_never_opened_period(team, client_as):
    client = client_as(team["ann"])
    assert client.get(reverse("team:scorecards") + "?period=2020-13").status_code == 404
    page = client.get(reverse("team:scorecards") + "?period=2020-01")
    assert page.status_code == 200 and 'id="no-period"' in page.content.decode()
    assert not Period.objects.filter(start__year=2020).exists()


def test_a_manager_rewrites_and_retires_items(team, items, client_as):
    client = client_as(team["boss"])
    first = items[0]
    data = {"item": first.pk, f"{first.pk}-text": "Greets by name", f"{first.pk}-position": 1}
    assert client.post(reverse("team:items"), data).status_code == 302
    last = items[3]
    data = {"item": last.pk, f"{last.pk}-position": 4, f"{last.pk}-retired": "on"}
    assert client.post(reverse("team:items"), data).status_code == 302
    assert client.post(reverse("team:items"), {"item": "new", "new-text": ""}).status_code == 422
    assert list(BehaviourItem.objects.active().values_list("text", flat=True)) == [
        "Greets by name",
        "",
        "",
    ]


def test_the_nav_links_the_board_for_the_team_only(team, client_as):
    link = f'href="{reverse("team:scorecards")}"'
    assert link in client_as(team["keeper"]).get(reverse("home")).content.decode()
    assert link not in client_as(team["watcher"]).get(reverse("home")).content.decode()


def test_the_board_in_chinese(team, client_as, period):
    client = client_as(team["ann"])
    client.cookies["django_language"] = "zh-hans"
    assert client.get(reverse("team:scorecards")).status_code == 200


def test_the_dashboard_card_says_how_far_i_am(team, items, give, rf, today):
    from django.template.loader import render_to_string

    from kept.team.queries import my_scorecard

    give(team["ann"], team["ann"], dict.fromkeys(items, 1))
    give(team["bob"], team["ann"], {items[0]: 0})
    request = rf.get("/")
    request.user = team["ann"]
    context = {"scorecard": my_scorecard(team["ann"], today), "user": team["ann"]}
    html = render_to_string("kept/team/_dashboard_scorecard.html", context, request=request)
    assert "16 scores left to give this month." in html  # 5 members × 4 items − 4 given
    assert "100 %" in html and "0 %" in html and 'href="/team/people/ann/"' in html
    assert "bob" not in html
