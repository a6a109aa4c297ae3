"""The team's value scorecards (SPEC 2.9, 4): six monthly periods, the five before this one
closed by the manager, and in each every member of the team scoring themselves and each
peer 1 or 0 on every behaviour, a few with a note in Chinese. This month is partly scored:
some have finished, some have started, some have not begun.

The people behave like people. Each has a true level (how often peers see the behaviour)
and a self-view: 张敏 (staff3) is modest and scores herself below what her peers see; 刘洋
(staff4) rates himself highly while his peers see less; the others are close to the mark.
Raters differ too (a strict one, a lenient one), and everyone gets a little better over the
half year. Draws come from the demo's seed only, so a seed gives the same scorecards.

Bulk writes only: one query for the periods, one per thousand scores.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from kept.demo.context import DemoContext
from kept.demo.people import DEMO_LOGINS
from kept.team.models import BehaviourItem, Period, Score
from kept.team.scorecard import month_of, previous_months

MONTHS = 6
BATCH = 1000
SCORING = {"manager", "staff", "warehouse"}  # the roles that score and are scored
# username → (level: chance peers see the behaviour, self-view: added to it for oneself)
PEOPLE = {
    "manager": (0.80, 0.0),
    "staff1": (0.85, 0.05),
    "staff2": (0.70, 0.0),
    "staff3": (0.82, -0.35),  # modest
    "staff4": (0.50, 0.40),  # sees himself better than his peers do
    "warehouse": (0.72, 0.05),
}
HARSHNESS = {"staff2": -0.12, "warehouse": 0.08}  # a strict rater, a lenient one
ITEM_EASE = (0.08, -0.05, -0.12, -0.02)  # respect is easiest; value-first is hardest
IMPROVEMENT = 0.02  # per month, everyone
NOTE_CHANCE = 0.12
# This month: who has scored everyone, who has scored some (themselves and one or two), who
# has not begun.
FINISHED, STARTED = ("manager", "staff1", "warehouse"), ("staff3",)
# fmt: off
GOOD_NOTES = (
    "客户来电时总是先道谢，态度很好。", "主动帮客户查了上次的订单，客户很满意。",
    "发现客户家里人口变化，主动调整了送米量。", "配送延误不是他的错，但他一直跟进到底。",
    "记得老客户的习惯，送货前先打电话确认。", "把一个快流失的餐馆客户留住了。",
)
WEAK_NOTES = (
    "有一次客户投诉，转给别人后没有再跟进。", "忙的时候对客户有点不耐烦。",
    "只顾完成订单数量，没问客户还需要什么。", "答应回电话，结果忘了。",
    "遇到问题先解释不是自己的责任。",
)
# fmt: on


@dataclass(frozen=True)
class Draft:
    """One score to write, by username and item position (pure: no database)."""

    month: date
    rater: str
    person: str
    item: int
    value: int
    note: str


def team_usernames() -> list[str]:
    return [login.username for login in DEMO_LOGINS if login.role in SCORING]


def _chance(rater: str, person: str, item: int, months_ago: int) -> float:
    level, self_view = PEOPLE.get(person, (0.7, 0.0))
    chance = level + ITEM_EASE[item % len(ITEM_EASE)] - IMPROVEMENT * months_ago
    chance += self_view if rater == person else HARSHNESS.get(rater, 0.0)
    return min(0.97, max(0.03, chance))


def _note(rng: random.Random, value: int) -> str:
    if rng.random() >= NOTE_CHANCE:
        return ""
    return rng.choice(GOOD_NOTES if value else WEAK_NOTES)


def _current_people(rater: str, people: list[str], rng: random.Random) -> list[str]:
    """Whom the rater has scored so far this month."""
    if rater in FINISHED:
        return people
    if rater in STARTED:
        peers = [person for person in people if person != rater]
        return [rater, *rng.sample(peers, 2)]
    return []


def score_drafts(ctx: DemoContext, people: list[str], items: int) -> list[Draft]:
    """Every score of the six months, in a fixed order, drawn from the seed only."""
    rng = ctx.rng("scorecards")
    months = previous_months(ctx.today, MONTHS)
    drafts = []
    for months_ago, month in zip(range(MONTHS - 1, -1, -1), months, strict=True):
        for rater in people:
            scored = _current_people(rater, people, rng) if months_ago == 0 else people
            for person in scored:
                for item in range(items):
                    value = int(rng.random() < _chance(rater, person, item, months_ago))
                    drafts.append(Draft(month, rater, person, item, value, _note(rng, value)))
    return drafts


def _periods(ctx: DemoContext) -> dict[date, Period]:
    """The six months; all but this one closed by the manager on the 3rd of the next."""
    manager = ctx.users.get("manager")
    rows = []
    for first in previous_months(ctx.today, MONTHS):
        start, end = month_of(first)
        period = Period(start=start, end=end)
        if end < ctx.today.replace(day=1):
            closed_on = datetime.combine(end + timedelta(days=3), time(18), tzinfo=ctx.tz)
            period.closed_at, period.closed_by = closed_on, manager
        rows.append(period)
    Period.objects.bulk_create(rows)
    return {
        period.start: period for period in Period.objects.filter(start__in=[p.start for p in rows])
    }


def save_scorecards(ctx: DemoContext) -> dict[str, int]:
    """Write the periods and every score; returns the counts for the summary."""
    people = [name for name in team_usernames() if name in ctx.users]
    items = list(BehaviourItem.objects.active().order_by("position", "id"))
    periods = _periods(ctx)
    drafts = score_drafts(ctx, people, len(items))
    scores = [
        Score(
            period=periods[draft.month],
            item=items[draft.item],
            rater=ctx.users[draft.rater],
            person=ctx.users[draft.person],
            value=draft.value,
            note=draft.note,
        )
        for draft in drafts
    ]
    Score.objects.bulk_create(scores, batch_size=BATCH)
    return {
        "scoring_periods": len(periods),
        "scores": len(scores),
        "score_notes": sum(1 for draft in drafts if draft.note),
    }
