"""/api/v1/surveys (SPEC 2.6): the surveys sent and answered, their results, and sending one
by hand."""

from datetime import date

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from kept.core import dates
from kept.core.api_support import ERRORS, ApiError, Paging, needs
from kept.customers.models import Customer
from kept.feedback import actions, queries
from kept.feedback.choices import ResultsBy, Scope, Trigger
from kept.feedback.schemas import ResultsOut, SentOut, SurveyIn, SurveyOut

router = Router(tags=["feedback"])
VIEW, ADD = "feedback.view_survey", "feedback.add_survey"


class SurveyFilter(Schema):
    customer: str = Field("", description="Customer code")
    answered: bool | None = None
    from_: date | None = Field(None, alias="from", description="Sent on or after")
    to: date | None = Field(None, description="Sent on or before")


@router.get("/surveys", response={200: list[SurveyOut], **ERRORS}, auth=needs(VIEW))
@paginate(Paging)
def surveys(request: HttpRequest, filters: Query[SurveyFilter]):
    """Surveys sent, newest first, with their answers exactly as given."""
    return queries.survey_list(
        customer=filters.customer, answered=filters.answered, start=filters.from_, end=filters.to
    )


class ResultsQuery(Schema):
    from_: date | None = Field(None, alias="from", description="Default: 90 days before `to`")
    to: date | None = Field(None, description="Default: today")
    by: ResultsBy = ResultsBy.MONTH
    scope: Scope = Field(Scope.EXTERNAL, description="Customers, internal departments, or both")


def _period(start: date | None, end: date | None) -> tuple[date, date]:
    today = queries.business_today()
    try:
        return dates.period(start, end, today=today, default_days=queries.DEFAULT_DAYS)
    except dates.PeriodError as error:
        raise ApiError(422, "invalid", error.message, {error.field: [error.message]}) from error


@router.get(
    "/surveys/results", response={200: ResultsOut, **ERRORS}, auth=needs(VIEW), by_alias=True
)
def results(request: HttpRequest, query: Query[ResultsQuery]):
    """CSAT % (share of 4–5), NPS (% 9–10 − % 0–6) and response rate of the surveys sent in
    the period, by staff, customer, customer group or month. Satisfaction only: service level
    is /service-level."""
    start, end = _period(query.from_, query.to)
    rows, total = queries.results(start, end, by=query.by, scope=query.scope)
    return {
        "from": start,
        "to": end,
        "by": query.by,
        "scope": query.scope,
        "groups": [row.as_dict() for row in rows],
        "total": total.as_dict(),
    }


@router.post("/surveys", response={201: SentOut, **ERRORS}, auth=needs(ADD))
def send(request: HttpRequest, payload: SurveyIn):
    """Send a survey to a customer by hand (mailed when the customer has an address). The
    link is in this answer only; 409 within the policy's quiet days."""
    customer = Customer.objects.filter(code=payload.customer).first()
    if customer is None:
        message = _("No customer %(code)s.") % {"code": payload.customer}
        raise ApiError(422, "invalid", message, {"customer": payload.customer})
    sent = actions.send_survey(
        customer, trigger=Trigger.MANUAL, staff=customer.owner, actor=request.user
    )
    if sent is None:
        raise ApiError(
            409, "quiet_period", _("This customer was sent a survey within the quiet period.")
        )
    survey, token = sent
    return Status(201, {"survey": survey, "link": actions.survey_link(token)})
