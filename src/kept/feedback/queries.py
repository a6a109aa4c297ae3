"""Reads of feedback: the open survey behind a link, results (CSAT %, NPS, response rate) by
staff, customer, group or month summed in SQL, the latest comments, and a customer's answers.

CSAT % = share of 4–5 among the CSAT answers; NPS = % of 9–10 − % of 0–6 among the NPS
answers. Satisfaction only: service level is measured by ``kept.fulfilment.metrics`` and is
shown beside it, never mixed into it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from kept.core.dates import FIRST_DAY, LAST_DAY
from kept.customers.models import Customer
from kept.feedback.choices import ResultsBy, Scope
from kept.feedback.models import Survey
from kept.fulfilment import metrics
from kept.fulfilment.models import Delivery
from kept.fulfilment.queries import with_delivery_state
from kept.promising.choices import LineStatus
from kept.promising.models import OrderLine

TOKEN_MAX_LENGTH = 100  # the links carry 43 characters; longer is not one of ours
COUNTS = {
    "sent": Count("id"),
    "answered": Count("id", filter=Q(answered_at__isnull=False)),
    "csat_answers": Count("id", filter=Q(csat__isnull=False)),
    "satisfied": Count("id", filter=Q(csat__gte=4)),
    "nps_answers": Count("id", filter=Q(nps__isnull=False)),
    "promoters": Count("id", filter=Q(nps__gte=9)),
    "detractors": Count("id", filter=Q(nps__lte=6)),
}
# grouping → (key, label) columns
_GROUPS = {
    ResultsBy.STAFF: ("staff__username", "staff__username"),
    ResultsBy.CUSTOMER: ("customer__code", "customer__name"),
    ResultsBy.GROUP: ("customer__group__code", "customer__group__name"),
    ResultsBy.MONTH: ("month", "month"),
}


def business_today() -> date:
    return timezone.localdate()


@dataclass(frozen=True)
class Results:
    key: str
    label: str
    sent: int
    answered: int
    csat_answers: int
    satisfied: int  # CSAT 4 or 5
    nps_answers: int
    promoters: int  # NPS 9 or 10
    detractors: int  # NPS 0 to 6

    @property
    def response_rate(self) -> float | None:
        """Answered surveys per survey sent, in %."""
        return 100 * self.answered / self.sent if self.sent else None

    @property
    def csat_percent(self) -> float | None:
        return 100 * self.satisfied / self.csat_answers if self.csat_answers else None

    @property
    def nps(self) -> float | None:
        if not self.nps_answers:
            return None
        return 100 * (self.promoters - self.detractors) / self.nps_answers

    def as_dict(self) -> dict:
        names = ["key", "label", "sent", "answered", "csat_answers", "satisfied"]
        names += ["nps_answers", "promoters", "detractors", "response_rate", "csat_percent", "nps"]
        return {name: getattr(self, name) for name in names}


DEFAULT_DAYS = 90  # the results' period when none is asked for


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in the business time zone."""
    zone = timezone.get_current_timezone()
    start, end = max(start, FIRST_DAY), min(end, LAST_DAY)
    return (
        timezone.make_aware(datetime.combine(start, time.min), zone),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), zone),
    )


def surveys_sent(start: date, end: date, scope: str = Scope.EXTERNAL) -> QuerySet[Survey]:
    """Surveys sent from ``start`` to ``end`` (business dates) to customers of the scope."""
    since, until = _bounds(start, end)
    found = Survey.objects.filter(sent_at__gte=since, sent_at__lt=until)
    if scope != Scope.ALL:
        found = found.filter(customer__kind=Scope(scope).value)
    return found


def _results(key: str, label: str | None, counts: dict) -> Results:
    return Results(key, label or key, **{name: counts[name] or 0 for name in COUNTS})


def results(
    start: date, end: date, *, by: str = ResultsBy.MONTH, scope: str = Scope.EXTERNAL
) -> tuple[list[Results], Results]:
    """(one row per staff member, customer, group or month, the total) of the surveys sent in
    the period: counts in one grouped query and one total."""
    key, label = _GROUPS[ResultsBy(by)]
    found = surveys_sent(start, end, scope).order_by()
    total = _results("total", None, found.aggregate(**COUNTS))
    if by == ResultsBy.MONTH:
        zone = timezone.get_current_timezone()
        found = found.annotate(month=TruncMonth("sent_at", tzinfo=zone))
    grouped = found.values(*dict.fromkeys([key, label])).annotate(**COUNTS).order_by(key)
    rows = [_results(_text(row[key]), _text(row[label]), row) for row in grouped]
    return rows, total


