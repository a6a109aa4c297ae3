"""Two years of leads through the funnel of a rice and oil distributor (SPEC 2.8, 4).

People hear of us from neighbours (referral), walk into the shop, ring, find the WeChat
shop or meet us at community events; each lead is owned by one of the demo staff. Walk-ins
are visiting already; the others visit, buy (and become customers in the notebook, with
the lead's history as notes) and some come back or bring a friend. Those who stop are
marked lost a few weeks later, with a reason.

Conversion per channel is spread evenly over time (error diffusion, not coin flips), so
every month sits near its rates whatever the scale. In the last four months a competitor's
opening offer cut visit → purchase to about two thirds of its usual rate: over the rolling
window that stage is below its 60 % target, and it is the only one, so the funnel check
raises one alert.

Bulk writes only: one query per kind of row (and batches)."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from kept.customers.models import Customer, Interaction
from kept.demo.context import HISTORY_DAYS, DemoContext
from kept.demo.names import person_name
from kept.pipeline import actions
from kept.pipeline.models import Lead, Stage, StageEntry
from kept.pipeline.tasks import check_funnel

BATCH = 1000
PER_MONTH = 60  # leads a month at full scale: won leads add to the demo's ~2,100 customers
RECENT_MINIMUM = 45  # leads a month in the last quarter, even in a small demo: enough to judge
INQUIRY_TARGET = 53  # the business's own target at full scale (the default is 500)
SLUMP_DAYS = 120  # the competitor opened this long ago
SLUMP = 0.65  # visit → purchase since then, as a share of the usual rate
LOSE_AFTER = (14, 28)  # days without a move before a lead is marked lost
# channel: (share of leads, inquiry → visit, visit → purchase)
CHANNELS = {
    "referral": (0.20, 0.90, 0.80),
    "walk_in": (0.20, 1.00, 0.70),
    "phone": (0.15, 0.75, 0.68),
    "online": (0.30, 0.70, 0.62),
    "event": (0.10, 0.80, 0.65),
    "other": (0.05, 0.70, 0.60),
}
REPEAT = 0.30  # purchase → repeat / referral
# fmt: off
NOTES = ("家里五口人，想试试东北大米", "邻居推荐来的，问有没有送货上门", "问花生油有没有小桶装",
         "老人在家，白天送货方便", "想要每月固定送一次", "开小饭馆，先买一袋试试",
         "问能不能开发票", "对价格比较在意")
LOST = ("嫌价格贵，去超市买了", "对面新开的粮油店有开业优惠", "搬家了，不在配送范围",
        "联系不上", "家里还有米，暂时不需要", "只是问问价格")
# fmt: on


@dataclass
class Path:
    """One lead's way through the funnel: when it entered each stage (index 0 first)."""

    channel: str
    created: datetime
    entered: list[datetime] = field(default_factory=list)


class Diffuser:
    """Error diffusion per channel: a lead converts when the accumulated rate reaches 1."""

    def __init__(self) -> None:
        self.carry: dict[str, float] = defaultdict(float)

    def convert(self, key: str, rate: float) -> bool:
        self.carry[key] += rate
        if self.carry[key] >= 1:
            self.carry[key] -= 1
            return True
        return False


def _monthly(ctx: DemoContext, days_ago: int) -> float:
    full = ctx.count(PER_MONTH)
    return max(full, RECENT_MINIMUM) if days_ago <= 92 else full


def _paths(ctx: DemoContext, rng: random.Random, cutoff: datetime) -> list[Path]:
    """Every lead of the history, oldest first, with the stages it reached before cutoff."""
    names, shares = list(CHANNELS), [share for share, _v, _p in CHANNELS.values()]
    visits, purchases, repeats = Diffuser(), Diffuser(), Diffuser()
    paths, owed = [], 0.0
    for days_ago in range(HISTORY_DAYS, 0, -1):
        owed += _monthly(ctx, days_ago) * 12 / 365.25
        today, owed = int(owed), owed - int(owed)
        for _ in range(today):
            channel = rng.choices(names, weights=shares)[0]
            _share, to_visit, to_buy = CHANNELS[channel]
            at = ctx.at(days_ago, rng.randint(9, 19), rng.randrange(60))
            path = Path(channel, at, [at])
            if days_ago < SLUMP_DAYS:
                to_buy *= SLUMP
            steps = [  # (converts, hours until the next stage: from, to)
                (visits.convert(channel, to_visit), (0, 0) if channel == "walk_in" else (2, 168)),
                (purchases.convert(channel, to_buy), (1, 168)),
                (repeats.convert("all", REPEAT), (72, 336)),
            ]
            for converts, hours in steps:
                if not converts:
                    break
                later = path.entered[-1] + timedelta(hours=rng.uniform(*hours))
                if later >= cutoff:
                    break
                path.entered.append(later)
            paths.append(path)
    return paths


