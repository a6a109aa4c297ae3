"""Pages of customer value beyond the P&L: the four-quadrant map with the RFM distribution,
retention (repurchase, cohorts, the churned list, acquisition against retention cost), the
lapsing customers' call list, and the refit that computes them.

Managers only, except the lapsing list: it carries no money figure, so staff and viewers
use it to call the customers they are about to lose."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from kept.core.pages import query_without_page
from kept.core.roles import FINANCIALS
from kept.fulfilment import chart
from kept.value import queries, tasks
from kept.value.choices import QuadrantKey, RunStatus
from kept.value.forms_retention import EVERYONE, MINE, OwnerForm, PeriodForm, yesterday
from kept.value.models import CustomerValue, ValueRun, ValueSettings

VIEW_CUSTOMERS = "customers.view_customer"
PER_PAGE = 50
SCORES = range(5, 0, -1)  # the best score first, as a reader scans down
# the map: value high on top, relationship close on the right
GRID = [
    (QuadrantKey.AT_RISK_VALUE, QuadrantKey.PARTNERS),
    (QuadrantKey.TRANSACTIONAL, QuadrantKey.LOYAL_SMALL),
]


# The refit ---------------------------------------------------------------------------


def _refit_context(run: ValueRun | None) -> dict:
    """What the status panel needs: whether to poll, and the fitted parameters in words."""
    active = run is not None and run.status in (RunStatus.QUEUED, RunStatus.RUNNING)
    stalled = active and run.created_at < timezone.now() - ValueRun.STALLED_AFTER
    fit = run.fit if run is not None and run.status == RunStatus.DONE else {}
    parameters = [
        (model, name, value)
        for model, key in (("BG/NBD", "bgnbd"), ("Gamma–Gamma", "gamma_gamma"))
        for name, value in (fit.get(key) or {}).items()
    ]
    return {
        "run": run,
        "polling": active and not stalled,
        "stalled": stalled,
        "parameters": parameters,
    }


@require_GET
@permission_required(FINANCIALS, raise_exception=True)
def refit_status(request: HttpRequest) -> HttpResponse:
    """The latest refit: htmx polls it every 2 s while a worker fits."""
    return render(request, "kept/value/_refit_status.html", _refit_context(queries.latest_run()))


@require_POST
@permission_required(FINANCIALS, raise_exception=True)
def run_refit(request: HttpRequest) -> HttpResponse:
    """Refit every customer's value as of yesterday, in the background (``kept worker``)."""
    run = tasks.enqueue_refit(as_of=yesterday(), actor=request.user)
    if request.htmx:
        return render(request, "kept/value/_refit_status.html", _refit_context(run))
    return redirect("value:segments")


# Segments ----------------------------------------------------------------------------


def _rfm_grid() -> tuple[list[dict], int]:
    """Customers by recency score (rows) × frequency score (columns), with each cell's
    shade as its share of the fullest cell."""
    counts = queries.rfm_counts()
    fullest = max(counts.values(), default=0)
    rows = [
        {
            "recency": r,
            "cells": [
                {
                    "frequency": f,
                    "n": counts.get((r, f), 0),
                    **_shade(counts.get((r, f), 0), fullest),
                }
                for f in SCORES
            ],
        }
        for r in SCORES
    ]
    return rows, sum(counts.values())


def _shade(part: float, whole: float) -> dict:
    """A heat-map cell's opacity, 0.05 (something) to 0.85 (the most), 0 for nothing, as a
    string with a dot whatever the language (it goes in a ``style`` attribute); dark cells
    take light text."""
    alpha = 0.05 + 0.8 * part / whole if part and whole else 0.0
    return {"alpha": f"{alpha:.2f}", "dark": alpha >= 0.5}


def _quadrant_page(request: HttpRequest, key: str) -> dict:
    customers = Paginator(queries.values_in_quadrant(key), PER_PAGE)
    return {
        "chosen": key,
        "page": customers.get_page(request.GET.get("page")),
        "query_string": query_without_page(request),
    }


