"""The SLA watch (SPEC 2.6): evaluate every open ticket's targets, store the states the
queue filters on, and warn once per target when it goes at risk and once when it breaches:
in the app and by email, to the assignee (or the managers when nobody has the ticket).

Schedule ``kept sla --enqueue`` every few minutes (docs/operations-jobs.md); ``kept sla``
runs the watch at once."""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from django_tasks import task

from kept.core import notifications
from kept.core.choices import Role
from kept.servicedesk import queries
from kept.servicedesk.choices import OPEN_STATUSES, SlaState
from kept.servicedesk.models import Ticket

log = logging.getLogger(__name__)
BATCH = 500
RANK = {"": 0, SlaState.ON_TRACK: 0, SlaState.MET: 0, SlaState.AT_RISK: 1, SlaState.BREACHED: 2}
TARGETS = {
    "first_response": gettext_lazy("first response"),
    "resolution": gettext_lazy("resolution"),
}

notifications.register(
    "sla.at_risk",
    gettext_lazy("%(ticket)s: the %(target)s target is at risk (due %(due)s)."),
    labels={"target": TARGETS},
)
notifications.register(
    "sla.breached",
    gettext_lazy("%(ticket)s: the %(target)s target is breached (was due %(due)s)."),
    labels={"target": TARGETS},
)


def _managers():
    return get_user_model().objects.filter(is_active=True, groups__name=Role.MANAGER)


def _warn(ticket: Ticket, target: str, state: str, due: datetime | None) -> None:
    assignee = ticket.assignee if ticket.assignee_id and ticket.assignee.is_active else None
    recipients = [assignee] if assignee else list(_managers())
    kind = "sla.at_risk" if state == SlaState.AT_RISK else "sla.breached"
    due_text = timezone.localtime(due).strftime("%Y-%m-%d %H:%M") if due else "—"
    link = reverse("servicedesk:ticket", args=[ticket.pk])
    notifications.notify(
        recipients, kind, link=link, ticket=ticket.number, target=target, due=due_text
    )
    addresses = [user.email for user in recipients if user and user.is_active and user.email]
    if addresses:  # after the commit: no mail for a pass that rolls back, no lock held
        params = {"ticket": ticket.number, "target": target, "due": due_text}
        transaction.on_commit(partial(_mail, kind, params, ticket.subject, link, addresses))


def _mail(kind: str, params: dict, subject: str, link: str, addresses: list[str]) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        body = notifications.render(kind, params)
        url = settings.KEPT_PUBLIC_URL + link
        try:
            send_mail(f"[Kept] {body}", f"{body}\n\n{subject}\n{url}", None, addresses)
        except Exception:  # noqa: BLE001 - the in-app warning is there either way
            log.exception("Could not email the SLA warning of %s", params["ticket"])


def watch(*, now: datetime | None = None) -> dict[str, int]:
    """One pass over the open tickets with targets. Returns counts of what it did."""
    now = now or timezone.now()
    seen = warned = 0
    ids = list(
        Ticket.objects.filter(status__in=OPEN_STATUSES, policy__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            tickets = list(
                Ticket.objects.select_for_update(of=("self",))
                .select_related("policy__calendar", "assignee")
                .filter(pk__in=ids[start : start + BATCH], status__in=OPEN_STATUSES)
                .order_by("pk")
            )
            evaluated = queries.live(tickets, now=now)
            for ticket in tickets:
                seen += 1
                changed = queries.sla.store(ticket, evaluated[ticket.pk])
                for target in ("first_response", "resolution"):
                    state = getattr(ticket, f"{target}_state")
                    announced = getattr(ticket, f"{target}_warned")
                    if RANK.get(state, 0) > RANK.get(announced, 0):
                        _warn(ticket, target, state, getattr(ticket, f"{target}_due"))
                        setattr(ticket, f"{target}_warned", state)
                        changed.append(f"{target}_warned")
                        warned += 1
                if changed:
                    ticket.save(update_fields=sorted(set(changed)))
    return {"tickets": seen, "warnings": warned}


@task()
def watch_slas() -> dict[str, int]:
    return watch()


def enqueue_watch() -> str:
    return str(watch_slas.enqueue().id)