def _text(value) -> str:
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m")
    return "" if value is None else str(value)


def months(start: date, end: date) -> list[str]:
    """Every month from ``start`` to ``end`` as YYYY-MM (the keys of both measures)."""
    keys, day = [], start.replace(day=1)
    while day <= end:
        keys.append(day.strftime("%Y-%m"))
        day = (day + timedelta(days=32)).replace(day=1)
    return keys


def satisfaction_and_service(start: date, end: date, scope: str = Scope.EXTERNAL) -> dict:
    """By month: CSAT % (satisfaction) and OTIF % (service level, promise kept), each a
    fraction 0–1 or None where nothing was measured. Two measures, never combined."""
    rows, _total = results(start, end, by=ResultsBy.MONTH, scope=scope)
    csat = {row.key: row.csat_percent for row in rows}
    otif = {}
    if scope != Scope.INTERNAL:  # deliveries are to customers; hand-offs have their SLAs
        today = business_today()
        service, _total = metrics.service_level(start, end, by="month", today=today)
        otif = {row.key: row.rates()["otif"] for row in service}
    keys = months(start, end)
    return {
        "months": keys,
        "csat": [None if csat.get(k) is None else csat[k] / 100 for k in keys],
        "otif": [otif.get(k) for k in keys],
    }


def latest_comments(
    start: date, end: date, scope: str = Scope.EXTERNAL, limit: int = 20
) -> QuerySet[Survey]:
    """The customer's own words, newest first, exactly as written."""
    return (
        surveys_sent(start, end, scope)
        .answered()
        .exclude(comment="")
        .select_related("customer", "staff")
        .order_by("-answered_at", "-id")[:limit]
    )


def for_customer(customer: Customer, limit: int = 5) -> list[Survey]:
    """A customer's latest answered surveys (for the notebook), newest first."""
    return list(
        Survey.objects.answered()
        .filter(customer=customer)
        .select_related("staff", "order", "ticket")
        .order_by("-answered_at", "-id")[:limit]
    )


def open_survey(token: str, now: datetime | None = None) -> Survey | None:
    """The survey behind a link, if it can still be answered: known, not answered, not
    expired. ``None`` in every other case, with no way to tell which."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    now = now or timezone.now()
    return (
        Survey.objects.select_related("customer", "order", "ticket")
        .filter(token_digest=Survey.digest_of(token), answered_at__isnull=True, expires_at__gt=now)
        .first()
    )


def is_fully_delivered(order_id: int) -> bool:
    """Every line of the order was promised and delivered in full (declined and cancelled
    lines aside); a line still offered or held means the order is not done."""
    lines = with_delivery_state(
        OrderLine.objects.filter(order_id=order_id).exclude(
            status__in=[LineStatus.DECLINED, LineStatus.CANCELLED]
        )
    )
    states = list(lines.values_list("status", "delivered", "promised_quantity"))
    return bool(states) and all(
        status == LineStatus.PROMISED and promised is not None and delivered >= promised
        for status, delivered, promised in states
    )


def last_delivered_at(order_id: int) -> datetime | None:
    found = Delivery.objects.filter(line__order_id=order_id).aggregate(last=Max("delivered_at"))
    return found["last"]


def survey_list(
    *,
    customer: str = "",
    answered: bool | None = None,
    start: date | None = None,
    end: date | None = None,
) -> QuerySet[Survey]:
    """Surveys for the API list, newest first."""
    found = Survey.objects.select_related("customer", "order", "ticket", "staff")
    if customer:
        found = found.filter(customer__code=customer)
    if answered is not None:
        found = found.filter(answered_at__isnull=not answered)
    if start:
        found = found.filter(sent_at__gte=_bounds(start, start)[0])
    if end:
        found = found.filter(sent_at__lt=_bounds(end, end)[1])
    return found.order_by("-sent_at", "-id")
