"""Pages: today's rounds (phone) with the nightly plan's run, a customer's containers (add,
change)."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kept.core import dates
from kept.customers.models import Customer
from kept.replenishment import actions, queries, tasks
from kept.replenishment.choices import Outcome
from kept.replenishment.forms import AnswerForm, SubscriptionForm
from kept.replenishment.models import PlanRun, Subscription

VIEW, ANSWER = "replenishment.view_subscription", "replenishment.add_proposal"
EDIT = "replenishment.change_subscription"


def _day(request: HttpRequest) -> date:
    """The plan's day asked for; today when none, or none the calendar can plan around."""
    try:
        day = date.fromisoformat(request.GET.get("date") or request.POST.get("date") or "")
    except ValueError:
        return queries.business_today()
    return day if dates.in_range(day) else queries.business_today()


def _area(proposed) -> tuple[str, str]:
    customer = proposed.customer
    region = customer.region.name if customer.region_id else ""
    return (region, customer.route or "")


@require_GET
@permission_required(VIEW, raise_exception=True)
def rounds(request: HttpRequest) -> HttpResponse:
    """Today's plan as rounds: by region and route, then the customer's window, most urgent
    first within each."""
    day = _day(request)
    proposals = queries.todays_plan(day)
    ordered = sorted(proposals, key=lambda p: (_area(p), p.subscription.window, p.risk_date))
    groups = [(area, list(items)) for area, items in groupby(ordered, key=_area)]
    context = {
        "day": day,
        "groups": groups,
        "count": len(proposals),
        "previous": day - timedelta(days=1),
        "next": day + timedelta(days=1),
        "postpone_default": day + timedelta(days=3),
        "run": PlanRun.objects.latest_for(day),
    }
    return render(request, "kept/replenishment/rounds.html", context)


@require_GET
@permission_required(VIEW, raise_exception=True)
def plan_run(request: HttpRequest) -> HttpResponse:
    """The latest run of the day's plan: htmx polls it while a worker computes the plan."""
    day = _day(request)
    context = {"day": day, "run": PlanRun.objects.latest_for(day)}
    return render(request, "kept/replenishment/_plan_run.html", context)


@require_POST
@permission_required(ANSWER, raise_exception=True)
def run_plan(request: HttpRequest) -> HttpResponse:
    """Run the day's plan now in the background (``kept worker`` computes it)."""
    day = _day(request)
    run = tasks.enqueue_nightly_plan(day, actor=request.user)
    if request.htmx:
        return render(request, "kept/replenishment/_plan_run.html", {"day": day, "run": run})
    return redirect(reverse("replenishment:rounds") + f"?date={day.isoformat()}")


@require_POST
@permission_required(ANSWER, raise_exception=True)
def answer(request: HttpRequest, subscription: int) -> HttpResponse:
    """Answer one proposal (htmx swaps its card): order it, postpone, decline, still had."""
    day = _day(request)
    proposed = queries.proposal_for(subscription, day)
    if proposed is None:
        context = {"gone": True, "day": day}
        return render(request, "kept/replenishment/_proposal.html", context, status=409)
    form = AnswerForm(request.POST)
    context = {"p": proposed, "day": day}
    try:
        if not form.is_valid():
            raise ValidationError([m for errors in form.errors.values() for m in errors])
        data = form.cleaned_data
        if data["outcome"] == Outcome.ACCEPTED:
            if not request.user.has_perm("promising.add_order"):
                raise ValidationError(_("Ordering needs the right to take orders."))
            context["proposal"], context["promised"] = actions.order_proposal(
                proposed.subscription, proposed, quantity=data["quantity"], actor=request.user
            )
        else:
            context["proposal"] = actions.record_outcome(
                proposed.subscription,
                proposed,
                data["outcome"],
                postponed_until=data["postponed_until"],
                still_had=data["still_had"],
                actor=request.user,
            )
    except ValidationError as exc:
        context["error"] = "; ".join(exc.messages)
        context["postpone_default"] = day + timedelta(days=3)
    status = 422 if "error" in context else 200
    return render(request, "kept/replenishment/_proposal.html", context, status=status)


@require_http_methods(["GET", "POST"])
@permission_required(EDIT, raise_exception=True)
def edit(request: HttpRequest, code: str, pk: int | None = None) -> HttpResponse:
    """Add a container to a customer's notebook, or change one."""
    customer = get_object_or_404(Customer, code=code)
    subscription = get_object_or_404(Subscription, pk=pk, customer=customer) if pk else None
    form = SubscriptionForm(request.POST or None, instance=subscription)
    if subscription is not None:
        form.fields["product"].disabled = True
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        try:
            actions.save_subscription(
                customer, values, subscription=subscription, actor=request.user
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect(reverse("customers:notebook", args=[customer.code]) + "#containers")
    context = {"customer": customer, "form": form, "subscription": subscription}
    return render(request, "kept/replenishment/edit.html", context)
