"""Writes of feedback: sending a survey (after a delivered order, a resolved ticket or a
hand-off, or by hand) and answering one.

The link carries a random 256-bit token; only its SHA-256 digest is stored. The mail goes
after the commit, and a mail that cannot be sent is logged, never raised: it must not undo
the delivery or the ticket that asked for the survey.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kept.core import audit
from kept.customers.choices import InteractionKind
from kept.customers.models import Customer, Interaction
from kept.customers.queries import email_of as recipient
from kept.feedback import queries
from kept.feedback.choices import Trigger
from kept.feedback.models import CSAT_RANGE, NPS_RANGE, Survey, SurveyPolicy
from kept.promising.models import Order
from kept.servicedesk.choices import TicketKind
from kept.servicedesk.models import Ticket

logger = logging.getLogger(__name__)
TOKEN_BYTES = 32  # 256 bits of randomness in each link
MAX_COMMENT = 2000
# A delivery older than this is history (an import of past deliveries), not an experience to
# ask about.
RECENT_DELIVERY = timedelta(days=7)


class InvalidSurveyLink(Exception):
    """A token that is unknown, already used or expired. One message for the three, so that
    a refusal tells nothing about the survey or whether it ever existed."""

    def __init__(self) -> None:
        super().__init__(_("This survey link is not valid."))


def survey_link(token: str) -> str:
    return settings.KEPT_PUBLIC_URL + reverse("feedback:answer", args=[token])


def _is_switched_on(policy: SurveyPolicy, trigger: str) -> bool:
    return {
        Trigger.DELIVERY: policy.after_delivery,
        Trigger.TICKET: policy.after_ticket,
        Trigger.HANDOFF: policy.internal,
        Trigger.MANUAL: True,
    }[Trigger(trigger)]


def _is_quiet(customer: Customer, policy: SurveyPolicy, now: datetime) -> bool:
    """A survey went to this customer less than ``quiet_days`` ago."""
    if not policy.quiet_days:
        return False
    since = now - timedelta(days=policy.quiet_days)
    return Survey.objects.filter(customer=customer, sent_at__gt=since).exists()


def send_survey(
    customer: Customer,
    *,
    trigger: str,
    order: Order | None = None,
    ticket: Ticket | None = None,
    staff=None,
    actor=None,
    now: datetime | None = None,
) -> tuple[Survey, str] | None:
    """Create a survey and mail its link (after the commit) to the customer, in the
    customer's language. Returns the survey and the raw token, which is shown only here;
    ``None`` when the trigger is switched off or a survey went out within the quiet days.
    Without an address no mail goes: whoever sent it by hand passes the link on."""
    now = now or timezone.now()
    policy = SurveyPolicy.current()
    if not _is_switched_on(policy, trigger):
        return None
    with transaction.atomic():
        # the customer's row serialises two triggers racing for the same quiet period
        list(Customer.objects.select_for_update().filter(pk=customer.pk).values_list("pk"))
        if _is_quiet(customer, policy, now):
            return None
        token = secrets.token_urlsafe(TOKEN_BYTES)
        survey = Survey.objects.create(
            customer=customer,
            trigger=trigger,
            order=order,
            ticket=ticket,
            staff=staff,
            language=customer.language,
            token_digest=Survey.digest_of(token),
            sent_at=now,
            expires_at=now + timedelta(days=policy.expiry_days),
            sent_to=recipient(customer),
        )
        if getattr(actor, "is_authenticated", False):
            audit.record(actor, "survey.send", survey, changes={"sent_to": survey.sent_to})
        if survey.sent_to:
            transaction.on_commit(lambda: _mail(survey, token), robust=True)
    return survey, token


def _mail(survey: Survey, token: str) -> None:
    try:
        with translation.override(survey.language):
            context = {"survey": survey, "link": survey_link(token)}
            subject = _("How did we do? A two-minute survey")
            body = render_to_string("kept/feedback/mail.txt", context)
        send_mail(subject, body, None, [survey.sent_to])
    except Exception:  # the survey stays; staff may send another by hand
        logger.exception(
            "Survey %s: the mail to %s could not be sent", survey.number, survey.sent_to
        )


def survey_after_delivery(order: Order, *, now: datetime | None = None) -> Survey | None:
    """Ask an external customer once an order is fully delivered (every promised line; none
    still waiting for a decision) and recently, unless the policy says not to. Once per
    order."""
    now = now or timezone.now()
    if not SurveyPolicy.current().after_delivery:
        return None
    order = Order.objects.select_related("customer__owner").get(pk=order.pk)
    customer = order.customer
    if order.is_cancelled() or customer.is_internal() or not customer.is_active:
        return None
    if Survey.objects.filter(order=order).exists() or not queries.is_fully_delivered(order.pk):
        return None
    last = queries.last_delivered_at(order.pk)
    if last is None or last < now - RECENT_DELIVERY:
        return None
    return _sent_automatically(
        customer, trigger=Trigger.DELIVERY, order=order, staff=customer.owner, now=now
    )


def survey_after_ticket(ticket: Ticket, *, now: datetime | None = None) -> Survey | None:
    """Ask about a resolved ticket: a hand-off or a department's ticket is an internal survey
    (``policy.internal``), any other ticket ``policy.after_ticket``. Once per ticket; the
    answer is about the ticket's assignee."""
    ticket = Ticket.objects.select_related("customer", "assignee").get(pk=ticket.pk)
    internal = ticket.kind == TicketKind.HANDOFF or ticket.customer.is_internal()
    if not ticket.customer.is_active or Survey.objects.filter(ticket=ticket).exists():
        return None
    trigger = Trigger.HANDOFF if internal else Trigger.TICKET
    return _sent_automatically(
        ticket.customer, trigger=trigger, ticket=ticket, staff=ticket.assignee, now=now
    )


