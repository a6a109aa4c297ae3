"""Reads of the funnel: the stages, cohorts tallied in SQL and handed to the pure core
(``kept.pipeline.funnel``), the rolling-window check, the dashboard's summary, lead lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from kept.core.people import person_name
from kept.pipeline import funnel as core
from kept.pipeline.choices import Breakdown
from kept.pipeline.models import Lead, Stage


@dataclass(frozen=True)
class StageRow:
    """One stage of a funnel as pages show it."""

    stage: Stage
    count: int
    conversion: float | None  # from the previous stage, 0–1
    target: float | None  # per cent from the previous stage, or leads per month (first stage)
    target_count: float | None  # how many leads this stage needs to meet its target
    is_below: bool


@dataclass(frozen=True)
class FunnelSummary:
    """What the manager's dashboard shows: this month's cohort stage by stage, and the stages
    below target over the rolling window."""

    month: date
    rows: list[StageRow]
    overall: float | None
    alerts: list[core.Shortfall]
    window_days: int


@dataclass(frozen=True)
class GroupRow:
    key: str
    label: str
    funnel: core.Funnel

    @property
    def cells(self) -> list[tuple[int, float | None]]:
        """(count, conversion from the previous stage) per stage."""
        return list(zip(self.funnel.counts, self.funnel.conversions, strict=True))


@dataclass(frozen=True)
class FunnelReport:
    start: date
    end: date
    by: str
    rows: list[StageRow]
    overall: float | None
    groups: list[GroupRow]


def stages() -> list[Stage]:
    return list(Stage.objects.order_by("position"))


def won_index(ordered: list[Stage]) -> int | None:
    return next((i for i, stage in enumerate(ordered) if stage.is_won), None)


def targets(ordered: list[Stage]) -> list[core.StageTarget]:
    """The first stage is judged on volume, every later one on conversion."""
    return [
        core.StageTarget(
            stage.label,
            percent=None if i == 0 or stage.target_percent is None else float(stage.target_percent),
            monthly=stage.monthly_target if i == 0 else None,
        )
        for i, stage in enumerate(ordered)
    ]


def start_of(day: date) -> datetime:
    """Midnight at the start of ``day`` in the business time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _by_furthest(ordered: list[Stage], counts: dict[int, int]) -> list[int]:
    return [counts.get(stage.pk, 0) for stage in ordered]


def _window(as_of: datetime, window_days: int, settle_days: int, also_from: datetime) -> dict:
    """One query: per stage, the settled cohort, the window's newcomers and the leads since
    ``also_from``; and whether any lead is older than the window (the funnel is in use)."""
    recent_from = as_of - timedelta(days=window_days)
    settled_to = as_of - timedelta(days=settle_days)
    settled_from = settled_to - timedelta(days=window_days)
    since = min(settled_from, also_from)
    rows = (
        Lead.objects.filter(created_at__gte=since, created_at__lt=as_of)
        .values("stage_id")
        .annotate(
            settled=Count("id", filter=Q(created_at__gte=settled_from, created_at__lt=settled_to)),
            recent=Count("id", filter=Q(created_at__gte=recent_from)),
            since=Count("id", filter=Q(created_at__gte=also_from)),
        )
    )
    found: dict[str, dict[int, int]] = {"settled": {}, "recent": {}, "since": {}}
    for row in rows:
        for name in found:
            found[name][row["stage_id"]] = row[name]
    first = Lead.objects.aggregate(first=Min("created_at"))["first"]
    found["in_use"] = first is not None and first < recent_from
    return found


def _shortfalls(ordered: list[Stage], found: dict, window_days: int) -> list[core.Shortfall]:
    return core.below_target(
        targets(ordered),
        _by_furthest(ordered, found["settled"]),
        sum(found["recent"].values()),
        window_days=window_days,
        in_use=found["in_use"],
    )


def funnel_alerts(
    now: datetime | None = None,
    *,
    window_days: int = core.WINDOW_DAYS,
    settle_days: int = core.SETTLE_DAYS,
) -> list[core.Shortfall]:
    """The stages below target over the rolling window ending ``now`` (3 queries)."""
    now = now or timezone.now()
    ordered = stages()
    found = _window(now, window_days, settle_days, now)
    return _shortfalls(ordered, found, window_days) if ordered else []


def stage_rows(
    ordered: list[Stage], result: core.Funnel, months: float, below: set[int] = frozenset()
) -> list[StageRow]:
    """Each stage with its count, conversion and target; ``months`` scales the first stage's
    monthly target to the period shown."""
    rows = []
    for i, stage in enumerate(ordered):
        if i == 0:
            target = stage.monthly_target
            needed = None if target is None else target * months
        else:
            target = None if stage.target_percent is None else float(stage.target_percent)
            needed = None if target is None else result.counts[i - 1] * target / 100
        rows.append(StageRow(stage, result.counts[i], result.conversions[i], target, needed,
                             i in below))  # fmt: skip
    return rows