def _lead(ctx: DemoContext, rng: random.Random, path: Path, stages: list[Stage], won: int,
          cutoff: datetime) -> Lead:  # fmt: skip
    person = person_name(rng)
    lead = Lead(
        name=person.name,
        phone=ctx.phones.mobile(),
        channel=path.channel,
        owner=rng.choice(ctx.staff()),
        stage=stages[len(path.entered) - 1],
        note=rng.choice(NOTES) if rng.random() < 0.3 else "",
        created_at=path.created,
    )
    stuck_since = path.entered[-1]
    lost_at = stuck_since + timedelta(days=rng.randint(*LOSE_AFTER))
    if len(path.entered) <= won and lost_at < cutoff:  # stopped before buying
        lead.lost_at, lead.lost_reason = lost_at, rng.choice(LOST)
    return lead


def _entries(leads: list[Lead], paths: list[Path], stages: list[Stage]) -> list[StageEntry]:
    return [
        StageEntry(lead=lead, stage=stages[i], entered_at=at, entered_by=lead.owner)
        for lead, path in zip(leads, paths, strict=True)
        for i, at in enumerate(path.entered)
    ]


def _customers(won: list[Lead], at_won: dict[int, datetime]) -> list[Customer]:
    """Won leads as customers of the notebook, dated the day they bought."""
    found = []
    for number, lead in enumerate(won, start=1):
        # numbered in the order won, not by the lead's id: the same seed gives the same codes
        # in a database whose ids have moved on (a rebuilt demo)
        values = actions.customer_values(lead, f"L{number:06d}")
        found.append(Customer(**values, created_at=at_won[lead.pk]))
    return Customer.objects.bulk_create(found, batch_size=BATCH)


def _histories(won: list[Lead], entries_of: dict[int, list[StageEntry]]) -> int:
    rows = [
        note for lead in won for note in actions.history(lead, entries_of[lead.pk], lead.customer)
    ]
    Interaction.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def set_targets(ctx: DemoContext) -> None:
    """The distributor's own inquiry target, scaled like the demo."""
    first = Stage.objects.order_by("position").first()
    first.monthly_target = ctx.count(INQUIRY_TARGET)
    first.save(update_fields=["monthly_target"])


def save_leads(ctx: DemoContext) -> dict:
    """Write the leads, their stage entries, the customers won with their notebook history,
    and run the funnel check. Returns counts for the demo summary."""
    rng = ctx.rng("leads")
    set_targets(ctx)
    stages = list(Stage.objects.order_by("position"))
    won_index = next(i for i, stage in enumerate(stages) if stage.is_won)
    cutoff = datetime.combine(ctx.today, time.min, tzinfo=ctx.tz)
    paths = _paths(ctx, rng, cutoff)
    leads = [_lead(ctx, rng, path, stages, won_index, cutoff) for path in paths]
    leads = Lead.objects.bulk_create(leads, batch_size=BATCH)
    entries = StageEntry.objects.bulk_create(_entries(leads, paths, stages), batch_size=BATCH)
    entries_of = defaultdict(list)
    for entry in entries:
        entries_of[entry.lead.pk].append(entry)
    won = [lead for lead, path in zip(leads, paths, strict=True) if len(path.entered) > won_index]
    at_won = {lead.pk: entries_of[lead.pk][won_index].entered_at for lead in won}
    for lead, customer in zip(won, _customers(won, at_won), strict=True):
        lead.customer = customer
    Lead.objects.bulk_update(won, ["customer"], batch_size=BATCH)
    notes = _histories(won, entries_of)
    alerts = check_funnel()
    lost = sum(1 for lead in leads if lead.lost_at)
    return {"leads": len(leads), "leads_won": len(won), "leads_lost": lost,
            "lead_notes": notes, "funnel_alerts": alerts["alerts"]}  # fmt: skip
