"""Pages: the public survey (no login, rate-limited, in the customer's language), the results
with service level beside satisfaction, and sending a survey by hand."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from kept.core.ratelimit import rate_limited
from kept.customers.models import Customer
from kept.feedback import actions, queries
from kept.feedback.choices import ResultsBy, Scope, Trigger
from kept.feedback.forms import AnswerForm, ResultsForm, SendForm
from kept.fulfilment import chart
from kept.fulfilment.choices import GroupBy

VIEW, ADD = "feedback.view_survey", "feedback.add_survey"
SURVEY_RATE_SETTING, SURVEY_RATE_DEFAULT = "KEPT_SURVEY_RATE_LIMIT", (30, 600)
REFUSED = _("This survey link is not valid.")
REFUSED_HINT = _("It may have been answered already or have expired.")
TOO_MANY = _("Too many requests. Please try again in a few minutes.")


def _in_every_language(*messages) -> list[str]:
    """The refusals are read by someone whose language we do not tell: say it in each."""
    said: list[str] = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            text = " ".join(str(message) for message in messages)
        if text not in said:
            said.append(text)
    return said


def _public(response: HttpResponse) -> HttpResponse:
    # The token is in the address: no referrer carries it to another site, no search engine
    # keeps it. Not "no-referrer": browsers then send "Origin: null" with the form, which
    # Django's CSRF check rightly refuses.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _refused(request: HttpRequest) -> HttpResponse:
    """The same page for a guessed, used or expired link: nothing about the survey."""
    context = {"messages_said": _in_every_language(REFUSED, REFUSED_HINT)}
    return _public(render(request, "kept/feedback/refused.html", context, status=404))


def _too_many(request: HttpRequest, window: int) -> HttpResponse:
    context = {"messages_said": _in_every_language(TOO_MANY)}
    response = render(request, "kept/feedback/refused.html", context, status=429)
    response["Retry-After"] = str(window)
    return _public(response)


def _answered(request, token: str, form: AnswerForm) -> HttpResponse | None:
    """Store the answer; a response when done (thanks or refusal), None to show the form's
    errors."""
    try:
        survey = actions.answer(token, **form.cleaned_data)
    except actions.InvalidSurveyLink:
        return _refused(request)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return None
    return render(request, "kept/feedback/thanks.html", {"survey": survey})


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("survey", setting=SURVEY_RATE_SETTING, default=SURVEY_RATE_DEFAULT, refuse=_too_many)
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The public survey behind a link: one answer, before it expires, in the customer's
    language, on a phone."""
    survey = queries.open_survey(token)
    if survey is None:
        return _refused(request)
    with translation.override(survey.language):
        form = AnswerForm(request.POST if request.method == "POST" else None)
        response = None
        if form.is_bound and form.is_valid():
            response = _answered(request, token, form)
        if response is None:
            status = 422 if form.is_bound else 200
            context = {"survey": survey, "form": form}
            response = render(request, "kept/feedback/answer.html", context, status=status)
    if response.status_code != 404:
        response["Content-Language"] = survey.language
    return _public(response)


def _chart(measures: dict) -> dict | None:
    keys = measures["months"]
    if not any(v is not None for v in measures["csat"] + measures["otif"]):
        return None
    return {
        "service": chart.series("otif", keys, measures["otif"]),
        "satisfaction": chart.series("csat", keys, measures["csat"]),
        "y_ticks": chart.y_ticks(),
        "x_ticks": chart.x_ticks(keys),
        "width": chart.WIDTH,
        "height": chart.HEIGHT,
        "left": chart.LEFT,
        "right": chart.WIDTH - chart.RIGHT,
        "baseline": chart.HEIGHT - chart.BOTTOM,
    }


@require_GET
@permission_required(VIEW, raise_exception=True)
def results(request: HttpRequest) -> HttpResponse:
    """CSAT %, NPS and response rate by staff, customer, group or month; service level beside
    satisfaction by month; the latest comments verbatim."""
    form = ResultsForm(request.GET or None)
    period = form.period()
    start, end, by, scope = period["start"], period["end"], period["by"], period["scope"]
    rows, total = queries.results(start, end, by=by, scope=scope)
    context = {
        "form": form
        if form.errors
        else ResultsForm(initial={"start": start, "end": end, "by": by, "scope": scope}),
        "start": start,
        "end": end,
        "by": by,
        "by_label": ResultsBy(by).label,
        "scope": scope,
        "rows": rows,
        "total": total,
        "chart": _chart(queries.satisfaction_and_service(start, end, scope)),
        "comments": queries.latest_comments(start, end, scope),
        "service_by": GroupBy.MONTH,
        "is_internal": scope == Scope.INTERNAL,
    }
    return render(request, "kept/feedback/results.html", context)


@require_http_methods(["GET", "POST"])
@permission_required(ADD, raise_exception=True)
def send(request: HttpRequest) -> HttpResponse:
    """Send a survey by hand; the link is shown once, to pass on when there is no email."""
    form = SendForm(request.POST or None, initial={"customer": request.GET.get("customer", "")})
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        customer = Customer.objects.filter(code=form.cleaned_data["customer"]).first()
        if customer is None:
            form.add_error("customer", _("No customer with this code."))
        else:
            sent = actions.send_survey(
                customer, trigger=Trigger.MANUAL, staff=customer.owner, actor=request.user
            )
            context["customer"] = customer
            if sent is None:
                context["quiet"] = True
            else:
                context["survey"], context["link"] = sent[0], actions.survey_link(sent[1])
    status = 422 if form.errors else 409 if context.get("quiet") else 200
    response = render(request, "kept/feedback/send.html", context, status=status)
    response["Cache-Control"] = "no-store"  # the link is shown once
    return response
