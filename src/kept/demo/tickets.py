"""The demo's tickets as stories: who asked what, when, and what happened after, planned in
business time so that most SLA targets are met and some are not (SPEC 2.6).

Planning only, no writes: ``servicedesk`` plays each story through the desk's actions, which
compute the SLA fields. A story's moments are real: tickets come in day and night (the clock
counts from the next working moment), staff answer in working hours after a delay drawn as a
share of the target, customers answer whenever they like, in the daytime.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from kept.customers.models import Customer
from kept.demo.context import DemoContext
from kept.demo.desk_texts import REOPEN_DONE, TOPICS
from kept.servicedesk import clock
from kept.servicedesk.choices import Channel, TicketStatus

REPLY, NOTE, SAID, STATUS, COMPLAINT, CONFIRM = (
    "reply",
    "note",
    "said",
    "status",
    "complaint",
    "confirm",
)
ZERO, MINUTE, HOUR, DAY = timedelta(0), timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
HISTORY_DAYS = 182  # the desk's history: about six months
RECENT_DAYS = 14  # the last two weeks belong to today's queue, not to the history
BREACH_FIRST, BREACH_RESOLUTION = 0.05, 0.06  # shares of tickets that miss each target
CLOSED_SHARE = 0.6  # resolved tickets closed after a few quiet days
TOPIC_COUNT = 60  # requests, questions and returns in six months at full scale
CHANNELS = {
    "household": (
        (Channel.WECHAT, 50),
        (Channel.PHONE, 35),
        (Channel.WEB, 7),
        (Channel.IN_PERSON, 8),
    ),
    "restaurant": ((Channel.PHONE, 50), (Channel.WECHAT, 40), (Channel.IN_PERSON, 10)),
    "institution": ((Channel.PHONE, 55), (Channel.EMAIL, 25), (Channel.WECHAT, 20)),
}


@dataclass
class Step:
    at: datetime
    do: str  # REPLY, NOTE, SAID, STATUS, COMPLAINT or CONFIRM
    actor: object
    text: str = ""
    status: str = ""
    values: dict | None = None
    defect: str = ""


@dataclass
class Story:
    customer: Customer
    kind: str
    priority: str
    channel: str
    subject: str
    description: str
    created_at: datetime
    assignee: object
    actor: object
    department: Customer | None = None
    delivery: object = None
    complaint: dict | None = None
    steps: list[Step] = field(default_factory=list)
    # hand-offs this ticket asks another department for: (what, the words to fill in)
    handoffs: list[tuple[str, dict]] = field(default_factory=list)
    made_for: Story | None = None  # the ticket a hand-off is made for: it quotes its number
    ticket: object = None  # the ticket, once played

    def add(self, at: datetime, do: str, actor, **details) -> None:
        self.steps.append(Step(at, do, actor, **details))


@dataclass
class Targets:
    """(first response, resolution) per (internal?, priority), as the policies say."""

    by_scope: dict[tuple[bool, str], tuple[timedelta, timedelta]]

    def of(self, customer: Customer, priority: str) -> tuple[timedelta, timedelta]:
        return self.by_scope[(customer.is_internal(), priority)]


class Run:
    """A story's clock while it is planned: the moment reached, and the business time the
    resolution target has used (waiting on the customer stops it)."""

    def __init__(self, calendar: clock.Calendar, start: datetime) -> None:
        self.calendar, self.at, self.used, self.paused = calendar, start, ZERO, False

    def work(self, business: timedelta) -> datetime:
        """Staff act after this much working time."""
        return self._move(self.calendar.add_business_time(self.at, business))

    def wait(self, real: timedelta) -> datetime:
        """The customer (or the next day) comes back after this much real time."""
        return self._move(daytime(self.at + real, self.calendar.tz))

    def _move(self, moment: datetime) -> datetime:
        moment = max(moment, self.at + timedelta(seconds=30))
        if not self.paused:
            self.used += self.calendar.business_time_between(self.at, moment)
        self.at = moment
        return moment


def daytime(moment: datetime, tz) -> datetime:
    """The same moment if it is between 08:00 and 22:00 local time, else the next 08:xx."""
    local = moment.astimezone(tz)
    if 8 <= local.hour < 22:
        return local
    day = local.date() + (DAY if local.hour >= 22 else ZERO)
    return datetime.combine(day, time(8, local.minute), tzinfo=tz)


def business_before(calendar: clock.Calendar, end: datetime, duration: timedelta) -> datetime:
    """The moment ``duration`` of working time before ``end`` (the clock only counts forward:
    walk the working intervals back, day by day)."""
    finish, left = end.astimezone(UTC), duration
    day = end.astimezone(calendar.tz).date()
    for _ in range(3660):
        for start, stop in reversed(calendar.intervals_on(day)):
            stop = min(stop, finish)
            if stop <= start:
                continue
            if stop - start >= left:
                return (stop - left).astimezone(calendar.tz)
            left -= stop - start
        day -= DAY
    raise ValueError("No working time in ten years before that moment.")


class Planner:
    """What every story needs: the demo's context, the calendar, the targets, a random
    stream, who works here, and the moment after which nothing has happened yet."""

    def __init__(
        self, ctx: DemoContext, calendar: clock.Calendar, targets: Targets, now: datetime
    ) -> None:
        self.ctx, self.calendar, self.targets, self.now = ctx, calendar, targets, now
        self.rng = ctx.rng("tickets")
        cutoff = datetime.combine(ctx.today - timedelta(days=2), time(), tzinfo=ctx.tz)
        # History ends before the last two days even when today is ahead of the clock, so
        # that the same seed plays the same history whatever the hour of the build.
        self.horizon = min(now, cutoff)
        self.staff = ctx.staff()
        self._customers: dict[tuple[str, ...], list[Customer]] = {}

    @property
    def first_day(self) -> date:
        return self.ctx.today - timedelta(days=HISTORY_DAYS)

    @property
    def last_day(self) -> date:
        return self.ctx.today - timedelta(days=RECENT_DAYS)

    def share(self, target: timedelta, breach: float) -> timedelta:
        """How long staff take against a target: mostly well within it, now and then over."""
        rng = self.rng
        if rng.random() < breach:
            return target * rng.uniform(1.1, 2.0)
        return max(5 * MINUTE, target * (0.05 + 0.8 * rng.betavariate(1.3, 3)))

    def moment(self, day: date, office: float = 0.7) -> datetime:
        """A moment someone contacts us on ``day``: mostly office hours, else the evening."""
        rng = self.rng
        if rng.random() < office:
            minute = rng.randint(9 * 60, 17 * 60 + 50)
        else:
            minute = rng.choice(
                [rng.randint(7 * 60, 8 * 60 + 50), rng.randint(18 * 60, 21 * 60 + 50)]
            )
        return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self.ctx.tz)

    def history_day(self) -> date:
        return self.first_day + timedelta(
            days=self.rng.randrange((self.last_day - self.first_day).days)
        )

    def assignee_of(self, customer: Customer):
        """Mostly the customer's owner; now and then a colleague who took the call."""
        if customer.owner_id and self.rng.random() < 0.88:
            return customer.owner
        return self.rng.choice(self.staff)

    def channel(self, customer: Customer) -> str:
        options = CHANNELS.get(customer.group.code, CHANNELS["household"])
        return self.rng.choices([c for c, _w in options], weights=[w for _c, w in options])[0]

    def flow(
        self,
        story: Story,
        *,
        first: str,
        done: str,
        ask: tuple[str, str] | None = None,
        notes: tuple[str, ...] = (),
        before_done: list[tuple[str, dict]] | None = None,
        reopen: str = "",
    ) -> datetime:
        """The usual life of a ticket: a first reply, perhaps a question back and the
        customer's answer (the clock waits), internal notes, what is recorded just before
        (``before_done``: the complaint's form), the resolving reply, perhaps a reopening,
        and often closing after a quiet week. Steps after the history's horizon are left out.
        Returns the moment it was resolved (the first time)."""
        first_target, resolution_target = self.targets.of(story.customer, story.priority)
        run, staff = Run(self.calendar, story.created_at), story.assignee
        story.add(run.work(self.share(first_target, BREACH_FIRST)), REPLY, staff, text=first)
        if ask:
            self._ask(story, run, *ask)
        for note in notes:
            story.add(run.work(self.rng.randint(10, 90) * MINUTE), NOTE, staff, text=note)
        budget = self.share(resolution_target, BREACH_RESOLUTION)
        run.work(max(10 * MINUTE, budget - run.used))
        for do, details in before_done or ():
            story.add(run.at, do, staff, **details)
        self._resolve(story, run, done)
        resolved = run.at
        if reopen:
            self._reopen(story, run, reopen)
        if self.rng.random() < CLOSED_SHARE:  # after a quiet week, on a working day
            run.wait(self.rng.randint(3, 8) * DAY)
            closed = run.work(self.rng.randint(5, 120) * MINUTE)
            story.add(closed, STATUS, staff, status=TicketStatus.CLOSED)
        self.cut(story, self.horizon)
        return resolved

    def _ask(self, story: Story, run: Run, question: str, answer: str) -> None:
        staff = story.assignee
        story.add(run.work(self.rng.randint(5, 30) * MINUTE), REPLY, staff, text=question)
        story.add(run.at + MINUTE, STATUS, staff, status=TicketStatus.WAITING_CUSTOMER)
        run.paused = True
        story.add(run.wait(self.rng.randint(1, 30) * HOUR), SAID, staff, text=answer)
        run.paused = False

    def _reopen(self, story: Story, run: Run, said: str) -> None:
        """The customer comes back: the ticket reopens and its resolution clock resumes."""
        staff = story.assignee
        story.add(run.wait(self.rng.randint(6, 40) * HOUR), STATUS, staff, status=TicketStatus.OPEN)
        story.add(run.at + MINUTE, SAID, staff, text=said)
        run.work(self.rng.randint(30, 240) * MINUTE)
        self._resolve(story, run, self.rng.choice(REOPEN_DONE))

    def _resolve(self, story: Story, run: Run, text: str) -> None:
        story.add(run.at, REPLY, story.assignee, text=text)
        story.add(run.at + MINUTE, STATUS, story.assignee, status=TicketStatus.RESOLVED)

    @staticmethod
    def cut(story: Story, horizon: datetime) -> None:
        """What had not happened by ``horizon`` is left out: the ticket stays where it got."""
        story.steps = [step for step in story.steps if step.at <= horizon]

    def customers(self, groups: tuple[str, ...]) -> list[Customer]:
        """Active external customers of the groups who write Chinese, in code order."""
        if groups not in self._customers:
            self._customers[groups] = list(
                Customer.objects.filter(
                    group__code__in=groups, kind="external", is_active=True, language="zh-hans"
                )
                .select_related("group", "owner")
                .order_by("code")
            )
        return self._customers[groups]


