"""A year of surveys (SPEC 2.6): asked after delivered orders and resolved tickets, at most one
per customer in the policy's quiet days, answered by about four in ten.

Satisfaction is not service level, and the answers show it: restaurants get their promises
kept more often than the canteens do, yet are the least satisfied (prices, the tight morning
window); the canteens, on fixed tender prices, are the most satisfied of all; households in
成华区, whose Saturday deliveries often slip to Monday, are warmer than any other households.
Scores come from a shuffled deck per segment, so that even a small demo shows its segment's
mix. Departments rate the hand-offs they asked for, and are blunt about it.

Who has an address gets the automatic survey; restaurants and canteens without one get the
link from their account manager on WeChat now and then (sent by hand). Rows are written in
bulk, each with a 256-bit token drawn from the seed (only its digest is stored, as the desk
does), and every answer is noted on the customer's timeline as the answer page would.
"""

from __future__ import annotations

import base64
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Max
from django.utils import timezone

from kept.customers.choices import InteractionKind
from kept.customers.models import Contact, Customer, Interaction
from kept.demo.context import DemoContext
from kept.demo.survey_texts import COMMENTS, ENGLISH
from kept.feedback.choices import Trigger
from kept.feedback.models import Survey, SurveyPolicy
from kept.fulfilment.models import Delivery
from kept.fulfilment.queries import with_delivery_state
from kept.promising.choices import LineStatus
from kept.promising.models import OrderLine
from kept.servicedesk.choices import DONE_STATUSES, SlaState, TicketKind
from kept.servicedesk.models import Ticket

SURVEY_DAYS = 365
BATCH = 1000
LATE_REGION = "cd-chenghua"
# Of 20 answers, how many give 1, 2, 3, 4, 5.
DECKS = {
    "household": (1, 1, 2, 8, 8),  # 80 % satisfied
    "chenghua": (0, 0, 2, 6, 12),  # 90 %
    "restaurant": (1, 3, 6, 6, 4),  # 50 %
    "institution": (0, 1, 1, 7, 11),  # 90 %
    "internal": (1, 2, 4, 9, 4),  # 65 %
}
ANSWERED = {
    "household": 0.42,
    "chenghua": 0.46,
    "restaurant": 0.33,
    "institution": 0.55,
    "internal": 0.72,
}
AFTER_TICKET = 0.08  # more answers after a ticket: the customer has just talked to us
NPS_OF_CSAT = {
    1: (0, 1, 2, 3),
    2: (2, 3, 4, 5),
    3: (5, 6, 6, 7),
    4: (7, 8, 8, 9),
    5: (8, 9, 10, 10),
}
COMMENTED = {1: 0.85, 2: 0.85, 3: 0.6, 4: 0.4, 5: 0.45}
MANUAL_GAP = (35, 70)  # days between two links sent by hand


@dataclass
class Ask:
    """A moment the policy would ask a customer."""

    customer: Customer
    at: datetime
    trigger: str
    order_id: int | None = None
    ticket: Ticket | None = None
    staff: object = None


def save_surveys(ctx: DemoContext) -> dict[str, int]:
    """Every survey the policy would have sent in the last year, and the answers. Returns
    counts for the summary."""
    now, policy = timezone.now(), SurveyPolicy.current()
    rng = ctx.rng("surveys")
    addresses = _addresses()
    asks = _after_deliveries(ctx, rng, addresses, now) + _after_tickets(addresses, now)
    surveys = _within_quiet_days(asks, policy.quiet_days)
    answers = _Answers(rng, now, ctx.tz)
    rows = [answers.survey(ask, addresses, policy.expiry_days) for ask in surveys]
    Survey.objects.bulk_create(rows, batch_size=BATCH)
    answered = [row for row in rows if row.answered_at is not None]
    if answered and answered[0].pk is None:  # a database that returns no ids from a bulk insert
        ids = dict(Survey.objects.values_list("token_digest", "pk"))
        for row in answered:
            row.pk = ids[row.token_digest]
    Interaction.objects.bulk_create([_noted(row) for row in answered], batch_size=BATCH)
    return {"surveys": len(rows), "survey_answers": len(answered)}


