"""Reads for proactive replenishment: every active subscription's history in a few queries,
the forecast core over all of them at once, today's plan, one container's outlook.

The fills are the deliveries of the subscribed product to the customer; readings and visit
feedback are ``Reading`` rows. The population prior of each product is fitted on all its
subscriptions (SPEC 2.5)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from django.db import connection
from django.utils import timezone

from kept.replenishment import forecast, history, many, reading
from kept.replenishment import plan as plan_core
from kept.replenishment.choices import FillPolicy, Outcome, ReadingSource
from kept.replenishment.models import Proposal, Subscription
from kept.replenishment.population import PopulationPrior

LEAD_DAYS, BUFFER_DAYS, RISK = 1, 1, 0.1
LAPSED_DAYS = 30  # expected to have run out longer ago than this: buying elsewhere
# Goods come in whole units (bags, bottles): filling "to capacity" leaves the container half
# a unit below the brim on average (``history``'s step), in the product's unit.
UNIT_OF_SALE = 1.0
DAYS_PER_FILL = 30  # the prior of a product nobody has history for: a full container a month

_FILLS = """
    SELECT s.id, MIN(d.delivered_on), SUM(d.quantity)
      FROM replenishment_subscription s
      JOIN promising_order o ON o.customer_id = s.customer_id
      JOIN promising_orderline l ON l.order_id = o.id AND l.product_id = s.product_id
      JOIN fulfilment_delivery d ON d.line_id = l.id
     WHERE s.is_active {only} AND d.delivered_on <= %(today)s
     GROUP BY s.id, l.id"""  # one fill per order line: a short pick topped up later is one fill
_READINGS = """
    SELECT r.subscription_id, r.day, r.level, r.source
      FROM replenishment_reading r
      JOIN replenishment_subscription s ON s.id = r.subscription_id
     WHERE s.is_active {only} AND r.day <= %(today)s"""


def business_today() -> date:
    return timezone.localdate()


@dataclass
class Book:
    """Every subscription in scope, as arrays in the order of ``ids``."""

    today: date
    ids: np.ndarray
    product: np.ndarray
    capacity: np.ndarray
    people: np.ndarray
    fixed: np.ndarray  # fixed quantity, NaN for fill to capacity
    last_day: np.ndarray  # day numbers (date.toordinal); NaN: no known level
    last_level: np.ndarray
    belief: forecast.RateBelief
    priors: dict[int, PopulationPrior] = field(default_factory=dict)

    def index(self, subscription_id: int) -> int:
        return int(np.flatnonzero(self.ids == subscription_id)[0])


def _events(today: date, only: str, params: dict) -> tuple[list, list]:
    params = {**params, "today": today}
    with connection.cursor() as cursor:
        cursor.execute(_FILLS.format(only=only), params)  # noqa: S608 (fixed text)
        fills = cursor.fetchall()
        cursor.execute(_READINGS.format(only=only), params)  # noqa: S608 (fixed text)
        readings = cursor.fetchall()
    return fills, readings


def events_of(rows, fills, readings) -> dict[int, list]:
    """Each subscription's events (``history.fill``, ``reading``, ``feedback``). A delivery
    bigger than the container (a banquet, stock for the storeroom) fills it and no more:
    the rest is not in the jar."""
    events: dict[int, list] = {row[0]: [] for row in rows}
    capacity = {row[0]: float(row[2]) for row in rows}
    for pk, day, quantity in fills:
        events[pk].append(history.fill(reading.day_number(day), min(float(quantity), capacity[pk])))
    for pk, day, level, source in readings:
        make = history.feedback if source == ReadingSource.FEEDBACK else history.reading
        events[pk].append(make(reading.day_number(day), min(float(level), capacity[pk])))
    return events


def policy_of(policy: str) -> history.FillPolicy:
    if policy == FillPolicy.TO_CAPACITY:
        return history.FillPolicy.TO_CAPACITY
    return history.FillPolicy.FIXED_QUANTITY


def _subscriptions(
    product_id: int | None, subscription_id: int | None = None
) -> tuple[list, str, dict]:
    """The active subscriptions (id, product, capacity, people, policy, fixed quantity), and
    the SQL condition and parameters that pick their events; all, one product's
    (``product_id``) or one subscription (``subscription_id``)."""
    found = Subscription.objects.filter(is_active=True)
    only, params = "", {}
    if product_id is not None:
        found = found.filter(product_id=product_id)
        only, params = "AND s.product_id = %(product)s", {"product": product_id}
    if subscription_id is not None:
        found = found.filter(pk=subscription_id)
        only, params = "AND s.id = %(subscription)s", {"subscription": subscription_id}
    rows = list(
        found.order_by("id").values_list(
            "id", "product_id", "capacity", "people", "fill_policy", "fixed_quantity"
        )
    )
    return rows, only, params


def _rows(today: date, product_id: int | None = None) -> tuple[list, list, list]:
    """The active subscriptions, their fills (id, day, quantity: one per order line) and
    readings (id, day, level, source) up to ``today``."""
    rows, only, params = _subscriptions(product_id)
    return (rows, *_events(today, only, params))


def rows_and_events(today: date, product_id: int | None = None) -> tuple[list, dict]:
    """The active subscriptions and each one's events (``history`` events) up to ``today``."""
    rows, fills, readings = _rows(today, product_id)
    return rows, events_of(rows, fills, readings)


