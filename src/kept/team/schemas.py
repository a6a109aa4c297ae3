from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from kept.team.models import NOTE_MAX_LENGTH


class ItemOut(Schema):
    id: int
    key: str = Field(..., description="One of the four defaults of SPEC 2.9, or empty")
    text: str = Field(..., description="In the caller's language for an unedited default")
    position: int
    retired: bool

    @staticmethod
    def resolve_text(item) -> str:
        return item.display_text


class PeriodOut(Schema):
    key: str = Field(..., description="YYYY-MM")
    start: dt.date
    end: dt.date
    is_open: bool
    closed_at: dt.datetime | None


class ItemScoreOut(Schema):
    item: int
    self_score: int | None = Field(None, description="The person's own score, 1 or 0")
    peer_average: float | None = Field(None, description="Share of peers who gave 1 (0–1)")
    peer_count: int = Field(..., description="Peers who scored this item")


class OutcomesOut(Schema):
    csat: float | None = Field(None, description="Answers 4–5 / CSAT answers (0–1)")
    csat_answers: int
    sla_met: float | None = Field(None, description="SLA targets met / decided (0–1)")
    sla_targets: int
    promises_kept: float | None = Field(None, description="Perfect lines / settled lines (0–1)")
    lines: int


class NoteOut(Schema):
    item: int
    text: str
    is_self: bool = Field(..., description="Written by the person about themselves")
    rater: str | None = Field(None, description="Managers only")


class PersonOut(Schema):
    username: str
    name: str
    items: list[ItemScoreOut]
    self_total: int
    self_items: int
    peer_total: float
    peer_items: int
    outcomes: OutcomesOut
    notes: list[NoteOut]


class GivenOut(Schema):
    rater: str
    person: str
    item: int
    value: int
    note: str


class BoardOut(Schema):
    period: PeriodOut | None
    items: list[ItemOut]
    people: list[PersonOut]
    scores: list[GivenOut] | None = Field(
        None, description="Who gave which score: managers only, null for everyone else"
    )


class ScoreIn(Schema):
    person: str = Field(..., description="Username of the person scored (yourself or a peer)")
    item: int
    value: int = Field(..., ge=0, le=1)
    note: str = Field("", max_length=NOTE_MAX_LENGTH)


class ScoresIn(Schema):
    period: str = Field("", description="YYYY-MM; default: this month")
    scores: list[ScoreIn] = Field(..., max_length=1000)


class SavedOut(Schema):
    period: str
    saved: int = Field(..., description="Scores created or changed")
