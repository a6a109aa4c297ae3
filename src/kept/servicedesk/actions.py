"""Writes of the service desk, each in one transaction with its audit entry: open a ticket,
reply or note, change its status, edit it, and the complaint's form and confirmation."""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kept.core import audit
from kept.customers.choices import CustomerKind
from kept.customers.models import Customer
from kept.customers.queries import email_of
from kept.servicedesk import sla
from kept.servicedesk.choices import (
    DONE_STATUSES,
    OPEN_STATUSES,
    Channel,
    Priority,
    RootCause,
    TicketKind,
    TicketStatus,
)
from kept.servicedesk.models import Complaint, Ticket, TicketMessage, TicketStatusChange

log = logging.getLogger(__name__)

MAX_MINUTES_SPENT = 24 * 60  # one message records at most a day's work

EDITABLE = [
    "subject", "description", "kind", "priority", "channel", "assignee", "department",
    "delivery",
]  # fmt: skip
COMPLAINT_FIELDS = [
    "what_happened",
    "customer_wants",
    "root_cause",
    "remedy",
    "remedy_cost",
    "follow_up_on",
]


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _check_links(ticket: Ticket) -> None:
    """The linked order line or delivery must be the customer's; a hand-off names the
    internal department asked to act."""
    errors = {}
    if ticket.order_line_id and ticket.order_line.order.customer_id != ticket.customer_id:
        errors["order_line"] = _("That order line belongs to another customer.")
    if ticket.delivery_id:
        line = ticket.delivery.line
        if line.order.customer_id != ticket.customer_id:
            errors["delivery"] = _("That delivery belongs to another customer.")
        elif ticket.order_line_id and ticket.order_line_id != line.pk:
            errors["delivery"] = _("That delivery is of another order line.")
    if ticket.kind == TicketKind.HANDOFF and ticket.department is None:
        errors["department"] = _("Say which department the hand-off goes to.")
    if ticket.department is not None and ticket.department.kind != CustomerKind.INTERNAL:
        errors["department"] = _("Only an internal department can handle a hand-off.")
    if ticket.department_id and ticket.department_id == ticket.customer_id:
        errors["department"] = _("A department cannot hand off to itself.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def open_ticket(
    customer: Customer,
    *,
    subject: str,
    description: str = "",
    kind: str = TicketKind.REQUEST,
    priority: str = Priority.NORMAL,
    channel: str = Channel.PHONE,
    assignee=None,
    department: Customer | None = None,
    order_line=None,
    delivery=None,
    complaint: dict | None = None,
    actor=None,
    now: datetime | None = None,
) -> Ticket:
    """A new ticket with its SLA targets; a complaint may come with its structured form."""
    now = now or timezone.now()
    if delivery is not None and order_line is None:
        order_line = delivery.line
    ticket = Ticket(
        customer=customer,
        subject=(subject or "").strip(),
        description=(description or "").strip(),
        kind=kind,
        priority=priority,
        channel=channel,
        assignee=assignee,
        department=department,
        order_line=order_line,
        delivery=delivery,
        created_at=now,
        updated_at=now,
        created_by=_user(actor),
    )
    ticket.full_clean(exclude=["policy"])
    _check_links(ticket)
    sla.assign(ticket)
    ticket.save()
    TicketStatusChange.objects.create(ticket=ticket, status=ticket.status, at=now, by=_user(actor))
    if complaint is not None or kind == TicketKind.COMPLAINT:
        values = dict(complaint or {})
        values.setdefault("what_happened", ticket.description or ticket.subject)
        _save_complaint(ticket, values)
    sla.refresh(ticket, now=now)
    ticket.save()
    audit.record(actor, "ticket.open", ticket, changes={"kind": kind, "priority": priority})
    return ticket


def _lock(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("customer", "policy")
        .get(pk=ticket.pk)
    )


def _enter(ticket: Ticket, status: str, *, actor, now: datetime) -> None:
    """Move to ``status`` and record it (the caller saves and refreshes)."""
    if status == ticket.status:
        return
    ticket.status = status
    TicketStatusChange.objects.create(ticket=ticket, status=status, at=now, by=_user(actor))
    if status == TicketStatus.RESOLVED:
        ticket.resolved_at = now
        transaction.on_commit(partial(_survey_after, ticket.pk))
    elif status in OPEN_STATUSES:
        ticket.resolved_at = None


def _finish(ticket: Ticket, now: datetime) -> Ticket:
    ticket.updated_at = now
    sla.refresh(ticket, now=now)
    ticket.save()
    return ticket


