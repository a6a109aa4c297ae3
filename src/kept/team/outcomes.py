"""The customer outcomes shown beside each person's scores, read from the other apps (read
only): one grouped query per outcome for the whole team, never one per person.

- **CSAT** = surveys answered 4 or 5 / surveys answered with a CSAT, among the surveys sent in
  the period where the person is the survey's staff member (customers and departments
  alike: a hand-off's department is a customer too, SPEC 0.8).
- **SLA met** = SLA targets met / targets decided (met or breached), over first response and
  resolution of the tickets created in the period and assigned to the person.
- **Promises kept** = order lines kept perfectly (on time, in full, quality OK: SPEC 2.4's
  ``perfect``) / lines settled (completed, or past their window), among the lines promised
  for a date in the period to the customers the person owns (the notebook's owner: the one
  who answers for the customer, as the service-level report's "by owner").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from kept.feedback.choices import Scope
from kept.feedback.queries import surveys_sent
from kept.fulfilment import scores
from kept.fulfilment.models import ScoredLine
from kept.fulfilment.scoring import PROMISE
from kept.servicedesk.choices import SlaState
from kept.servicedesk.models import Ticket
from kept.team.scorecard import share


@dataclass(frozen=True)
class Outcomes:
    """One person's customer outcomes over a period, as counts and their shares (0–1)."""

    csat_answers: int = 0
    satisfied: int = 0
    sla_targets: int = 0
    sla_met: int = 0
    lines: int = 0
    lines_kept: int = 0

    @property
    def csat(self) -> float | None:
        return share(self.satisfied, self.csat_answers)

    @property
    def sla_met_share(self) -> float | None:
        return share(self.sla_met, self.sla_targets)

    @property
    def promises_kept(self) -> float | None:
        return share(self.lines_kept, self.lines)

    def as_dict(self) -> dict:
        names = ["csat_answers", "satisfied", "sla_targets", "sla_met", "lines", "lines_kept"]
        shares = {"csat": self.csat, "sla_met_share": self.sla_met_share}
        return {
            **{n: getattr(self, n) for n in names},
            **shares,
            "promises_kept": self.promises_kept,
        }


NONE = Outcomes()
Key = tuple[int, date | None]  # (person id, first day of the month, or None for the period)


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), zone),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), zone),
    )


def _month(value) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


def _grouped(found, person: str, moment: str, by_month: bool, **counts) -> list[dict]:
    """Rows of counts per person (and month of ``moment`` when ``by_month``; a datetime's
    month in the business time zone)."""
    columns = [person]
    if by_month:
        zone = None if moment == "target_date" else timezone.get_current_timezone()
        found = found.annotate(month=TruncMonth(moment, tzinfo=zone))
        columns.append("month")
    return list(found.order_by().values(*columns).annotate(**counts))


def _csat(start, end, ids, by_month) -> list[dict]:
    found = surveys_sent(start, end, Scope.ALL).filter(staff_id__in=ids)
    return _grouped(
        found,
        "staff_id",
        "sent_at",
        by_month,
        csat_answers=Count("id", filter=Q(csat__isnull=False)),
        satisfied=Count("id", filter=Q(csat__gte=4)),
    )


def _sla(start, end, ids, by_month) -> list[dict]:
    since, until = _bounds(start, end)
    found = Ticket.objects.filter(created_at__gte=since, created_at__lt=until, assignee_id__in=ids)
    decided = [SlaState.MET, SlaState.BREACHED]
    return _grouped(
        found,
        "assignee_id",
        "created_at",
        by_month,
        response_met=Count("id", filter=Q(first_response_state=SlaState.MET)),
        response_decided=Count("id", filter=Q(first_response_state__in=decided)),
        resolution_met=Count("id", filter=Q(resolution_state=SlaState.MET)),
        resolution_decided=Count("id", filter=Q(resolution_state__in=decided)),
    )


def _promises(start, end, today, ids, by_month) -> list[dict]:
    scores.refresh()  # the stored scores up to date (one query when nothing changed)
    found = ScoredLine.objects.filter(
        basis=PROMISE, target_date__gte=start, target_date__lte=end, customer__owner_id__in=ids
    ).filter(Q(completed=1) | Q(window_end__lt=today))
    return _grouped(
        found,
        "customer__owner_id",
        "target_date",
        by_month,
        lines=Count("id"),
        lines_kept=Count("id", filter=Q(on_time=1, in_full=1, quality_ok=1)),
    )


def outcomes(
    start: date, end: date, today: date, person_ids: Iterable[int], *, by_month: bool = False
) -> dict[Key, Outcomes]:
    """{(person id, month or None): outcomes} of the people from ``start`` to ``end``; a
    person with nothing measured is absent (read it with ``.get(key, NONE)``)."""
    ids = list(person_ids)
    counts: dict[Key, dict[str, int]] = defaultdict(dict)
    for row in _csat(start, end, ids, by_month):
        key = (row["staff_id"], _month(row.get("month")))
        counts[key].update(csat_answers=row["csat_answers"], satisfied=row["satisfied"])
    for row in _sla(start, end, ids, by_month):
        key = (row["assignee_id"], _month(row.get("month")))
        counts[key]["sla_met"] = row["response_met"] + row["resolution_met"]
        counts[key]["sla_targets"] = row["response_decided"] + row["resolution_decided"]
    for row in _promises(start, end, today, ids, by_month):
        key = (row["customer__owner_id"], _month(row.get("month")))
        counts[key].update(lines=row["lines"], lines_kept=row["lines_kept"])
    return {key: Outcomes(**values) for key, values in counts.items()}