def _part(exposure: history.Exposure, mine: np.ndarray) -> history.Exposure:
    """The intervals of subscriptions ``mine`` (indices), numbered ``0 … len(mine) − 1``."""
    renumber = np.full(exposure.count, -1, dtype=np.int64)
    renumber[mine] = np.arange(mine.size)
    keep = renumber[exposure.subscription] >= 0
    return history.Exposure(
        subscription=renumber[exposure.subscription[keep]],
        units=exposure.units[keep],
        days=exposure.days[keep],
        censored=exposure.censored[keep],
        count=int(mine.size),
    )


def prior_of(exposure: history.Exposure, people: np.ndarray, capacity: np.ndarray):
    units, days = exposure.totals()
    if days.sum() <= 0:  # nothing observed yet: a full container a month
        rate = float(np.mean(capacity / people)) / DAYS_PER_FILL
        return PopulationPrior(rate_per_person=rate)
    return forecast.fit_prior(exposure, people)


def load(today: date | None = None, *, product_id: int | None = None) -> Book:
    """The forecast of every active subscription (of one product: ``product_id``); each
    product's prior is fitted on all its subscriptions."""
    today = today or business_today()
    return _book(today, *_subscriptions(product_id))


def _book(today: date, rows: list, only: str, params: dict, given: dict | None = None) -> Book:
    """The forecast of the subscriptions ``rows`` (``_subscriptions``); each product's prior
    from ``given`` (product id → prior), else fitted on the subscriptions of ``rows``."""
    ids = np.array([row[0] for row in rows], dtype=np.int64)
    product = np.array([row[1] for row in rows], dtype=np.int64)
    capacity = np.array([float(row[2]) for row in rows])
    people = np.array([float(row[3]) for row in rows])
    fixed = np.array([float(row[5]) if row[5] is not None else np.nan for row in rows])
    policy = np.array(
        [
            many.FillPolicyCode.TO_CAPACITY
            if row[4] == FillPolicy.TO_CAPACITY
            else many.FillPolicyCode.FIXED_QUANTITY
            for row in rows
        ],
        dtype=np.int8,
    )
    found = many.read_many(
        *reading.events(ids, capacity, today, only, params, lambda: _events(today, only, params)),
        capacity,
        policy,
        step=np.full(len(rows), UNIT_OF_SALE),
    )
    shape, rate, dispersion = (np.zeros(len(rows)) for _ in range(3))
    priors = {}
    for pk in np.unique(product):
        mine = np.flatnonzero(product == pk)
        exposure = _part(found.exposure, mine)
        prior = (given or {}).get(int(pk))
        if prior is None:
            prior = prior_of(exposure, people[mine], capacity[mine])
        belief = forecast.posterior(prior, people[mine], exposure)
        shape[mine], rate[mine], dispersion[mine] = belief.shape, belief.rate, belief.dispersion
        priors[int(pk)] = prior
    last_day, last_level = found.last_day, found.last_level
    return Book(
        today,
        ids,
        product,
        capacity,
        people,
        fixed,
        last_day,
        last_level,
        forecast.RateBelief(shape, rate, dispersion),
        priors,
    )


def _subset(book: Book, keep: np.ndarray) -> Book:
    return Book(
        book.today,
        book.ids[keep],
        book.product[keep],
        book.capacity[keep],
        book.people[keep],
        book.fixed[keep],
        book.last_day[keep],
        book.last_level[keep],
        book.belief[keep],
        book.priors,
    )


