"""Pages of the funnel: the funnel itself (chart, conversion per stage and per month, channel
or owner, the alerts), the leads with their moves, and the stages' settings. Managers and
staff work leads; viewers read; managers set the stages and targets."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kept.core.pages import query_without_page
from kept.pipeline import actions, queries
from kept.pipeline.choices import Breakdown
from kept.pipeline.forms import (
    FunnelFilterForm,
    LeadFilterForm,
    LeadForm,
    LoseForm,
    MoveForm,
    StageFormSet,
    WinForm,
)
from kept.pipeline.models import FunnelAlert, Lead, Stage

VIEW = "pipeline.view_lead"
ADD = "pipeline.add_lead"
WORK = "pipeline.change_lead"
MANAGE = "pipeline.change_stage"
PER_PAGE = 50
RECENT_ALERTS = 10


@require_GET
@permission_required(VIEW, raise_exception=True)
def funnel(request: HttpRequest) -> HttpResponse:
    """The cohort of a period stage by stage against the targets, per month, channel or
    owner, and the stages below target over the rolling window."""
    form = FunnelFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "kept/pipeline/funnel.html", {"form": form}, status=400)
    data = form.cleaned_data
    form = FunnelFilterForm(initial=data)
    owner = data.get("owner")
    report = queries.funnel_report(
        data["start"],
        data["end"],
        by=data["by"],
        channel=data.get("channel") or "",
        owner_id=owner.pk if owner else None,
    )
    context = {
        "form": form,
        "report": report,
        "stage_names": [row.stage.label for row in report.rows],
        "by_label": Breakdown(report.by).label,
        "alerts": queries.funnel_alerts(),
        "window_days": queries.core.WINDOW_DAYS,
        "raised": FunnelAlert.objects.select_related("stage")[:RECENT_ALERTS],
    }
    return render(request, "kept/pipeline/funnel.html", context)


@require_GET
@permission_required(VIEW, raise_exception=True)
def leads(request: HttpRequest) -> HttpResponse:
    form = LeadFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    found = queries.lead_list(
        search=data.get("q") or "",
        stage_id=data["stage"].pk if data.get("stage") else None,
        channel=data.get("channel") or "",
        owner_id=data["owner"].pk if data.get("owner") else None,
        state=data.get("state") or "",
    )
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": query_without_page(request)}
    return render(request, "kept/pipeline/leads.html", context)


@require_http_methods(["GET", "POST"])
@permission_required(ADD, raise_exception=True)
def lead_create(request: HttpRequest) -> HttpResponse:
    form = LeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "stage"}
        try:
            lead = actions.create_lead(values, actor=request.user, stage=form.cleaned_data["stage"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Lead %(name)s added.") % {"name": lead.name})
            return redirect("pipeline:lead", pk=lead.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "kept/pipeline/lead_form.html", {"form": form}, status=status)


def _lead(pk: int) -> Lead:
    try:
        return queries.lead_with_history(pk)
    except Lead.DoesNotExist:
        raise Http404 from None


@require_GET
@permission_required(VIEW, raise_exception=True)
def lead(request: HttpRequest, pk: int) -> HttpResponse:
    found = _lead(pk)
    later = Stage.objects.filter(position__gt=found.stage.position).order_by("position")
    move = MoveForm()
    move.fields["stage"].queryset = later
    context = {
        "lead": found,
        "entries": list(found.entries.all()),
        "move_form": move,
        "can_move": later.exists() and not found.is_lost(),
        "lose_form": LoseForm(),
        "win_form": WinForm(),
        "can_work": request.user.has_perm(WORK),
        "can_win": request.user.has_perms([WORK, "customers.add_customer"]),
    }
    return render(request, "kept/pipeline/lead.html", context)


def _act(request: HttpRequest, pk: int, form_class, act) -> HttpResponse:
    """Run one move on a lead from a posted form; errors come back as messages."""
    found = _lead(pk)
    form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("pipeline:lead", pk=pk)
    try:
        done = act(found, form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("pipeline:lead", pk=pk)


@require_POST
@permission_required(WORK, raise_exception=True)
def lead_move(request: HttpRequest, pk: int) -> HttpResponse:
    def act(found: Lead, data: dict) -> str:
        actions.move_to_stage(found, data["stage"], actor=request.user)
        return _("Moved to %(stage)s.") % {"stage": data["stage"].label}

    return _act(request, pk, MoveForm, act)


@require_POST
@permission_required(WORK, raise_exception=True)
def lead_lose(request: HttpRequest, pk: int) -> HttpResponse:
    def act(found: Lead, data: dict) -> str:
        actions.mark_lost(found, data["reason"], actor=request.user)
        return _("Marked as lost.")

    return _act(request, pk, LoseForm, act)


@require_POST
@permission_required((WORK, "customers.add_customer"), raise_exception=True)
def lead_win(request: HttpRequest, pk: int) -> HttpResponse:
    found = _lead(pk)
    form = WinForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.get("code") or _("The code is not valid."))
        customer = actions.win_lead(found, actor=request.user, code=form.cleaned_data["code"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("pipeline:lead", pk=pk)
    messages.success(request, _("%(name)s is now a customer.") % {"name": customer.name})
    return redirect(reverse("customers:notebook", args=[customer.code]))


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE, raise_exception=True)
def stages(request: HttpRequest) -> HttpResponse:
    """Names, order and targets of the stages; a stage with leads is never deleted."""
    formset = StageFormSet(request.POST or None, queryset=Stage.objects.order_by("position"))
    if request.method == "POST" and formset.is_valid():
        actions.save_stages(formset, actor=request.user)
        messages.success(request, _("Stages saved."))
        return redirect("pipeline:stages")
    status = 400 if request.method == "POST" else 200
    return render(request, "kept/pipeline/stages.html", {"formset": formset}, status=status)