@transaction.atomic
def reply(
    ticket: Ticket,
    body: str,
    *,
    public: bool = True,
    from_customer: bool = False,
    minutes_spent: int = 0,
    actor=None,
    now: datetime | None = None,
) -> TicketMessage:
    """A public reply (emailed to the customer; the first one is the first response), an
    internal note, or what the customer said. A staff reply opens a new ticket; the customer's
    answer takes a ticket waiting on them back to open. Staff answering a ticket nobody has
    take it."""
    now = now or timezone.now()
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a message.")})
    if from_customer and not public:
        raise ValidationError({"public": _("What the customer said is part of the thread.")})
    if not 0 <= minutes_spent <= MAX_MINUTES_SPENT:
        raise ValidationError(
            {
                "minutes_spent": _("Time spent is between 0 and %(max)d minutes.")
                % {"max": MAX_MINUTES_SPENT}
            }
        )
    ticket = _lock(ticket)
    if ticket.status == TicketStatus.CLOSED:
        raise ValidationError({"status": _("The ticket is closed; open a new one.")})
    message = TicketMessage.objects.create(
        ticket=ticket,
        author=_user(actor),
        public=public,
        from_customer=from_customer,
        body=body,
        created_at=now,
        minutes_spent=minutes_spent,
    )
    if from_customer:
        if ticket.status == TicketStatus.WAITING_CUSTOMER:
            _enter(ticket, TicketStatus.OPEN, actor=actor, now=now)
    else:
        if ticket.assignee_id is None and _user(actor) is not None:
            ticket.assignee = actor  # who answers an unassigned ticket takes it
        if public and ticket.first_responded_at is None:
            ticket.first_responded_at = now
        if ticket.status == TicketStatus.NEW:
            _enter(ticket, TicketStatus.OPEN, actor=actor, now=now)
        if public:
            address = email_of(ticket.customer)
            if address:
                message.emailed_to = address
                message.save(update_fields=["emailed_to"])
                transaction.on_commit(partial(_email_reply, message.pk))
    _finish(ticket, now)
    audit.record(actor, "ticket.reply" if public else "ticket.note", ticket)
    return message


def _email_reply(message_id: int) -> None:
    """Send a public reply, in the customer's language. A mail server that fails is logged:
    the reply stays in the thread either way."""
    message = TicketMessage.objects.select_related("ticket__customer").get(pk=message_id)
    ticket = message.ticket
    with translation.override(ticket.customer.language or settings.LANGUAGE_CODE):
        subject = _("[%(number)s] %(subject)s") % {
            "number": ticket.number,
            "subject": ticket.subject,
        }
        try:
            send_mail(subject, message.body, None, [message.emailed_to])
        except Exception:  # noqa: BLE001 - the mail server's trouble is not the reply's
            log.exception("Could not email the reply %s of %s", message.pk, ticket.number)


def _survey_after(ticket_id: int) -> None:
    from kept.feedback import actions as feedback

    try:
        feedback.survey_after_ticket(Ticket.objects.select_related("customer").get(pk=ticket_id))
    except Exception:  # noqa: BLE001 - a survey that cannot go out never undoes a resolution
        log.exception("Could not send the survey after ticket %s", ticket_id)


ALLOWED = {
    TicketStatus.NEW: set(TicketStatus.values) - {TicketStatus.NEW},
    TicketStatus.OPEN: set(TicketStatus.values) - {TicketStatus.NEW, TicketStatus.OPEN},
    TicketStatus.WAITING_CUSTOMER: {
        TicketStatus.OPEN,
        TicketStatus.WAITING_THIRD_PARTY,
        TicketStatus.RESOLVED,
        TicketStatus.CLOSED,
    },
    TicketStatus.WAITING_THIRD_PARTY: {
        TicketStatus.OPEN,
        TicketStatus.WAITING_CUSTOMER,
        TicketStatus.RESOLVED,
        TicketStatus.CLOSED,
    },
    TicketStatus.RESOLVED: {TicketStatus.OPEN, TicketStatus.CLOSED},  # reopen, or close
    TicketStatus.CLOSED: set(),  # final
}


@transaction.atomic
def change_status(
    ticket: Ticket, status: str, *, reason: str = "", actor=None, now: datetime | None = None
) -> Ticket:
    """Move the ticket along its workflow. Resolving a complaint needs its root cause and
    remedy; a resolved ticket reopens to *open* and its resolution clock resumes; *closed*
    is final."""
    now = now or timezone.now()
    ticket = _lock(ticket)
    if status not in TicketStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status == ticket.status:
        return ticket
    if status not in ALLOWED[ticket.status]:
        raise ValidationError(
            {
                "status": _("A %(old)s ticket cannot become %(new)s.")
                % {
                    "old": TicketStatus(ticket.status).label,
                    "new": TicketStatus(status).label,
                }
            }
        )
    if status in DONE_STATUSES and ticket.kind == TicketKind.COMPLAINT:
        complaint = Complaint.objects.filter(ticket=ticket).first()
        if complaint is None or not complaint.root_cause or not complaint.remedy:
            raise ValidationError(
                {"status": _("Record the complaint's root cause and remedy before resolving it.")}
            )
    old = ticket.status
    _enter(ticket, status, actor=actor, now=now)
    _finish(ticket, now)
    audit.record(actor, "ticket.status", ticket, reason=reason, changes={"status": [old, status]})
    return ticket