def _known(book: Book) -> np.ndarray:
    """Subscriptions with a known level (a fill or a reading): the others cannot be planned."""
    return np.isfinite(book.last_day)


@dataclass(frozen=True)
class Proposed:
    """A refill the plan proposes."""

    subscription: Subscription
    plan_date: date
    delivery_date: date
    quantity: float
    level_today: float
    expected_runout: date | None
    risk_date: date

    @property
    def customer(self):
        return self.subscription.customer


def _date(day: float) -> date | None:
    return date.fromordinal(int(np.floor(day))) if np.isfinite(day) else None


def _settled_today(day: date) -> set[int]:
    """Subscriptions already answered for this plan day, or postponed past it."""
    answered = Proposal.objects.filter(plan_date=day).values_list("subscription_id", flat=True)
    postponed = Proposal.objects.filter(
        outcome=Outcome.POSTPONED, postponed_until__gt=day
    ).values_list("subscription_id", flat=True)
    return set(answered) | set(postponed)


def _on_order() -> set[tuple[int, int]]:
    """(customer, product) with a promise still open: already on its way."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT o.customer_id, c.product_id FROM promising_commitment c"
            " JOIN promising_orderline l ON l.id = c.line_id"
            " JOIN promising_order o ON o.id = l.order_id WHERE c.is_open"
        )
        return set(cursor.fetchall())


def todays_plan(
    day: date,
    *,
    lead_days: int = LEAD_DAYS,
    buffer_days: int = BUFFER_DAYS,
    risk: float = RISK,
    book: Book | None = None,
) -> list[Proposed]:
    """The subscriptions likely to run out before ``day + lead + buffer``, most urgent
    first, with the quantity to bring (SPEC 2.5). Those answered today, postponed, with an
    order on its way, or expected to have run out more than ``LAPSED_DAYS`` ago (the
    customer buys elsewhere: a call, not a refill) are left out."""
    book = book or load(day)
    known = _subset(book, _known(book))
    if not len(known.ids):
        return []
    found = plan_core.plan(
        known.belief,
        known.last_level,
        known.last_day,
        known.capacity,
        today=float(day.toordinal()),
        lead_days=lead_days,
        buffer_days=buffer_days,
        risk=risk,
        fill_policy=np.where(
            np.isnan(known.fixed),
            history.FillPolicy.TO_CAPACITY,
            history.FillPolicy.FIXED_QUANTITY,
        ),
        fixed_quantity=np.nan_to_num(known.fixed),
    )
    due = found.order
    subscriptions = Subscription.objects.select_related("customer__region", "product").in_bulk(
        [int(known.ids[i]) for i in due]
    )
    skip, on_order = _settled_today(day), _on_order()
    level = forecast.level_today(known.belief, known.last_level, known.last_day, day.toordinal())
    expected = forecast.expected_runout_day(known.belief, known.last_level, known.last_day)
    delivery = day + timedelta(days=lead_days)
    proposals = []
    for i in due:
        subscription = subscriptions[int(known.ids[i])]
        pair = (subscription.customer_id, subscription.product_id)
        if subscription.pk in skip or pair in on_order or found.quantity[i] <= 0:
            continue
        if expected[i] < day.toordinal() - LAPSED_DAYS:  # a lapsed customer, not a refill
            continue
        proposals.append(
            Proposed(
                subscription,
                day,
                delivery,
                float(found.quantity[i]),
                float(level[i]),
                _date(expected[i]),
                _date(found.risk_day[i]) or delivery,
            )
        )
    return proposals


def proposal_for(subscription_id: int, day: date) -> Proposed | None:
    """The plan of ``day``'s proposal for one subscription (``None``: nothing proposed)."""
    product = (
        Subscription.objects.filter(pk=subscription_id).values_list("product_id", flat=True).first()
    )
    if product is None:
        return None
    proposals = todays_plan(day, book=load(day, product_id=product))
    return next((p for p in proposals if p.subscription.pk == subscription_id), None)