def dashboard_funnel(today: date | None = None) -> FunnelSummary:
    """This month's cohort per stage with conversion and targets, and the below-target
    stages of the rolling window ending now: 3 queries."""
    today = today or timezone.localdate()
    month = today.replace(day=1)
    now = timezone.now()
    ordered = stages()
    found = _window(now, core.WINDOW_DAYS, core.SETTLE_DAYS, start_of(month))
    result = core.funnel(_by_furthest(ordered, found["since"]), won_index(ordered))
    alerts = _shortfalls(ordered, found, core.WINDOW_DAYS) if ordered else []
    days = (min(today, now.date()) - month).days + 1
    rows = stage_rows(ordered, result, days / core.DAYS_PER_MONTH, {a.index for a in alerts})
    return FunnelSummary(month, rows, result.overall, alerts, core.WINDOW_DAYS)


def cohort(
    start: date, end: date, *, channel: str = "", owner_id: int | None = None
) -> QuerySet[Lead]:
    """Leads that entered the first stage from ``start`` to ``end`` (inclusive days)."""
    leads = Lead.objects.filter(
        created_at__gte=start_of(start), created_at__lt=start_of(end + timedelta(days=1))
    )
    if channel:
        leads = leads.filter(channel=channel)
    if owner_id is not None:
        leads = leads.filter(owner_id=owner_id)
    return leads


def _group_tallies(leads: QuerySet[Lead], by: str, index: dict[int, int]) -> list[core.Tally]:
    if by == Breakdown.MONTH:
        leads = leads.annotate(group=TruncMonth("created_at"))
    field = {"month": "group", "channel": "channel", "owner": "owner_id"}[by]
    rows = leads.values(field, "stage_id").annotate(leads=Count("id")).order_by()
    return [
        core.Tally(_group_key(row[field], by), index[row["stage_id"]], row["leads"])
        for row in rows
        if row["stage_id"] in index
    ]


def _group_key(value, by: str) -> str:
    if by == Breakdown.MONTH:
        return f"{value:%Y-%m}"
    return "" if value is None else str(value)


def funnel_report(
    start: date,
    end: date,
    *,
    by: str = Breakdown.MONTH,
    channel: str = "",
    owner_id: int | None = None,
) -> FunnelReport:
    """The cohort of the period, per stage and per month, channel or owner (2–3 queries)."""
    ordered = stages()
    index = {stage.pk: i for i, stage in enumerate(ordered)}
    leads = cohort(start, end, channel=channel, owner_id=owner_id)
    tallies = _group_tallies(leads, by, index)
    total, grouped = core.funnels(tallies, len(ordered), won_index(ordered))
    months = ((end - start).days + 1) / core.DAYS_PER_MONTH
    labels = _labels(by, grouped)
    groups = [GroupRow(key, labels.get(key, key), result) for key, result in grouped.items()]
    return FunnelReport(start, end, by, stage_rows(ordered, total, months), total.overall, groups)


def _labels(by: str, grouped: dict) -> dict[str, str]:
    from django.contrib.auth import get_user_model

    from kept.pipeline.choices import Channel

    if by == Breakdown.CHANNEL:
        return {key: str(Channel(key).label) for key in grouped if key in Channel.values}
    if by == Breakdown.OWNER:
        ids = [int(key) for key in grouped if key]
        users = get_user_model().objects.filter(pk__in=ids)
        return {str(u.pk): person_name(u) for u in users} | {"": "—"}
    return {}


def lead_list(
    *, search: str = "", stage_id: int | None = None, channel: str = "", owner_id=None,
    state: str = "",
) -> QuerySet[Lead]:  # fmt: skip
    """Leads for the list page and the API, newest first, with what a row shows loaded."""
    leads = Lead.objects.select_related("stage", "owner", "customer")
    if search:
        leads = leads.filter(
            Q(name__icontains=search) | Q(phone__icontains=search) | Q(email__icontains=search)
        )
    if stage_id:
        leads = leads.filter(stage_id=stage_id)
    if channel:
        leads = leads.filter(channel=channel)
    if owner_id:
        leads = leads.filter(owner_id=owner_id)
    if state == "open":
        leads = leads.open()
    elif state == "lost":
        leads = leads.filter(lost_at__isnull=False)
    elif state == "won":
        leads = leads.filter(customer__isnull=False)
    return leads.order_by("-created_at", "-id")


def lead_with_history(pk: int) -> Lead:
    return (
        Lead.objects.select_related("stage", "owner", "customer")
        .prefetch_related("entries__stage", "entries__entered_by")
        .get(pk=pk)
    )