@transaction.atomic
def update_ticket(ticket: Ticket, values: dict, *, actor=None, now: datetime | None = None):
    """Edit subject, description, kind, priority, channel, assignee, department or the
    delivery the ticket is about (its order line follows). A new kind
    or priority may fall under another policy: the targets are looked up again, and the
    clock is evaluated from creation with the new targets."""
    now = now or timezone.now()
    ticket = _lock(ticket)
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    changes = audit.diff(ticket, EDITABLE, values)
    if not changes:
        return ticket
    for name, value in values.items():
        setattr(ticket, name, value.strip() if isinstance(value, str) else value)
    if ticket.delivery is not None and ticket.order_line_id != ticket.delivery.line_id:
        ticket.order_line = ticket.delivery.line  # a delivery names its line
    ticket.full_clean(exclude=["policy"])
    _check_links(ticket)
    if {"kind", "priority"} & set(changes):
        sla.assign(ticket)
    if ticket.kind == TicketKind.COMPLAINT and not Complaint.objects.filter(ticket=ticket).exists():
        _save_complaint(ticket, {"what_happened": ticket.description or ticket.subject})
    _finish(ticket, now)
    audit.record(actor, "ticket.change", ticket, changes=changes)
    return ticket


def _save_complaint(ticket: Ticket, values: dict) -> Complaint:
    complaint = Complaint.objects.filter(ticket=ticket).first() or Complaint(ticket=ticket)
    for name in COMPLAINT_FIELDS:
        if name in values:
            value = values[name]
            setattr(complaint, name, value.strip() if isinstance(value, str) else value)
    if complaint.remedy_cost is None:
        complaint.remedy_cost = 0
    complaint.full_clean(exclude=["ticket"])
    complaint.save()
    return complaint


@transaction.atomic
def save_complaint(ticket: Ticket, values: dict, *, actor=None) -> Complaint:
    """The structured form of a complaint; the ticket becomes a complaint if it was not."""
    ticket = _lock(ticket)
    unknown = set(values) - set(COMPLAINT_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    before = Complaint.objects.filter(ticket=ticket).first()
    if before is not None:
        changes = audit.diff(before, COMPLAINT_FIELDS, values)
    else:
        changes = {name: [None, audit.plain(value)] for name, value in values.items()}
    if ticket.kind != TicketKind.COMPLAINT:
        ticket.kind = TicketKind.COMPLAINT
        sla.assign(ticket)
        _finish(ticket, timezone.now())
    complaint = _save_complaint(ticket, values)
    audit.record(actor, "complaint.save", ticket, changes=changes)
    return complaint


@transaction.atomic
def confirm_complaint(
    ticket: Ticket, *, reason: str, defect: str = "", actor=None, now: datetime | None = None
) -> Complaint:
    """Confirm the complaint is justified. A confirmed **quality** complaint on a delivery
    marks that delivery not OK, so the service level counts it as broken (SPEC 2.6)."""
    from kept.fulfilment.actions import mark_quality
    from kept.fulfilment.choices import Defect

    now = now or timezone.now()
    ticket = _lock(ticket)
    complaint = Complaint.objects.select_for_update().filter(ticket=ticket).first()
    if complaint is None:
        raise ValidationError({"complaint": _("This ticket has no complaint to confirm.")})
    if complaint.is_confirmed:
        raise ValidationError({"complaint": _("The complaint is already confirmed.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say how the complaint was confirmed.")})
    if complaint.root_cause == RootCause.QUALITY and ticket.delivery_id:
        mark_quality(
            ticket.delivery,
            defect=defect or ticket.delivery.defect or Defect.OTHER,  # keep what was recorded
            reason=_("Complaint %(number)s: %(reason)s")
            % {"number": ticket.number, "reason": reason.strip()},
            actor=actor,
        )
    complaint.confirmed_at, complaint.confirmed_by = now, _user(actor)
    complaint.save(update_fields=["confirmed_at", "confirmed_by"])
    changes = {"confirmed_at": [None, audit.plain(now)]}
    audit.record(actor, "complaint.confirm", ticket, reason=reason.strip(), changes=changes)
    return complaint
