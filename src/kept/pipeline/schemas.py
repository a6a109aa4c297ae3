"""Shapes of /api/v1/leads and /api/v1/funnel. Stages are named by their (unique) names,
owners by username, customers by code."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from kept.pipeline.choices import Breakdown, Channel


class LeadFields(Schema):
    phone: str = Field("", max_length=32)
    email: str = Field("", max_length=254)
    channel: Channel = Channel.OTHER
    owner: str | None = Field(None, max_length=150, description="Owner's username")
    note: str = Field("", max_length=4000)


class LeadIn(LeadFields):
    name: str = Field(..., min_length=1, max_length=200)
    stage: str | None = Field(
        None, max_length=60, description="Start at this stage (before the won one); default: first"
    )


class LeadPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    phone: str | None = Field(None, max_length=32)
    email: str | None = Field(None, max_length=254)
    channel: Channel | None = None
    owner: str | None = Field(None, max_length=150, description="Owner's username; empty: none")
    note: str | None = Field(None, max_length=4000)


class EntryOut(Schema):
    stage: str
    entered_at: dt.datetime


class LeadOut(Schema):
    id: int
    name: str
    phone: str
    email: str
    channel: Channel
    owner: str | None = Field(None, description="Owner's username")
    stage: str = Field(..., description="The furthest stage entered")
    note: str
    created_at: dt.datetime = Field(..., description="Entry into the first stage: the cohort")
    lost_at: dt.datetime | None
    lost_reason: str
    customer: str | None = Field(None, description="The customer's code once won")

    @staticmethod
    def resolve_owner(lead) -> str | None:
        return lead.owner.get_username() if lead.owner_id else None

    @staticmethod
    def resolve_stage(lead) -> str:
        return lead.stage.name

    @staticmethod
    def resolve_customer(lead) -> str | None:
        return lead.customer.code if lead.customer_id else None


class LeadDetailOut(LeadOut):
    entries: list[EntryOut]

    @staticmethod
    def resolve_entries(lead) -> list[dict]:
        return [{"stage": e.stage.name, "entered_at": e.entered_at} for e in lead.entries.all()]


class MoveIn(Schema):
    stage: str = Field(..., min_length=1, max_length=60, description="A later stage's name")


class LoseIn(Schema):
    reason: str = Field(..., min_length=1, max_length=300)


class WinIn(Schema):
    code: str = Field(
        "",
        max_length=32,
        pattern=r"^([A-Za-z0-9][A-Za-z0-9._-]*)?$",
        description="The new customer's code; default: L and the lead's number",
    )


class WinOut(Schema):
    lead: int
    customer: str = Field(..., description="The new customer's code")


class StageOut(Schema):
    name: str
    count: int = Field(..., description="Leads of the cohort that entered the stage")
    conversion: float | None = Field(..., description="count / previous stage's count, 0–1")
    target: float | None = Field(
        ..., description="Per cent from the previous stage; first stage: leads per month"
    )
    is_won: bool


class GroupOut(Schema):
    key: str = Field(..., description="YYYY-MM, a channel, or an owner's user id")
    label: str
    counts: list[int]
    conversions: list[float | None]
    overall: float | None


class FunnelOut(Schema):
    start: dt.date
    end: dt.date
    by: Breakdown
    stages: list[StageOut]
    overall: float | None = Field(..., description="Won stage's count / first stage's count")
    groups: list[GroupOut]