def _sent_automatically(customer: Customer, **details) -> Survey | None:
    # Nobody could open a survey sent to no address (the link is never stored): none is made.
    if not recipient(customer):
        return None
    sent = send_survey(customer, **details)
    return sent[0] if sent else None


def _checked_score(name: str, value, bounds: tuple[int, int]) -> int | None:
    if value is None or value == "":
        return None
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        message = _("Choose a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
        raise ValidationError({name: message})
    return value


def _checked_answer(csat, nps, comment) -> tuple[int | None, int | None, str]:
    csat = _checked_score("csat", csat, CSAT_RANGE)
    nps = _checked_score("nps", nps, NPS_RANGE)
    comment = comment or ""
    if csat is None and nps is None:
        raise ValidationError({"csat": _("Give at least one score.")})
    if not isinstance(comment, str) or "\x00" in comment:
        raise ValidationError({"comment": _("The comment contains a character we cannot keep.")})
    if len(comment) > MAX_COMMENT:
        raise ValidationError(
            {"comment": _("Keep the comment under %(count)s characters.") % {"count": MAX_COMMENT}}
        )
    return csat, nps, comment


def answer(
    token: str, *, csat=None, nps=None, comment: str = "", now: datetime | None = None
) -> Survey:
    """Store the one answer of a survey exactly as given (the comment is not trimmed or
    changed). Raises ``InvalidSurveyLink`` for an unknown, used or expired token; of two
    answers racing, the conditional update lets one win."""
    now = now or timezone.now()
    csat, nps, comment = _checked_answer(csat, nps, comment)
    digest = Survey.digest_of(token or "")
    with transaction.atomic():
        taken = Survey.objects.filter(
            token_digest=digest, answered_at__isnull=True, expires_at__gt=now
        ).update(answered_at=now, csat=csat, nps=nps, comment=comment)
        if not taken:
            raise InvalidSurveyLink
        survey = Survey.objects.select_related("customer").get(token_digest=digest)
        Interaction.objects.create(
            customer=survey.customer,
            kind=InteractionKind.SURVEY,
            occurred_at=now,
            summary=_summary(survey),
            reference=survey.number,
        )
    return survey


def _summary(survey: Survey) -> str:
    scores = [f"CSAT {survey.csat}/5" if survey.csat is not None else ""]
    scores.append(f"NPS {survey.nps}/10" if survey.nps is not None else "")
    head = " · ".join(score for score in scores if score)
    return f"{head}\n{survey.comment}" if survey.comment else head


@transaction.atomic
def save_policy(values: dict, *, actor=None) -> SurveyPolicy:
    """Change when surveys go out. Audited."""
    SurveyPolicy.current()
    policy = SurveyPolicy.objects.select_for_update().get(pk=1)
    names = ["after_delivery", "after_ticket", "internal", "quiet_days", "expiry_days"]
    changes = audit.diff(policy, names, values)
    for name in names:
        if name in values:
            setattr(policy, name, values[name])
    policy.full_clean()
    policy.save()
    audit.record(actor, "survey_policy", policy, changes=changes)
    return policy