def _addresses() -> dict[int, str]:
    """Each customer's survey address: their email, else their first contact's (the primary
    first), as ``feedback.actions.recipient`` finds it."""
    found = dict(Customer.objects.exclude(email="").values_list("pk", "email"))
    contacts = Contact.objects.exclude(email="").order_by("customer_id", "-is_primary", "name")
    for customer_id, email in contacts.values_list("customer_id", "email"):
        found.setdefault(customer_id, email)
    return found


def segment(customer: Customer) -> str:
    """Whose deck a customer's answers are dealt from."""
    if customer.is_internal():
        return "internal"
    if customer.group.code == "household" and customer.region.code == LATE_REGION:
        return "chenghua"
    return customer.group.code


def _after_deliveries(ctx, rng, addresses: dict[int, str], now: datetime) -> list[Ask]:
    """Fully delivered orders of the last year: the survey goes when the last delivery is
    recorded, or, without an address, the next working day by the account manager."""
    since = ctx.today - timedelta(days=SURVEY_DAYS)
    customers = {
        c.pk: c
        for c in Customer.objects.filter(kind="external", is_active=True).select_related(
            "group", "region", "owner"
        )
    }
    asks, next_link = [], {}
    for order_id, customer_id, recorded in _delivered_orders(since):
        customer = customers.get(customer_id)
        if customer is None or recorded > now:
            continue
        if customer_id in addresses:
            asks.append(Ask(customer, recorded, Trigger.DELIVERY, order_id, staff=customer.owner))
        elif customer.group.code != "household":
            at = _next_working_day(recorded, rng, ctx.tz)
            gap = timedelta(days=rng.randint(*MANUAL_GAP))
            if at < next_link.get(customer_id, at) or at > now:
                continue
            asks.append(Ask(customer, at, Trigger.MANUAL, staff=customer.owner))
            next_link[customer_id] = at + gap
    return asks


def _delivered_orders(since) -> list[tuple[int, int, datetime]]:
    """(order, customer, when its last delivery was recorded) of the orders whose every
    promised line was delivered in full, in time order (``feedback.queries.is_fully_delivered``
    for all of them at once)."""
    lines = with_delivery_state(
        OrderLine.objects.filter(
            order__cancelled_at__isnull=True,
            governing_date__gte=since,
            order__customer__kind="external",
        ).exclude(status__in=[LineStatus.DECLINED, LineStatus.CANCELLED])
    ).values_list("order_id", "order__customer_id", "status", "delivered", "promised_quantity")
    complete: dict[int, bool] = {}
    owner = {}
    for order_id, customer_id, status, delivered, promised in lines:
        done = status == LineStatus.PROMISED and promised is not None and delivered >= promised
        complete[order_id] = complete.get(order_id, True) and done
        owner[order_id] = customer_id
    done_ids = [pk for pk, ok in complete.items() if ok]
    recorded = (
        Delivery.objects.filter(line__order_id__in=done_ids)
        .values("line__order_id")
        .annotate(last=Max("created_at"))
        .values_list("line__order_id", "last")
    )
    return sorted(((pk, owner[pk], at) for pk, at in recorded), key=lambda row: (row[2], row[0]))


def _next_working_day(moment: datetime, rng: random.Random, tz) -> datetime:
    day = moment.astimezone(tz).date() + timedelta(days=1)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(rng.randint(10, 16), rng.randrange(60)), tzinfo=tz)


def _after_tickets(addresses: dict[int, str], now: datetime) -> list[Ask]:
    """Resolved tickets: customers rate the ticket, departments the hand-off (the assignee)."""
    tickets = Ticket.objects.filter(
        status__in=DONE_STATUSES, resolved_at__isnull=False, resolved_at__lte=now
    ).select_related("customer__group", "customer__region", "assignee")
    asks = []
    for ticket in tickets.order_by("resolved_at", "pk"):
        customer = ticket.customer
        if customer.pk not in addresses:
            continue
        internal = customer.is_internal() or ticket.kind == TicketKind.HANDOFF
        trigger = Trigger.HANDOFF if internal else Trigger.TICKET
        at = ticket.resolved_at + timedelta(minutes=1)
        asks.append(Ask(customer, at, trigger, ticket=ticket, staff=ticket.assignee))
    return asks


