"""Sending a survey from the page (the link shown once) and the admin: the policy changed
through the action, the answers read-only, the token's digest never shown."""

import pytest
from django.urls import reverse

from kept.core.models import AuditEntry
from kept.feedback.models import Survey, SurveyPolicy

pytestmark = pytest.mark.django_db


def test_staff_send_a_survey_and_see_the_link_once(client_as, staff, make_customer):
    shop = make_customer("S1", "Corner Shop", email="")
    client = client_as(staff)
    form = client.get(reverse("feedback:send"), {"customer": "S1"})
    assert form.status_code == 200 and 'value="S1"' in form.content.decode()
    done = client.post(reverse("feedback:send"), {"customer": "S1"})
    assert done.status_code == 200 and done["Cache-Control"] == "no-store"
    body = done.content.decode()
    assert "pass the link on yourself" in body
    link = body.split('id="survey-link"')[1].split('value="')[1].split('"')[0]
    assert link.startswith("http://127.0.0.1:8000/feedback/s/")
    survey = Survey.objects.get(customer=shop)
    assert survey.trigger == "manual" and survey.token_digest not in body
    assert AuditEntry.objects.filter(action="survey.send", actor=staff).exists()
    again = client.post(reverse("feedback:send"), {"customer": "S1"})
    assert again.status_code == 409 and 'id="quiet"' in again.content.decode()
    assert 'id="survey-link"' not in again.content.decode()


def test_an_unknown_customer_is_said_plainly(client_as, staff):
    page = client_as(staff).post(reverse("feedback:send"), {"customer": "NOPE"})
    assert page.status_code == 422 and "No customer with this code." in page.content.decode()


@pytest.mark.parametrize(("role", "status"), [("viewer", 403), ("warehouse", 403)])
def test_only_those_who_may_add_surveys_send_them(client_as, make_user, role, status):
    assert client_as(make_user(role)).post(reverse("feedback:send"), {}).status_code == status


@pytest.fixture
def admin_client(client_as, manager):
    manager.is_staff = True
    manager.save()
    return client_as(manager)


def test_the_manager_changes_the_policy_in_the_admin_audited(admin_client):
    policy = SurveyPolicy.current()
    url = reverse("admin:feedback_surveypolicy_change", args=[policy.pk])
    values = {"after_ticket": "on", "internal": "on", "quiet_days": "45", "expiry_days": "7"}
    response = admin_client.post(url, values)  # after_delivery left unticked: off
    assert response.status_code == 302, response.content[:500]
    policy.refresh_from_db()
    assert (policy.after_delivery, policy.quiet_days, policy.expiry_days) == (False, 45, 7)
    entry = AuditEntry.objects.get(action="survey_policy")
    assert entry.changes["quiet_days"] == [30, 45]
    assert admin_client.get(reverse("admin:feedback_surveypolicy_add")).status_code == 403
    listed = admin_client.get(reverse("admin:feedback_surveypolicy_changelist"))
    assert listed.status_code == 200


def test_answers_are_read_only_in_the_admin_and_the_digest_is_hidden(admin_client, smith, sent):
    survey, token = sent(smith)
    page = admin_client.get(reverse("admin:feedback_survey_change", args=[survey.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert survey.token_digest not in body and token not in body
    assert 'name="csat"' not in body  # shown, not editable
    assert admin_client.get(reverse("admin:feedback_survey_add")).status_code == 403
    assert admin_client.get(reverse("admin:feedback_survey_changelist")).status_code == 200
