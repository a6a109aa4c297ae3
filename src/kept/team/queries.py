"""Reads of the value scorecards: the team, a period's board with the outcomes beside the
scores, one person's history, the notes, a rater's own scores, and the dashboard's card.

Anonymity lives here, not in the templates: without ``SEE_RATERS`` (managers) the reads
return aggregates and notes with no rater, so no page or API answer can leak one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Func, Max, Q, Subquery, Sum

from kept.team import scorecard
from kept.team.models import SEE_RATERS, BehaviourItem, Period, Score
from kept.team.outcomes import NONE, Outcomes, outcomes
from kept.team.scorecard import NOT_SCORED, ItemScore, Totals

SCORE = "team.add_score"  # the team: whoever may score is scored
HISTORY_PERIODS = 12


def can_see_raters(user) -> bool:
    return user.has_perm(SEE_RATERS)


def members() -> list:
    """Everyone who scores and is scored: the active users whose role may score."""
    users = get_user_model().objects.with_perm(SCORE, include_superusers=False)
    return list(users.order_by("username"))


def member_ids() -> list[int]:
    users = get_user_model().objects.with_perm(SCORE, include_superusers=False)
    return list(users.order_by().values_list("id", flat=True))


def period_of(month: date) -> Period | None:
    """The period starting on the first day of ``month``, if it was ever opened."""
    return Period.objects.filter(start=month.replace(day=1)).first()


def periods(limit: int = 24) -> list[Period]:
    return list(Period.objects.order_by("-start")[:limit])


def items_of(period: Period | None) -> list[BehaviourItem]:
    """The active items, and the retired ones that were scored in the period."""
    shown = Q(retired=False)
    if period is not None:
        shown |= Q(scores__period=period)
    return list(BehaviourItem.objects.filter(shown).distinct().order_by("position", "id"))


def _item_scores(found) -> dict[tuple, ItemScore]:
    """{(person id, item id[, period id]): ItemScore} summed in one grouped query."""
    is_self = Q(rater_id=F("person_id"))
    rows = found.order_by().annotate(
        self_value=Max("value", filter=is_self),
        peer_sum=Sum("value", filter=~is_self),
        peer_count=Count("id", filter=~is_self),
    )
    return {
        tuple(row[name] for name in ("person_id", "item_id", "period_id") if name in row): (
            ItemScore(row["self_value"], row["peer_sum"] or 0, row["peer_count"])
        )
        for row in rows
    }


@dataclass(frozen=True)
class Row:
    person: object
    items: list[ItemScore]  # in the order of the board's items
    totals: Totals
    outcomes: Outcomes
    cells: list[tuple[BehaviourItem, ItemScore]] = field(default_factory=list)


@dataclass(frozen=True)
class Board:
    period: Period | None
    items: list[BehaviourItem]
    rows: list[Row] = field(default_factory=list)


def board(period: Period | None, today: date) -> Board:
    """Every member of the team with their self score and peer average per item, totals,
    and CSAT, SLA met and promises kept over the period: a fixed number of queries."""
    items, people = items_of(period), members()
    if period is None:
        return Board(None, items, [_row(p, items, {}, NONE) for p in people])
    scored = _item_scores(Score.objects.filter(period=period).values("person_id", "item_id"))
    measured = outcomes(period.start, period.end, today, [p.pk for p in people])
    return Board(
        period,
        items,
        [_row(p, items, scored, measured.get((p.pk, None), NONE)) for p in people],
    )


def _row(person, items, scored: dict, measured: Outcomes, period_id=None) -> Row:
    keys = [(person.pk, item.pk) + ((period_id,) if period_id else ()) for item in items]
    cells = [scored.get(key, NOT_SCORED) for key in keys]
    paired = list(zip(items, cells, strict=True))
    return Row(person, cells, scorecard.totals(cells), measured, paired)


@dataclass(frozen=True)
class Note:
    item: BehaviourItem
    text: str
    is_self: bool
    rater: object | None  # only for those who may see raters


def notes(person, period_list: list[Period], *, with_raters: bool) -> dict[int, list[Note]]:
    """{period id: notes on the person}, by item and then by text: never in the order given,
    which could tell who wrote which."""
    found = Score.objects.filter(person=person, period__in=period_list).exclude(note="")
    found = found.select_related("item", *(["rater"] if with_raters else []))
    by_period: dict[int, list[Note]] = {}
    for score in found.order_by("period", "item__position", "item_id", "note", "id"):
        rater = score.rater if with_raters else None
        note = Note(score.item, score.note, score.is_self, rater)
        by_period.setdefault(score.period_id, []).append(note)
    return by_period


def notes_of_period(period: Period, *, with_raters: bool) -> dict[int, list[Note]]:
    """{person id: notes on them} in the period, ordered as ``notes``."""
    found = Score.objects.filter(period=period).exclude(note="")
    found = found.select_related("item", *(["rater"] if with_raters else []))
    by_person: dict[int, list[Note]] = {}
    for score in found.order_by("person", "item__position", "item_id", "note", "id"):
        rater = score.rater if with_raters else None
        note = Note(score.item, score.note, score.is_self, rater)
        by_person.setdefault(score.person_id, []).append(note)
    return by_person


def every_score(period: Period) -> list[Score]:
    """Every score of the period with its rater: for managers only (the caller checks)."""
    found = Score.objects.filter(period=period).select_related("rater", "person", "item")
    return list(found.order_by("person__username", "item__position", "rater__username"))


def raters_of(person, period: Period) -> list[Score]:
    """Who gave which score to the person: for managers only (the caller checks)."""
    found = Score.objects.filter(person=person, period=period).select_related("rater", "item")
    return list(found.order_by("item__position", "item_id", "rater__username"))


@dataclass(frozen=True)
class HistoryRow:
    period: Period
    totals: Totals
    outcomes: Outcomes
    notes: list[Note]


def history(person, today: date, *, with_raters: bool) -> list[HistoryRow]:
    """The person's scores, outcomes and notes over the last periods, newest first."""
    recent = list(Period.objects.order_by("-start")[:HISTORY_PERIODS])
    if not recent:
        return []
    items = list(BehaviourItem.objects.order_by("position", "id"))
    found = Score.objects.filter(person=person, period__in=recent)
    scored = _item_scores(found.values("person_id", "item_id", "period_id"))
    measured = outcomes(recent[-1].start, recent[0].end, today, [person.pk], by_month=True)
    said = notes(person, recent, with_raters=with_raters)
    rows = []
    for period in recent:
        row = _row(person, items, scored, NONE, period.pk)
        month = measured.get((person.pk, period.start), NONE)
        rows.append(HistoryRow(period, row.totals, month, said.get(period.pk, [])))
    return rows