def topic_stories(planner: Planner) -> list[Story]:
    """Requests, questions and returns from the last six months (the complaints are in
    ``complaints``)."""
    rng, stories = planner.rng, []
    by_group = {g: planner.customers((g,)) for g in ("household", "restaurant", "institution")}
    for _ in range(planner.ctx.count(TOPIC_COUNT, minimum=6)):
        groups, kind, priority, subject, said, first, done, question, answer = rng.choice(TOPICS)
        pool = by_group[rng.choice(groups)] or by_group["household"]
        customer = rng.choice(pool)
        assignee = planner.assignee_of(customer)
        story = Story(
            customer=customer,
            kind=kind,
            priority=priority,
            channel=planner.channel(customer),
            subject=subject,
            description=said,
            created_at=planner.moment(planner.history_day()),
            assignee=assignee,
            actor=assignee,
        )
        planner.flow(story, first=first, done=done, ask=(question, answer) if question else None)
        stories.append(story)
    return stories


def pick(rng: random.Random, items: list, weights: list[float], count: int) -> list:
    """``count`` items without replacement, each as likely as its weight (keys u^(1/w):
    Efraimidis & Spirakis 2006)."""
    keyed = sorted(
        ((rng.random() ** (1 / w), index) for index, w in enumerate(weights) if w > 0),
        reverse=True,
    )
    return [items[index] for _key, index in keyed[:count]]