# One container's outlook (the notebook, the API) needs its product's population prior,
# fitted on every active subscription of the product: reading the product's whole history
# takes 200–600 ms at 100 k customers (bench/p5_web.sh). Each process keeps the last prior of
# each product with the state it was fitted on: the day, the product's active subscriptions
# as stored (with their customers), the newest delivery and the newest reading. A new
# delivery or reading anywhere, or any change to the product's subscriptions, fits it again.
# Changes that leave that state as it was (a reading edited in the admin, a delivery whose
# transaction commits after a newer one) reach the prior within PRIOR_SECONDS. The jar's own
# events are always read afresh: only the prior, shared by all the product's jars, may lag.
PRIOR_SECONDS = 600
_PRIORS: dict[int, tuple[tuple, float, PopulationPrior | None]] = {}


_STATE_ROWS = """
    SELECT id, customer_id, capacity, people, fill_policy, fixed_quantity, created_at
      FROM replenishment_subscription WHERE product_id = %s AND is_active ORDER BY id"""
_STATE_DIGEST = """
    SELECT md5(string_agg(concat_ws(',', id, customer_id, capacity, people, fill_policy,
                                    fixed_quantity, created_at), ';' ORDER BY id))
      FROM replenishment_subscription WHERE product_id = %s AND is_active"""


def _prior_state(product_id: int, today: date) -> tuple:
    """What the product's prior was fitted on: the day, a digest of its active subscriptions
    as stored (ids, customers, sizes, policies, creation times: one row each), the newest
    delivery and reading."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # digested in SQL: no Python object per row
            cursor.execute(_STATE_DIGEST, [product_id])
            digest = cursor.fetchone()[0]
        else:
            cursor.execute(_STATE_ROWS, [product_id])
            digest = hash(tuple(cursor.fetchall()))
        cursor.execute(
            "SELECT (SELECT MAX(id) FROM fulfilment_delivery),"
            " (SELECT MAX(id) FROM replenishment_reading)"
        )
        return (today, digest, *cursor.fetchone())


def product_prior(product_id: int, today: date) -> PopulationPrior | None:
    """The population prior ``load`` fits for the product on ``today`` (``None``: no active
    subscription), fitted again when its data changed or PRIOR_SECONDS passed (``_PRIORS``)."""
    state = _prior_state(product_id, today)
    kept = _PRIORS.get(product_id)
    if kept is not None and kept[0] == state and time.monotonic() - kept[1] < PRIOR_SECONDS:
        return kept[2]
    prior = load(today, product_id=product_id).priors.get(product_id)
    _PRIORS[product_id] = (state, time.monotonic(), prior)
    return prior


@dataclass(frozen=True)
class Outlook:
    """One container: level today, daily use, run-out dates, and the level band ahead
    (``band``: day, low, middle, high; the 10 %, 50 % and 90 % quantiles)."""

    level_today: float | None
    rate_per_day: float
    expected_runout: date | None
    runout_at_risk: date | None
    risk: float
    band: list[tuple[date, float, float, float]]

    def as_dict(self) -> dict:
        return {
            "level_today": self.level_today,
            "rate_per_day": self.rate_per_day,
            "expected_runout": self.expected_runout,
            "runout_at_risk": self.runout_at_risk,
            "risk": self.risk,
        }


def outlook(
    subscription: Subscription, today: date | None = None, *, risk: float = RISK, days: int = 45
) -> Outlook:
    today = today or business_today()
    rows, only, params = _subscriptions(None, subscription.pk)
    if not rows:  # inactive
        return Outlook(None, 0.0, None, None, risk, [])
    # its own events with its product's prior: the belief ``load`` of the whole product gives
    # it (``many.read_many`` and ``forecast.posterior`` work subscription by subscription)
    product = rows[0][1]
    book = _book(today, rows, only, params, {product: product_prior(product, today)})
    i = book.index(subscription.pk)
    belief, level, last = book.belief[[i]], book.last_level[[i]], book.last_day[[i]]
    rate = float(belief.mean[0])
    if not np.isfinite(last[0]):
        return Outlook(None, round(rate, 3), None, None, risk, [])
    now = float(today.toordinal())
    on_days = now + np.arange(days + 1)
    band = forecast.level_band(belief, level, last, on_days)[0]  # (quantiles, days)
    rows = [
        (date.fromordinal(int(day)), *(round(float(v), 2) for v in band[:, k]))
        for k, day in enumerate(on_days)
    ]
    return Outlook(
        round(float(forecast.level_today(belief, level, last, now)[0]), 2),
        round(rate, 3),
        _date(forecast.expected_runout_day(belief, level, last)[0]),
        _date(forecast.runout_day_at_risk(belief, level, last, risk)[0]),
        risk,
        rows,
    )
