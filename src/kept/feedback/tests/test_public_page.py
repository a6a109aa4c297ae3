"""The public survey page: no login, one answer, in the customer's language; a guessed, used
or expired link gets the same plain refusal; rate-limited per address."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from kept.feedback import actions
from kept.feedback.models import Survey

pytestmark = pytest.mark.django_db
QUESTION = "How satisfied are you with us?"


def _url(token: str) -> str:
    return reverse("feedback:answer", args=[token])


def test_the_page_needs_no_login_and_stores_the_answer_exactly(client, smith, sent):
    survey, token = sent(smith)
    page = client.get(_url(token))
    assert page.status_code == 200
    body = page.content.decode()
    assert QUESTION in body and 'name="csrfmiddlewaretoken"' in body
    assert '<meta name="robots" content="noindex, nofollow">' in body
    assert page["Referrer-Policy"] == "same-origin" and "no-cache" in page["Cache-Control"]
    comment = "Rice was damp <b>again</b> 米有点潮 🍚\r\nsecond line  "
    done = client.post(_url(token), {"csat": "2", "nps": "6", "comment": comment})
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    survey.refresh_from_db()
    assert (survey.csat, survey.nps, survey.comment) == (2, 6, comment)


def test_nps_and_comment_may_be_left_out_csat_may_not(client, smith, sent):
    survey, token = sent(smith)
    missing = client.post(_url(token), {"nps": "9"})
    assert missing.status_code == 422 and "This field is required." in missing.content.decode()
    assert client.post(_url(token), {"csat": "5"}).status_code == 200
    survey.refresh_from_db()
    assert (survey.csat, survey.nps, survey.comment) == (5, None, "")


def test_the_form_is_protected_against_cross_site_posts(smith, sent):
    _survey, token = sent(smith)
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(_url(token), {"csat": "1"}).status_code == 403
    page = browser.get(_url(token))
    csrf = page.cookies["csrftoken"].value
    answer = browser.post(_url(token), {"csat": "4", "csrfmiddlewaretoken": csrf})
    assert answer.status_code == 200 and Survey.objects.get().csat == 4


def _refusals(client, smith, sent) -> dict[str, object]:
    now = timezone.now()
    _survey, used = sent(smith)
    actions.answer(used, csat=5)
    _survey, expired = sent(smith.__class__.objects.create(code="OLD", name="Old Customer Ltd"))
    Survey.objects.filter(customer__code="OLD").update(
        sent_at=now - timedelta(days=20), expires_at=now - timedelta(seconds=1)
    )
    guessed = "A" * 43
    return {
        "guessed-get": client.get(_url(guessed)),
        "guessed-post": client.post(_url(guessed), {"csat": "1"}),
        "used-get": client.get(_url(used)),
        "used-post": client.post(_url(used), {"csat": "1"}),
        "expired-get": client.get(_url(expired)),
        "expired-post": client.post(_url(expired), {"csat": "1"}),
        "too-long": client.get(_url("x" * 500)),
    }


def test_guessed_used_and_expired_links_get_the_same_plain_refusal(client, smith, sent):
    refusals = _refusals(client, smith, sent)
    assert {name: r.status_code for name, r in refusals.items()} == dict.fromkeys(refusals, 404)
    bodies = {r.content for r in refusals.values()}
    assert len(bodies) == 1, "the refusals differ: they would tell the cases apart"
    body = bodies.pop().decode()
    assert "This survey link is not valid." in body
    for secret in ["Smith", "Old Customer", "R1", "OLD", "csat", "<form", "S-0"]:
        assert secret not in body
    assert Survey.objects.get(customer=smith).csat == 5  # the used link changed nothing
    assert all(r["Referrer-Policy"] == "same-origin" for r in refusals.values())


def test_the_public_page_is_rate_limited_per_address(client, smith, sent, settings):
    settings.KEPT_SURVEY_RATE_LIMIT = (3, 600)
    _survey, token = sent(smith)
    assert client.get(_url(token)).status_code == 200
    assert client.get(_url("guess-1")).status_code == 404
    assert client.post(_url("guess-2"), {"csat": "1"}).status_code == 404
    blocked = client.get(_url(token))  # the fourth in the window, even with the right link
    assert blocked.status_code == 429 and blocked["Retry-After"] == "600"
    assert "Smith" not in blocked.content.decode()
    assert client.post(_url(token), {"csat": "5"}).status_code == 429
    assert not Survey.objects.filter(answered_at__isnull=False).exists()
    elsewhere = Client(REMOTE_ADDR="10.0.0.2")
    assert elsewhere.get(_url(token)).status_code == 200


def test_the_page_speaks_the_customers_language(client, zhang, smith, sent):
    _survey, zh_token = sent(zhang)
    _survey, en_token = sent(smith)
    client.cookies["django_language"] = "en"  # the visitor's own setting does not decide
    chinese = client.get(_url(zh_token))
    with translation.override("zh-hans"):
        question, required = gettext(QUESTION), gettext("This field is required.")
    assert chinese["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in chinese.content.decode()
    assert question in chinese.content.decode()
    refused = client.post(_url(zh_token), {"comment": "好"}).content.decode()
    assert required == "这个字段是必填项。" and required in refused  # Django's own catalogue
    client.cookies["django_language"] = "zh-hans"
    english = client.get(_url(en_token))
    assert english["Content-Language"] == "en" and '<html lang="en">' in english.content.decode()
    assert QUESTION in english.content.decode()


def test_logged_in_staff_see_the_same_public_page(client_as, staff, smith, sent):
    _survey, token = sent(smith)
    assert client_as(staff).get(_url(token)).status_code == 200