def given_by(rater, period: Period | None) -> dict[tuple[int, int], Score]:
    """{(person id, item id): score} the rater gave in the period (their own, so shown)."""
    if period is None:
        return {}
    found = Score.objects.filter(period=period, rater=rater)
    return {(s.person_id, s.item_id): s for s in found}


@dataclass(frozen=True)
class MyScorecard:
    """This period for one member: how far they are with scoring, and how they are scored."""

    period: Period | None
    to_give: int  # members × active items
    given: int
    self_share: float | None  # share of 1s among my self scores
    peer_share: float | None  # share of 1s among my peers' scores of me
    peer_scores: int

    @property
    def has_scored_everyone(self) -> bool:
        return self.to_give > 0 and self.given >= self.to_give

    @property
    def left_to_give(self) -> int:
        return max(0, self.to_give - self.given)


def _count(found) -> Subquery:
    """COUNT(*) of a queryset as a subquery (no GROUP BY: COUNT is a plain function here)."""
    return Subquery(found.order_by().annotate(n=Func(F("id"), function="COUNT")).values("n")[:1])


def my_scorecard(user, today: date) -> MyScorecard:
    """The dashboard's card for ``user`` in the period of ``today``: three queries at most."""
    ids = member_ids()
    start, _end = scorecard.month_of(today)
    period = (
        Period.objects.filter(start=start)
        .annotate(items=_count(BehaviourItem.objects.active()))
        .first()
    )
    if period is None:
        items = BehaviourItem.objects.active().count() if user.pk in ids else 0
        return MyScorecard(None, len(ids) * items, 0, None, None, 0)
    mine, of_me = Q(rater=user), Q(person=user)
    counts = Score.objects.filter(period=period).aggregate(
        given=Count("id", filter=mine & Q(person_id__in=ids, item__retired=False)),
        self_sum=Sum("value", filter=mine & of_me),
        self_count=Count("id", filter=mine & of_me),
        peer_sum=Sum("value", filter=of_me & ~mine),
        peer_count=Count("id", filter=of_me & ~mine),
    )
    return MyScorecard(
        period,
        len(ids) * (period.items or 0) if user.pk in ids else 0,
        counts["given"],
        scorecard.share(counts["self_sum"] or 0, counts["self_count"]),
        scorecard.share(counts["peer_sum"] or 0, counts["peer_count"]),
        counts["peer_count"],
    )
