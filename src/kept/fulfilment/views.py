"""Pages: the warehouse's deliveries for the day, the service-level report, its failures."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from kept.fulfilment import actions, chart, metrics, queries
from kept.fulfilment.choices import Against, GroupBy
from kept.fulfilment.forms import DeliveryForm, PeriodForm
from kept.promising.models import OrderLine

VIEW, DELIVER = "fulfilment.view_delivery", "fulfilment.add_delivery"
METRICS = [
    ("perfect_order_rate", _("Perfect orders")),
    ("otif", _("OTIF")),
    ("on_time", _("On time")),
    ("in_full", _("In full")),
    ("quality", _("Quality")),
    ("unit_fill_rate", _("Unit fill rate")),
]
LIST_LIMIT = 200
AHEAD_DAYS = (0, 1, 2, 7)


def _clean(text: str, limit: int = 64) -> str:
    return (text or "").replace("\x00", "").strip()[:limit]


@require_GET
@permission_required(VIEW, raise_exception=True)
def deliveries(request: HttpRequest) -> HttpResponse:
    """Lines due by today (or a few days ahead) and not yet fully delivered, by route."""
    today = queries.business_today()
    ahead = request.GET.get("ahead", "0")
    ahead = int(ahead) if ahead.isdigit() and int(ahead) in AHEAD_DAYS else 0
    search = _clean(request.GET.get("q", ""))
    lines = list(queries.lines_to_deliver(today + timedelta(days=ahead), search)[:LIST_LIMIT])
    context = {
        "lines": lines,
        "today": today,
        "ahead": ahead,
        "ahead_choices": AHEAD_DAYS,
        "q": search,
        "limit": LIST_LIMIT,
        "form": DeliveryForm(),
    }
    return render(request, "kept/fulfilment/deliveries.html", context)


@require_POST
@permission_required(DELIVER, raise_exception=True)
def record(request: HttpRequest, line: int) -> HttpResponse:
    """Record one delivery from the warehouse page (htmx swaps the line's row)."""
    order_line = get_object_or_404(
        queries.with_delivery_state(OrderLine.objects.select_related("order__customer", "product")),
        pk=line,
    )
    form = DeliveryForm(request.POST)
    error = ""
    delivery = None
    if form.is_valid():
        try:
            delivery = actions.record_delivery(
                order_line,
                form.cleaned_data["quantity"],
                quality_ok=form.cleaned_data["quality_ok"],
                defect=form.cleaned_data["defect"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except ValidationError as exc:
            error = "; ".join(exc.messages)
    else:
        error = "; ".join(m for errors in form.errors.values() for m in errors)
    order_line = queries.with_delivery_state(
        OrderLine.objects.select_related("order__customer", "product")
    ).get(pk=line)
    context = {"line": order_line, "form": DeliveryForm(), "error": error, "delivery": delivery}
    status = 422 if error else 200
    return render(request, "kept/fulfilment/_delivery_row.html", context, status=status)


def _values(rows: dict, keys: list[str], field: str) -> list[float | None]:
    """The rate of each period; None where nothing was measured on this basis."""
    return [rows[k].rates()[field] if k in rows else None for k in keys]


def _trend(keys: list[str], promise: dict, request_rows: dict, field: str) -> dict:
    return {
        "promise": chart.series("promise", keys, _values(promise, keys, field)),
        "request": chart.series("request", keys, _values(request_rows, keys, field)),
        "y_ticks": chart.y_ticks(),
        "x_ticks": chart.x_ticks(keys),
        "width": chart.WIDTH,
        "height": chart.HEIGHT,
        "left": chart.LEFT,
        "right": chart.WIDTH - chart.RIGHT,
        "baseline": chart.HEIGHT - chart.BOTTOM,
    }


@require_GET
@permission_required(VIEW, raise_exception=True)
def service_level(request: HttpRequest) -> HttpResponse:
    """Promise kept and request met, side by side: trend, breakdown and drill-down."""
    form = PeriodForm(request.GET or None)
    period = form.cleaned_data if form.is_valid() else PeriodForm({}).clean_and_get()
    start, end, by = period["start"], period["end"], period["by"]
    today = queries.business_today()
    promise_rows, promise_total = metrics.service_level(start, end, by=by, today=today)
    request_rows, request_total = metrics.service_level(
        start, end, by=by, against=Against.REQUEST, today=today
    )
    promise = {r.key: r for r in promise_rows}
    requested = {r.key: r for r in request_rows}
    keys = sorted(promise.keys() | requested.keys())
    rows = [{"key": k, "promise": promise.get(k), "request": requested.get(k)} for k in keys]
    is_period = by in (GroupBy.DAY, GroupBy.WEEK, GroupBy.MONTH)
    context = {
        # the period in force, as the form shows it (the defaults fill what was left blank)
        "form": form if form.errors else PeriodForm(initial={"start": start, "end": end, "by": by}),
        "start": start,
        "end": end,
        "by": by,
        "by_label": GroupBy(by).label,
        "rows": rows,
        "metric_names": METRICS,
        "total": {"promise": promise_total, "request": request_total},
        "trend": _trend(keys, promise, requested, "otif") if is_period and keys else None,
        "perfect_trend": _trend(keys, promise, requested, "perfect_order_rate")
        if is_period and keys
        else None,
    }
    return render(request, "kept/fulfilment/service_level.html", context)


@require_GET
@permission_required(VIEW, raise_exception=True)
def failures(request: HttpRequest) -> HttpResponse:
    """Each failed line of a group (or all), with the component that failed."""
    form = PeriodForm(request.GET or None)
    period = form.cleaned_data if form.is_valid() else PeriodForm({}).clean_and_get()
    against = request.GET.get("against")
    against = against if against in Against.values else Against.PROMISE
    key = _clean(request.GET.get("key", ""), 100) or None
    found = metrics.failures(
        period["start"],
        period["end"],
        by=period["by"],
        against=against,
        key=key,
        today=queries.business_today(),
        limit=LIST_LIMIT,
    )
    lines = queries.failed_lines([f.line_id for f in found])
    items = [(lines[f.line_id], f) for f in found if f.line_id in lines]
    context = {
        "items": items,
        "key": key,
        "against": against,
        "against_label": Against(against).label,
        "period": period,
        "limit": LIST_LIMIT,
    }
    return render(request, "kept/fulfilment/failures.html", context)
