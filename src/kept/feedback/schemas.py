from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from kept.feedback.choices import ResultsBy, Scope


class SurveyOut(Schema):
    """A survey; the link's token is never part of it (only its digest is stored)."""

    id: int
    number: str
    customer: str = Field(..., description="Customer code")
    customer_name: str
    trigger: str
    order: str | None = Field(None, description="Order number (after a delivery)")
    ticket: str | None = Field(None, description="Ticket number (after a ticket)")
    staff: str | None = Field(None, description="Username of whom the answer is about")
    language: str
    sent_to: str
    sent_at: dt.datetime
    expires_at: dt.datetime
    answered_at: dt.datetime | None
    csat: int | None = Field(None, description="1–5")
    nps: int | None = Field(None, description="0–10")
    comment: str

    @staticmethod
    def resolve_customer(survey) -> str:
        return survey.customer.code

    @staticmethod
    def resolve_customer_name(survey) -> str:
        return survey.customer.name

    @staticmethod
    def resolve_order(survey) -> str | None:
        return survey.order.number if survey.order_id else None

    @staticmethod
    def resolve_ticket(survey) -> str | None:
        return survey.ticket.number if survey.ticket_id else None

    @staticmethod
    def resolve_staff(survey) -> str | None:
        return survey.staff.get_username() if survey.staff_id else None


class SurveyIn(Schema):
    customer: str = Field(..., description="Customer code", examples=["H0001"])


class SentOut(Schema):
    survey: SurveyOut
    link: str = Field(..., description="The survey's address; shown only in this answer")


class ResultsRow(Schema):
    key: str
    label: str
    sent: int
    answered: int
    csat_answers: int
    satisfied: int = Field(..., description="CSAT answers of 4 or 5")
    nps_answers: int
    promoters: int = Field(..., description="NPS answers of 9 or 10")
    detractors: int = Field(..., description="NPS answers of 0 to 6")
    response_rate: float | None = Field(..., description="% of the surveys sent answered")
    csat_percent: float | None = Field(..., description="% of CSAT answers that are 4 or 5")
    nps: float | None = Field(..., description="% promoters − % detractors (−100 to 100)")


class ResultsOut(Schema):
    from_: dt.date = Field(..., alias="from")
    to: dt.date
    by: ResultsBy
    scope: Scope
    groups: list[ResultsRow]
    total: ResultsRow
