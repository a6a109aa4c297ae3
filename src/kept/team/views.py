"""Pages of the value scorecards: the period's board, the rater's form, one person's
history, and the items and periods that managers keep. Peers see aggregates and anonymous
notes; managers also see who gave which score (``queries.can_see_raters``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kept.team import actions, queries, scorecard
from kept.team.forms import ItemForm, PersonScoresForm
from kept.team.models import BehaviourItem, Period

VIEW, SCORE = "team.view_score", "team.add_score"
MANAGE_ITEMS, CLOSE = "team.change_behaviouritem", "team.change_period"


def _period(request: HttpRequest) -> Period | None:
    """The period asked for (?period=YYYY-MM), else this month's, opened when first needed.
    404 for a month that is not one; None for a month never opened."""
    asked = request.GET.get("period", "")
    today = timezone.localdate()
    if not asked:
        return actions.open_period(today)
    month = scorecard.parse_month(asked)
    if month is None:
        raise Http404
    if month == today.replace(day=1):
        return actions.open_period(today)
    return queries.period_of(month)


@require_GET
@permission_required(VIEW, raise_exception=True)
def scorecards(request: HttpRequest) -> HttpResponse:
    """The period's board: every member's self score and peer average per item, totals, and
    their customer outcomes beside them."""
    period = _period(request)
    context = {
        "board": queries.board(period, timezone.localdate()),
        "periods": queries.periods(),
        "asked": request.GET.get("period", ""),
        "can_score": request.user.has_perm(SCORE),
    }
    return render(request, "kept/team/scorecards.html", context)


def _open_or_409(request: HttpRequest, period: Period | None) -> HttpResponse | None:
    if period is not None and period.is_open:
        return None
    context = {"period": period, "periods": Period.objects.open()[:12]}
    return render(request, "kept/team/closed.html", context, status=409)


def _cards(rater, period: Period, data=None, only=None) -> list[PersonScoresForm]:
    items = list(BehaviourItem.objects.active())
    given = queries.given_by(rater, period)
    people = [only] if only is not None else _self_first(rater, queries.members())
    return [PersonScoresForm(data, person=p, items=items, given=given) for p in people]


def _self_first(rater, people: list) -> list:
    return sorted(people, key=lambda person: person.pk != rater.pk)


@require_http_methods(["GET", "POST"])
@permission_required(SCORE, raise_exception=True)
def score(request: HttpRequest) -> HttpResponse:
    """The rater's page: a card per member (themselves first), 1/0 and a note per item. Each
    card posts on its own (htmx swaps the card; without script the page reloads)."""
    period = _period(request)
    refused = _open_or_409(request, period)
    if refused is not None:
        return refused
    if request.method == "POST":
        return _save(request, period)
    context = {"period": period, "cards": _cards(request.user, period)}
    return render(request, "kept/team/score.html", context)


def _save(request: HttpRequest, period: Period) -> HttpResponse:
    person = get_user_model().objects.filter(pk=request.POST.get("person") or 0).first()
    if person is None or person.pk not in queries.member_ids():
        raise Http404
    card = _cards(request.user, period, request.POST, only=person)[0]
    status = 422
    if card.is_valid():
        try:
            actions.submit_scores(request.user, period, card.entries())
        except actions.PeriodClosed:
            return _open_or_409(request, Period.objects.get(pk=period.pk))
        except ValidationError as exc:
            card.add_error(None, exc)
        else:
            status = 200
            if not request.htmx:
                messages.success(request, _("Scores saved."))
                return redirect(reverse("team:score") + f"?period={period.key}")
            card = _cards(request.user, period, only=person)[0]
    context = {"period": period, "card": card, "saved": status == 200}
    return render(request, "kept/team/_score_card.html", context, status=status)


@require_GET
@permission_required(VIEW, raise_exception=True)
def person(request: HttpRequest, username: str) -> HttpResponse:
    """One member's scores, outcomes and notes over the periods; managers also see who gave
    which score this period."""
    member = get_object_or_404(get_user_model(), username=username)
    if member.pk not in queries.member_ids():
        raise Http404
    with_raters = queries.can_see_raters(request.user)
    rows = queries.history(member, timezone.localdate(), with_raters=with_raters)
    context = {
        "member": member,
        "rows": rows,
        "with_raters": with_raters,
        "raters": queries.raters_of(member, rows[0].period) if with_raters and rows else [],
    }
    return render(request, "kept/team/person.html", context)


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE_ITEMS, raise_exception=True)
def items(request: HttpRequest) -> HttpResponse:
    """Managers keep the behaviour items: rewrite, reorder, retire (scores stay), add."""
    chosen = request.POST.get("item", "")
    forms, status = [], 200
    for item in BehaviourItem.objects.order_by("position", "id"):
        bound = request.method == "POST" and chosen == str(item.pk)
        forms.append(ItemForm(request.POST if bound else None, instance=item, prefix=item.pk))
    new = ItemForm(request.POST if chosen == "new" else None, prefix="new")
    posted = next((f for f in [*forms, new] if f.is_bound), None)
    if posted is not None:
        if posted.is_valid():
            target = None if posted is new else posted.instance
            actions.save_item(request.user, target, posted.cleaned_data)
            messages.success(request, _("Behaviour item saved."))
            return redirect("team:items")
        status = 422
    context = {"forms": forms, "new": new}
    return render(request, "kept/team/items.html", context, status=status)


@require_POST
@permission_required(CLOSE, raise_exception=True)
def close_period(request: HttpRequest, key: str) -> HttpResponse:
    """Close a period (managers): it then takes no more scores."""
    month = scorecard.parse_month(key)
    period = get_object_or_404(Period, start=month) if month else None
    if period is None:
        raise Http404
    actions.close_period(period, request.user)
    messages.success(request, _("The period %(period)s is closed.") % {"period": period.key})
    return redirect(reverse("team:scorecards") + f"?period={period.key}")
