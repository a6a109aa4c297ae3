"""Sending surveys (by hand and on the triggers, the quiet period, the switches) and storing
answers exactly."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kept.core.models import AuditEntry
from kept.customers.models import Interaction
from kept.feedback import actions
from kept.feedback.models import Survey, SurveyPolicy

pytestmark = pytest.mark.django_db


def test_a_survey_stores_only_the_digest_of_a_256_bit_token(zhang, sent, manager):
    survey, token = sent(zhang, actor=manager)
    assert len(token) >= 43  # token_urlsafe(32): 256 bits, ≥ 128 asked
    assert token not in survey.token_digest and survey.token_digest == Survey.digest_of(token)
    assert not Survey.objects.filter(token_digest=token).exists()
    assert survey.language == "zh-hans" and survey.staff is None and survey.sent_to == zhang.email
    assert survey.expires_at - survey.sent_at == timedelta(days=14)
    assert AuditEntry.objects.filter(action="survey.send", actor=manager).count() == 1


def test_the_mail_goes_after_the_commit_in_the_customers_language(
    zhang, smith, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _survey, zh_token = actions.send_survey(zhang, trigger="manual")
        _survey, en_token = actions.send_survey(smith, trigger="manual")
    zh_mail, en_mail = mail.outbox
    assert zh_mail.to == [zhang.email] and actions.survey_link(zh_token) in zh_mail.body
    assert "张伟家" in zh_mail.body
    assert en_mail.to == [smith.email] and actions.survey_link(en_token) in en_mail.body
    assert en_mail.body.startswith("Dear Smith's Kitchen,")  # plain text: nothing escaped
    assert actions.survey_link(en_token).startswith("http://127.0.0.1:8000/feedback/s/")


def test_without_an_email_the_first_contact_with_one_else_no_mail(make_customer, sent):
    from kept.customers.models import Contact

    shop = make_customer("S1", email="")
    Contact.objects.create(customer=shop, name="No mail")
    Contact.objects.create(customer=shop, name="Buyer", email="buyer@example.com")
    assert sent(shop)[0].sent_to == "buyer@example.com"
    nobody = make_customer("S2", email="")
    survey, token = sent(nobody)
    assert survey.sent_to == "" and token  # the link is handed to whoever sent it


def test_at_most_one_survey_per_customer_in_the_quiet_days(zhang, smith, sent):
    now = timezone.now()
    sent(zhang, now=now)
    assert actions.send_survey(zhang, trigger="manual", now=now + timedelta(days=29)) is None
    assert actions.send_survey(smith, trigger="manual", now=now + timedelta(days=29))
    assert actions.send_survey(zhang, trigger="manual", now=now + timedelta(days=30, seconds=1))
    actions.save_policy({"quiet_days": 0})
    assert actions.send_survey(zhang, trigger="manual", now=now + timedelta(days=30, seconds=2))
    assert Survey.objects.filter(customer=zhang).count() == 3


@pytest.mark.parametrize(
    ("switch", "trigger"),
    [("after_delivery", "delivery"), ("after_ticket", "ticket"), ("internal", "handoff")],
)
def test_each_trigger_can_be_switched_off(zhang, switch, trigger, manager):
    actions.save_policy({switch: False}, actor=manager)
    assert actions.send_survey(zhang, trigger=trigger) is None
    assert actions.send_survey(zhang, trigger="manual") is not None  # by hand always
    assert AuditEntry.objects.filter(action="survey_policy").count() == 1


def test_the_policy_is_one_row_with_the_defaults_and_is_validated():
    policy = SurveyPolicy.current()
    assert (policy.after_delivery, policy.after_ticket, policy.internal) == (True, True, True)
    assert (policy.quiet_days, policy.expiry_days) == (30, 14)
    assert SurveyPolicy.current().pk == policy.pk and SurveyPolicy.objects.count() == 1
    with pytest.raises(ValidationError):
        actions.save_policy({"expiry_days": 0})
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyPolicy.objects.create(pk=2)


@pytest.mark.parametrize(
    "comment",
    [
        "米有点潮，下次请用双层袋 🍚👍",
        "<script>alert('x')</script> & \"quotes\"",
        "  leading and trailing spaces, two lines\r\nsecond line  \n",
        "",
    ],
)
def test_answers_are_stored_exactly(zhang, sent, comment):
    survey, token = sent(zhang)
    actions.answer(token, csat=4, nps=9, comment=comment)
    survey.refresh_from_db()
    assert (survey.csat, survey.nps, survey.comment) == (4, 9, comment)
    assert survey.answered_at is not None
    timeline = Interaction.objects.get(customer=zhang, kind="survey")
    assert timeline.reference == survey.number
    assert timeline.summary.startswith("CSAT 4/5 · NPS 9/10")


def test_scores_at_the_ends_of_the_scales_and_one_score_is_enough(zhang, smith, sent):
    for customer, csat, nps in [(zhang, 1, 0), (smith, None, 10)]:
        survey, token = sent(customer)
        actions.answer(token, csat=csat, nps=nps)
        survey.refresh_from_db()
        assert (survey.csat, survey.nps) == (csat, nps)


@pytest.mark.parametrize(
    ("csat", "nps", "comment", "field"),
    [
        (0, None, "", "csat"),
        (6, None, "", "csat"),
        (None, 11, "", "nps"),
        (None, -1, "", "nps"),
        (4.5, None, "", "csat"),
        (True, None, "", "csat"),
        ("5", None, "", "csat"),
        (None, None, "only words", "csat"),
        (5, None, "nul \x00 inside", "comment"),
        (5, None, "x" * 2001, "comment"),
    ],
)
def test_a_bad_answer_is_refused_and_the_survey_stays_open(zhang, sent, csat, nps, comment, field):
    survey, token = sent(zhang)
    with pytest.raises(ValidationError) as refused:
        actions.answer(token, csat=csat, nps=nps, comment=comment)
    assert field in refused.value.message_dict
    survey.refresh_from_db()
    assert survey.answered_at is None
    actions.answer(token, csat=5)  # still answerable


def test_the_database_refuses_scores_out_of_range(zhang, sent):
    survey, _token = sent(zhang)
    for values in [{"csat": 6}, {"nps": 11}, {"csat": 3}]:  # the last: not answered
        with pytest.raises(IntegrityError), transaction.atomic():
            Survey.objects.filter(pk=survey.pk).update(**values)


def test_a_link_answers_once_and_not_after_it_expires(zhang, smith, sent):
    now = timezone.now()
    _survey, token = sent(zhang, now=now)
    actions.answer(token, csat=5, now=now + timedelta(days=1))
    with pytest.raises(actions.InvalidSurveyLink) as reused:
        actions.answer(token, csat=1, now=now + timedelta(days=1))
    _survey, late = sent(smith, now=now)
    with pytest.raises(actions.InvalidSurveyLink) as expired:
        actions.answer(late, csat=1, now=now + timedelta(days=14))
    with pytest.raises(actions.InvalidSurveyLink) as guessed:
        actions.answer("A" * 43, csat=1)
    messages = {str(e.value) for e in (reused, expired, guessed)}
    assert messages == {"This survey link is not valid."}
    assert Survey.objects.get(customer=zhang).csat == 5  # the first answer stands