def _within_quiet_days(asks: list[Ask], quiet_days: int) -> list[Ask]:
    """The asks the policy lets through: none within ``quiet_days`` of the last survey sent to
    the same customer (as ``feedback.actions.send_survey`` refuses them)."""
    last: dict[int, datetime] = {}
    kept = []
    for ask in sorted(asks, key=lambda a: (a.at, a.customer.pk)):
        previous = last.get(ask.customer.pk)
        if previous is not None and ask.at - previous < timedelta(days=quiet_days):
            continue
        last[ask.customer.pk] = ask.at
        kept.append(ask)
    return kept


class _Answers:
    """Who answers, when, and what: scores dealt from each segment's deck."""

    def __init__(self, rng: random.Random, now: datetime, tz) -> None:
        self.rng, self.now, self.tz = rng, now, tz
        self.decks: dict[str, list[int]] = defaultdict(list)

    def survey(self, ask: Ask, addresses: dict[int, str], expiry_days: int) -> Survey:
        expires = ask.at + timedelta(days=expiry_days)
        survey = Survey(
            customer=ask.customer,
            trigger=ask.trigger,
            order_id=ask.order_id,
            ticket=ask.ticket,
            staff=ask.staff,
            language=ask.customer.language,
            token_digest=Survey.digest_of(self._token()),
            sent_at=ask.at,
            expires_at=expires,
            sent_to="" if ask.trigger == Trigger.MANUAL else addresses.get(ask.customer.pk, ""),
        )
        kind = segment(ask.customer)
        chance = ANSWERED[kind] + (AFTER_TICKET if ask.ticket is not None else 0)
        if self.rng.random() < chance:
            # drawn in full either way, so that the clock never shifts the stream of answers
            answered, scores = self._when(ask.at), self._scores(kind, ask)
            if answered < min(expires, self.now):
                survey.answered_at = answered
                survey.csat, survey.nps, survey.comment = scores
        return survey

    def _token(self) -> str:
        """256 random bits from the seed, written as ``secrets.token_urlsafe(32)`` writes them."""
        raw = self.rng.getrandbits(256).to_bytes(32, "big")
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    def _when(self, sent: datetime) -> datetime:
        rng = self.rng
        roll = rng.random()
        if roll < 0.45:
            delay = timedelta(minutes=rng.randint(5, 180))
        elif roll < 0.8:
            delay = timedelta(hours=rng.randint(3, 30))
        else:
            delay = timedelta(hours=rng.randint(36, 240))
        answered = (sent + delay).astimezone(self.tz)
        if answered.hour < 7:  # nobody answers in the small hours: in the morning
            answered = answered.replace(hour=7 + rng.randint(0, 2), minute=rng.randrange(60))
        return answered

    def _scores(self, kind: str, ask: Ask) -> tuple[int, int | None, str]:
        """(CSAT, NPS or None, comment) of one answer."""
        rng = self.rng
        csat = self._deal(kind)
        if ask.ticket is not None and ask.ticket.resolution_state == SlaState.BREACHED:
            csat = max(1, csat - 1)  # a ticket resolved late leaves a mark
        nps = None if rng.random() < 0.08 else rng.choice(NPS_OF_CSAT[csat])
        comment = ""
        if rng.random() < COMMENTED[csat]:
            band = "good" if csat >= 4 else "middling" if csat == 3 else "bad"
            pool = ENGLISH if ask.customer.language == "en" else COMMENTS[kind]
            comment = rng.choice(pool[band])
        return csat, nps, comment

    def _deal(self, kind: str) -> int:
        deck = self.decks[kind]
        if not deck:
            deck.extend(score for score, count in enumerate(DECKS[kind], 1) for _ in range(count))
            self.rng.shuffle(deck)
        return deck.pop()


def _noted(survey: Survey) -> Interaction:
    """The answer on the customer's timeline, as ``feedback.actions.answer`` notes it."""
    scores = [f"CSAT {survey.csat}/5"]
    if survey.nps is not None:
        scores.append(f"NPS {survey.nps}/10")
    head = " · ".join(scores)
    return Interaction(
        customer=survey.customer,
        kind=InteractionKind.SURVEY,
        occurred_at=survey.answered_at,
        summary=f"{head}\n{survey.comment}" if survey.comment else head,
        reference=survey.number,
        created_at=survey.answered_at,
    )
