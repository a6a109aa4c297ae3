"""/api/v1/scorecards (SPEC 2.9): the period's board, with the same anonymity as the pages
(peers see aggregates and notes; managers also who gave which score), the items, and a
rater's scores."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from kept.core.api_support import ERRORS, ApiError, needs
from kept.core.people import person_name
from kept.team import actions, queries, scorecard
from kept.team.models import BehaviourItem, Period
from kept.team.schemas import BoardOut, ItemOut, SavedOut, ScoresIn

router = Router(tags=["team"])
VIEW, SCORE, VIEW_ITEMS = "team.view_score", "team.add_score", "team.view_behaviouritem"


def _period(key: str) -> Period:
    """The period of YYYY-MM (default this month, opened when first needed)."""
    today = timezone.localdate()
    month = scorecard.parse_month(key) if key else today.replace(day=1)
    if month is None:
        raise ApiError(422, "invalid", _("Give the period as YYYY-MM."), {"period": key})
    if month == today.replace(day=1):
        return actions.open_period(today)
    period = queries.period_of(month)
    if period is None:
        raise ApiError(404, "not_found", _("No scoring period %(key)s.") % {"key": key})
    return period


class BoardQuery(Schema):
    period: str = ""


def _person(row, notes: list) -> dict:
    out = row.outcomes
    return {
        "username": row.person.get_username(),
        "name": person_name(row.person),
        "items": [
            {
                "item": item.pk,
                "self_score": c.self_value,
                "peer_average": c.peer_average,
                "peer_count": c.peer_count,
            }
            for item, c in row.cells
        ],
        "self_total": row.totals.self_total,
        "self_items": row.totals.self_items,
        "peer_total": row.totals.peer_total,
        "peer_items": row.totals.peer_items,
        "outcomes": {
            "csat": out.csat,
            "csat_answers": out.csat_answers,
            "sla_met": out.sla_met_share,
            "sla_targets": out.sla_targets,
            "promises_kept": out.promises_kept,
            "lines": out.lines,
        },
        "notes": [
            {
                "item": n.item.pk,
                "text": n.text,
                "is_self": n.is_self,
                "rater": n.rater.get_username() if n.rater else None,
            }
            for n in notes
        ],
    }


def _given(scores) -> list[dict]:
    return [
        {
            "rater": s.rater.get_username(),
            "person": s.person.get_username(),
            "item": s.item_id,
            "value": s.value,
            "note": s.note,
        }
        for s in scores
    ]


@router.get("/scorecards", response={200: BoardOut, **ERRORS}, auth=needs(VIEW))
def board(request: HttpRequest, query: Query[BoardQuery]):
    """The period's board (?period=YYYY-MM, default this month): per member, the self score,
    the peers' average and count per item, totals, anonymous notes, and CSAT, SLA met and
    promises kept. ``scores`` (who gave which) is filled for managers only."""
    period = _period(query.period)
    found = queries.board(period, timezone.localdate())
    with_raters = queries.can_see_raters(request.user)
    notes = queries.notes_of_period(period, with_raters=with_raters)
    return {
        "period": period,
        "items": found.items,
        "people": [_person(row, notes.get(row.person.pk, [])) for row in found.rows],
        "scores": _given(queries.every_score(period)) if with_raters else None,
    }


@router.get("/scorecards/items", response={200: list[ItemOut], **ERRORS}, auth=needs(VIEW_ITEMS))
def items(request: HttpRequest):
    """The behaviour items in their order, retired ones included (flagged)."""
    return list(BehaviourItem.objects.order_by("position", "id"))


@router.post("/scorecards/scores", response={200: SavedOut, **ERRORS}, auth=needs(SCORE))
def submit(request: HttpRequest, payload: ScoresIn):
    """Give or change the caller's scores in an open period (default this month): one per
    person and item, 1 or 0, with an optional note. 409 when the period is closed; nothing
    is written when any score is refused."""
    period = _period(payload.period)
    names = {entry.person for entry in payload.scores}
    users = dict(get_user_model().objects.filter(username__in=names).values_list("username", "id"))
    unknown = sorted(names - set(users))
    if unknown:
        raise ApiError(422, "invalid", _("Unknown person."), {"person": unknown})
    entries = [actions.Entry(users[e.person], e.item, e.value, e.note) for e in payload.scores]
    try:
        saved = actions.submit_scores(request.user, period, entries)
    except actions.PeriodClosed as exc:
        raise ApiError(409, "period_closed", str(exc), {"period": period.key}) from exc
    return {"period": period.key, "saved": len(saved)}