@require_GET
@permission_required(FINANCIALS, raise_exception=True)
def segments(request: HttpRequest) -> HttpResponse:
    """The value × relationship map with each quadrant's strategy, one quadrant's customers,
    and the RFM distribution behind it."""
    cells = {cell.strategy.key: cell for cell in queries.quadrant_map()}
    rfm_rows, scored = _rfm_grid()
    context = {
        "grid": [[cells[key] for key in row] for row in GRID],
        "rfm_rows": rfm_rows,
        "scored": scored,
        "scores": SCORES,
        **_refit_context(queries.latest_run()),
    }
    key = request.GET.get("quadrant", "")
    if key in QuadrantKey.values:
        context.update(_quadrant_page(request, key), chosen_cell=cells[key])
    return render(request, "kept/value/segments.html", context)


# Retention ---------------------------------------------------------------------------


def _repurchase_chart(report: queries.Retention) -> dict | None:
    keys = [row.month for row in report.repurchase]
    rates = [row.rate for row in report.repurchase]
    if not any(rate is not None for rate in rates):
        return None
    return {
        "line": chart.series("repurchase", keys, rates),
        "y_ticks": chart.y_ticks(),
        "x_ticks": chart.x_ticks(keys),
        "width": chart.WIDTH,
        "height": chart.HEIGHT,
        "left": chart.LEFT,
        "right": chart.WIDTH - chart.RIGHT,
        "baseline": chart.HEIGHT - chart.BOTTOM,
    }


def _cohort_rows(report: queries.Retention) -> list[dict]:
    """The cohort table as heat-map rows: each month's share, shade and percentage, and
    empty cells where the month has not come yet."""
    width = report.cohorts.months
    return [
        {
            "cohort": row.cohort,
            "size": row.size,
            "cells": [
                {"month": k, "share": share, "percent": round(100 * share), **_shade(share, 1)}
                for k, share in enumerate(row.retained)
            ],
            "blank": range(width - len(row.retained)),
        }
        for row in report.cohorts.rows
    ]


@require_GET
@permission_required(FINANCIALS, raise_exception=True)
def retention(request: HttpRequest) -> HttpResponse:
    """Repurchase by month, the monthly cohorts, the churned list, and what a new customer
    costs against a kept one."""
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    report = queries.retention_report(start, end)
    context = {
        "form": form if form.errors else PeriodForm(initial={"start": start, "end": end}),
        "start": start,
        "end": end,
        "report": report,
        "chart": _repurchase_chart(report),
        "cohort_rows": _cohort_rows(report),
        "cohort_months": range(report.cohorts.months),
        # a month counted only in part makes its rates look low: say so
        "partial_month": (end + timedelta(days=1)).day != 1,
        "churned": queries.churned(),
        "threshold": ValueSettings.current().churned_below,
        "has_values": queries.last_fit() is not None,
        **_refit_context(queries.latest_run()),
    }
    return render(request, "kept/value/retention.html", context)


# Lapsing -----------------------------------------------------------------------------


def _lapsing_rows(values, today: date) -> list[dict]:
    return [{"value": v, "days_overdue": (today - v.overdue_on).days} for v in values]


@require_GET
@permission_required(VIEW_CUSTOMERS, raise_exception=True)
def lapsing(request: HttpRequest) -> HttpResponse:
    """The retention call list (SPEC 2.5): buyers of non-consumables past the day they would
    have bought again, the longest overdue first. Staff start with their own customers. No
    money figure: anyone who may see customers may see it."""
    today = timezone.localdate()
    default = EVERYONE if request.user.has_perm(FINANCIALS) else MINE
    chosen = OwnerForm(request.GET or None, default=default)
    who = chosen.chosen()
    found = queries.lapsing(today, owner_id=chosen.owner_id(request.user))
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": OwnerForm(initial={"who": who}, default=default),
        "who": who,
        "today": today,
        "page": page,
        "rows": _lapsing_rows(page.object_list, today),
        "query_string": query_without_page(request),
        "has_values": CustomerValue.objects.exists(),
    }
    return render(request, "kept/value/lapsing.html", context)
