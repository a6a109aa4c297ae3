import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from kept.fulfilment.choices import Defect
from kept.servicedesk.choices import Channel, Priority, Remedy, RootCause, TicketKind, TicketStatus

Kind, Prio, State, Via = TicketKind, Priority, TicketStatus, Channel
Cause = RootCause | Literal[""]
Fix = Remedy | Literal[""]
TEXT = 10_000


class TargetOut(Schema):
    state: str
    target_minutes: int
    used_minutes: int
    remaining_minutes: int
    deadline: dt.datetime | None
    paused: bool
    done_at: dt.datetime | None


class ComplaintIn(Schema):
    what_happened: str = Field(min_length=1, max_length=TEXT)
    customer_wants: str = Field("", max_length=TEXT)
    root_cause: Cause = ""
    remedy: Fix = ""
    remedy_cost: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    follow_up_on: dt.date | None = None


class ComplaintOut(Schema):
    what_happened: str
    customer_wants: str
    root_cause: str
    remedy: str
    remedy_cost: Decimal | None = None  # managers only
    follow_up_on: dt.date | None
    confirmed_at: dt.datetime | None


class TicketIn(Schema):
    customer: str = Field(min_length=1, max_length=32)
    subject: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=TEXT)
    kind: Kind = TicketKind.REQUEST
    priority: Prio = Priority.NORMAL
    channel: Via = Channel.PHONE
    assignee: str | None = Field(None, max_length=150, description="username")
    department: str | None = Field(None, max_length=32, description="internal customer code")
    order: str | None = Field(None, max_length=32, description="order number")
    line: int | None = Field(None, ge=1, le=10_000)
    delivery: int | None = Field(None, ge=1, le=2**62, description="the delivery it is about")
    complaint: ComplaintIn | None = None


class TicketPatch(Schema):
    subject: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=TEXT)
    kind: Kind | None = None
    priority: Prio | None = None
    channel: Via | None = None
    assignee: str | None = Field(None, max_length=150, description="username; empty: nobody")
    department: str | None = Field(None, max_length=32, description="code; empty: none")
    delivery: int | None = Field(None, ge=1, le=2**62, description="delivery id; null: none")


class MessageIn(Schema):
    body: str = Field(min_length=1, max_length=TEXT)
    public: bool = True
    from_customer: bool = False
    minutes_spent: int = Field(0, ge=0, le=24 * 60, description="Work this message took.")


class MessageOut(Schema):
    id: int
    author: str | None
    public: bool
    from_customer: bool
    body: str
    created_at: dt.datetime
    emailed_to: str
    minutes_spent: int


class StatusIn(Schema):
    status: State
    reason: str = Field("", max_length=500)


class ConfirmIn(Schema):
    reason: str = Field(min_length=1, max_length=500)
    defect: Defect | Literal[""] = ""


class TicketOut(Schema):
    id: int
    number: str
    customer: str
    subject: str
    description: str
    kind: str
    priority: str
    status: str
    channel: str
    assignee: str | None
    department: str | None
    order: str | None
    line: int | None
    delivery: int | None
    created_at: dt.datetime
    first_responded_at: dt.datetime | None
    resolved_at: dt.datetime | None
    policy: str | None
    first_response: TargetOut | None
    resolution: TargetOut | None
    complaint: ComplaintOut | None = None
    messages: list[MessageOut] | None = None
