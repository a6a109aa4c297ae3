"""The refit of every customer's value (nightly, through the tasks API; see ``tasks``).

Reads every external customer's purchase days (``queries.purchases``), fits BG/NBD and
Gamma–Gamma on them in weeks (``kept.value.clv``), and stores per customer: probability
alive, expected purchases and discounted CLV over the horizon, expected spend, the expected
next purchase, RFM scores and the quadrant. The previous values stay until the new ones are
written, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from django.db import transaction

from kept.replenishment.models import Subscription
from kept.value import clv, segments
from kept.value.models import CustomerValue, ValueRun, ValueSettings
from kept.value.queries import gross_margin_ratio, purchases

UNIT = "week"
WEEKS_PER_MONTH = 52 / 12
MIN_CUSTOMERS = 20  # fewer buyers than this tell the models nothing
MIN_REPEATERS = 10  # Gamma–Gamma is fitted on the customers who bought again


class NotEnoughHistory(Exception):
    """Too few customers or repeat buyers to fit the models."""


class UnusableFit(Exception):
    """The fitted models predict something that is not a number for some customers."""


@dataclass(frozen=True)
class Fitted:
    summary: clv.CustomerSummary
    model: clv.BGNBD
    spend: clv.GammaGamma
    totals: np.ndarray  # each customer's total spend, for the RFM monetary score
    first: np.ndarray  # first purchase (datetime64[D])
    last: np.ndarray  # last purchase


def fit(as_of: date) -> Fitted:
    """The two models fitted on the purchases up to ``as_of``."""
    rows = purchases(as_of)
    summary = clv.summarise_transactions(
        rows.customer, rows.day, rows.value, calibration_end=as_of, unit=UNIT
    )
    repeaters = int((summary.frequency > 0).sum())
    if len(summary) < MIN_CUSTOMERS or repeaters < MIN_REPEATERS:
        raise NotEnoughHistory(
            f"{len(summary)} customers and {repeaters} repeat buyers; "
            f"the models need {MIN_CUSTOMERS} and {MIN_REPEATERS}"
        )
    model = clv.fit_bgnbd(summary.frequency, summary.recency, summary.T, unit=UNIT)
    repeat = summary.frequency > 0
    spend = clv.fit_gamma_gamma(summary.frequency[repeat], summary.monetary[repeat])
    ids = np.asarray(rows.customer)
    order = np.searchsorted(summary.customer, ids)
    totals = np.bincount(order, weights=np.asarray(rows.value), minlength=len(summary))
    end = np.datetime64(as_of, "D")
    length = clv.unit_days(UNIT)
    first = end - np.round(summary.T * length).astype("timedelta64[D]")
    last = first + np.round(summary.recency * length).astype("timedelta64[D]")
    return Fitted(summary, model, spend, totals, first, last)


OVERDUE_PROBABILITY = 0.8
NUMBERS = ("p_alive", "expected", "spend", "clv")  # stored as numbers: must be finite


def _next_purchase(fitted: Fitted) -> tuple[np.ndarray, np.ndarray]:
    """When a customer still buying is expected back, and when they are overdue.

    While alive, purchases are Poisson with rate λ, whose posterior after x repeats in T is
    Gamma(r + x, α + T). Expected: the last purchase + 1 / E[λ] = (α + T) / (r + x) weeks.
    Overdue: the gap g after which a live customer would have bought again with probability
    0.8, from P(no purchase in g) = ((α + T) / (α + T + g))^(r + x) = 0.2, i.e.
    g = (α + T) · (0.2^(−1 / (r + x)) − 1)."""
    s, params = fitted.summary, fitted.model.params
    shape, rate = params["r"] + s.frequency, params["alpha"] + s.T
    mean_gap = rate / shape
    overdue_gap = rate * ((1 - OVERDUE_PROBABILITY) ** (-1 / shape) - 1)
    length = clv.unit_days(UNIT)

    def after_last(weeks):
        return fitted.last + np.ceil(np.minimum(weeks, 5200) * length).astype("timedelta64[D]")

    return after_last(mean_gap), after_last(overdue_gap)


def _predictions(fitted: Fitted, settings: ValueSettings, margin: float) -> dict[str, np.ndarray]:
    s = fitted.summary
    horizon = max(1, round(settings.clv_horizon_months * WEEKS_PER_MONTH))
    weekly = (1 + float(settings.annual_discount_percent) / 100) ** (1 / 52) - 1
    value = clv.clv(
        fitted.model,
        fitted.spend,
        s.frequency,
        s.recency,
        s.T,
        s.monetary,
        horizon=horizon,
        discount_rate_per_unit=weekly,
        margin=margin,
    )
    return {
        "p_alive": fitted.model.p_alive(s.frequency, s.recency, s.T),
        "expected": fitted.model.expected_purchases(horizon, s.frequency, s.recency, s.T),
        "spend": fitted.spend.expected_spend(s.frequency, s.monetary),
        "clv": value,
        **dict(zip(("next", "overdue"), _next_purchase(fitted), strict=True)),
    }


def _scores(fitted: Fitted, value: np.ndarray, as_of: date) -> tuple[np.ndarray, list]:
    s = fitted.summary
    recency_days = (np.datetime64(as_of, "D") - fitted.last).astype(int)
    scores = segments.rfm(recency_days, s.frequency + 1, fitted.totals)
    relationship = scores[:, 0] + scores[:, 1]  # recent and frequent: a close relationship
    return scores, segments.quadrants(value, relationship)


def _money(value: float) -> Decimal:
    return Decimal(str(round(float(value), 2)))


def _day(value: np.datetime64) -> date:
    return value.astype("datetime64[D]").astype(object)


def refit(as_of: date, run: ValueRun) -> int:
    """Fit, predict and store every customer's value; the number of customers stored."""
    settings = ValueSettings.current()
    fitted = fit(as_of)
    margin = gross_margin_ratio(as_of)
    predicted = _predictions(fitted, settings, margin)
    broken = {name for name, values in predicted.items() if name in NUMBERS}
    broken = {name for name in broken if not np.isfinite(predicted[name]).all()}
    if broken:
        raise UnusableFit(
            f"non-finite {', '.join(sorted(broken))} from BG/NBD {fitted.model.params} and "
            f"Gamma–Gamma {fitted.spend.params}; the previous values are kept"
        )
    scores, quadrants = _scores(fitted, predicted["clv"], as_of)
    s = fitted.summary
    consumable = set(
        Subscription.objects.filter(is_active=True).values_list("customer_id", flat=True)
    )
    rows = [
        CustomerValue(
            customer_id=int(pk),
            run=run,
            first_purchase=_day(fitted.first[i]),
            last_purchase=_day(fitted.last[i]),
            frequency=int(s.frequency[i]),
            recency_weeks=float(s.recency[i]),
            age_weeks=float(s.T[i]),
            average_spend=_money(s.monetary[i]),
            p_alive=float(predicted["p_alive"][i]),
            expected_purchases=float(predicted["expected"][i]),
            expected_spend=_money(predicted["spend"][i]),
            clv=_money(predicted["clv"][i]),
            expected_next_purchase=_day(predicted["next"][i]),
            overdue_on=_day(predicted["overdue"][i]),
            is_consumable_buyer=int(pk) in consumable,
            recency_score=int(scores[i, 0]),
            frequency_score=int(scores[i, 1]),
            monetary_score=int(scores[i, 2]),
            quadrant=str(quadrants[i]),
        )
        for i, pk in enumerate(s.customer)
    ]
    with transaction.atomic():
        # one refit writes at a time: two at once (two workers) each deleted the rows they saw
        # and the second insert failed on the first's new ones (IntegrityError)
        ValueSettings.objects.select_for_update().get(pk=settings.pk)
        CustomerValue.objects.all().delete()
        CustomerValue.objects.bulk_create(rows, batch_size=2000)
        run.fit = {
            "unit": UNIT,
            "bgnbd": fitted.model.params,
            "bgnbd_log_likelihood": fitted.model.log_likelihood,
            "gamma_gamma": fitted.spend.params,
            "gamma_gamma_log_likelihood": fitted.spend.log_likelihood,
            "gross_margin": margin,
            "horizon_months": settings.clv_horizon_months,
            "annual_discount_percent": float(settings.annual_discount_percent),
        }
        run.customers = len(rows)
        run.save(update_fields=["fit", "customers"])
    return len(rows)


def as_of_default(today: date) -> date:
    """The nightly refit reads up to yesterday: today's deliveries are still being made."""
    return today - timedelta(days=1)
