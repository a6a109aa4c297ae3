"""/api/v1/leads and /api/v1/funnel (SPEC 2.8): leads with their moves, and the conversion
of a cohort per stage, per month, channel or owner. Permissions are the pages'."""

from datetime import date

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from kept.core.api_support import ERRORS, ApiError, Paging, needs
from kept.core.dates import OUT_OF_RANGE, in_range
from kept.pipeline import actions, queries
from kept.pipeline.choices import Breakdown, Channel
from kept.pipeline.forms import MAX_DAYS, default_period
from kept.pipeline.models import Lead, Stage
from kept.pipeline.schemas import (
    FunnelOut,
    LeadDetailOut,
    LeadIn,
    LeadOut,
    LeadPatch,
    LoseIn,
    MoveIn,
    WinIn,
    WinOut,
)

router = Router(tags=["pipeline"])
VIEW, ADD, WORK = "pipeline.view_lead", "pipeline.add_lead", "pipeline.change_lead"
WIN = (WORK, "customers.add_customer")


def _detail(pk: int) -> Lead:
    try:
        return queries.lead_with_history(pk)
    except Lead.DoesNotExist:
        raise ApiError(404, "not_found", _("Not found.")) from None


def _owner(username: str | None):
    if not username:
        return None
    found = get_user_model().objects.filter(username=username, is_active=True).first()
    if found is None:
        raise ApiError(422, "invalid", _("No such user."), {"owner": username})
    return found


def _stage(name: str) -> Stage:
    found = Stage.objects.filter(name=name).first()
    if found is None:
        raise ApiError(422, "invalid", _("No such stage."), {"stage": name})
    return found


class LeadQuery(Schema):
    q: str = Field("", max_length=100, description="In the name, phone or email")
    stage: str = Field("", max_length=60)
    channel: Channel | None = None
    owner: str = Field("", max_length=150, description="Username")
    state: str = Field("", pattern=r"^(|open|won|lost)$")


@router.get("/leads", response={200: list[LeadOut], **ERRORS}, auth=needs(VIEW))
@paginate(Paging)
def list_leads(request: HttpRequest, query: Query[LeadQuery]):
    """Leads, newest first."""
    stage = _stage(query.stage) if query.stage else None
    owner = _owner(query.owner) if query.owner else None
    found = queries.lead_list(
        search=query.q, stage_id=stage.pk if stage else None, channel=query.channel or "",
        owner_id=owner.pk if owner else None, state=query.state,
    )  # fmt: skip
    return found


@router.post("/leads", response={201: LeadDetailOut, **ERRORS}, auth=needs(ADD))
def create_lead(request: HttpRequest, payload: LeadIn):
    """A new lead, in the first stage or (a walk-in, say) a later one before the won stage."""
    values = payload.dict(exclude={"stage", "owner"})
    values["owner"] = _owner(payload.owner)
    stage = _stage(payload.stage) if payload.stage else None
    lead = actions.create_lead(values, actor=request.user, stage=stage)
    return Status(201, _detail(lead.pk))


@router.get("/leads/{lead_id}", response={200: LeadDetailOut, **ERRORS}, auth=needs(VIEW))
def get_lead(request: HttpRequest, lead_id: int):
    return _detail(lead_id)


@router.patch("/leads/{lead_id}", response={200: LeadDetailOut, **ERRORS}, auth=needs(WORK))
def patch_lead(request: HttpRequest, lead_id: int, payload: LeadPatch):
    lead = get_object_or_404(Lead, pk=lead_id)
    values = payload.dict(exclude_unset=True)
    if "owner" in values:
        values["owner"] = _owner(values["owner"])
    actions.update_lead(lead, values, actor=request.user)
    return _detail(lead_id)


@router.post("/leads/{lead_id}/move", response={200: LeadDetailOut, **ERRORS}, auth=needs(WORK))
def move_lead(request: HttpRequest, lead_id: int, payload: MoveIn):
    """Forward only; skipped stages are entered at the same moment. 422 backwards."""
    lead = get_object_or_404(Lead, pk=lead_id)
    actions.move_to_stage(lead, _stage(payload.stage), actor=request.user)
    return _detail(lead_id)


@router.post("/leads/{lead_id}/lose", response={200: LeadDetailOut, **ERRORS}, auth=needs(WORK))
def lose_lead(request: HttpRequest, lead_id: int, payload: LoseIn):
    lead = get_object_or_404(Lead, pk=lead_id)
    actions.mark_lost(lead, payload.reason, actor=request.user)
    return _detail(lead_id)


@router.post("/leads/{lead_id}/win", response={201: WinOut, **ERRORS}, auth=needs(*WIN))
def win_lead(request: HttpRequest, lead_id: int, payload: WinIn):
    """The lead becomes a customer in the notebook, its history copied to the timeline."""
    lead = get_object_or_404(Lead, pk=lead_id)
    customer = actions.win_lead(lead, actor=request.user, code=payload.code)
    return Status(201, {"lead": lead_id, "customer": customer.code})


class FunnelQuery(Schema):
    start: date | None = Field(None, description="Cohorts from this day; default: 12 months ago")
    end: date | None = Field(None, description="Default: today")
    by: Breakdown = Breakdown.MONTH
    channel: Channel | None = None
    owner: str = Field("", max_length=150, description="Username")


def _period(start: date | None, end: date | None) -> tuple[date, date]:
    from django.utils import timezone

    first, last = default_period(timezone.localdate())
    start, end = start or first, end or last
    if not in_range(start, end):
        raise ApiError(422, "invalid", str(OUT_OF_RANGE), {"start": str(start)})
    if start > end:
        raise ApiError(422, "invalid", _("The start is after the end."), {"start": str(start)})
    if (end - start).days > MAX_DAYS:
        raise ApiError(422, "invalid", _("Ask for three years at most."), {"start": str(start)})
    return start, end


@router.get("/funnel", response={200: FunnelOut, **ERRORS}, auth=needs(VIEW))
def funnel(request: HttpRequest, query: Query[FunnelQuery]):
    """Leads that entered the first stage in the period (the cohort), per stage with the
    conversion from the previous stage, in total and per month, channel or owner."""
    start, end = _period(query.start, query.end)
    owner = _owner(query.owner) if query.owner else None
    report = queries.funnel_report(
        start, end, by=query.by, channel=query.channel or "", owner_id=owner.pk if owner else None
    )
    stages = [
        {"name": r.stage.name, "count": r.count, "conversion": r.conversion, "target": r.target,
         "is_won": r.stage.is_won}
        for r in report.rows
    ]  # fmt: skip
    groups = [
        {"key": g.key, "label": g.label, "counts": list(g.funnel.counts),
         "conversions": list(g.funnel.conversions), "overall": g.funnel.overall}
        for g in report.groups
    ]  # fmt: skip
    return {"start": start, "end": end, "by": report.by, "stages": stages,
            "overall": report.overall, "groups": groups}  # fmt: skip
