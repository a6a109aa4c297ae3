"""Manager pages of customer value (SPEC 2.7): the customer P&L of a period with the whale
curve and the profit destroyers, and the settings behind them (activity rates, quadrants,
marketing spend, VIP services). Profit, margin and cost-to-serve are for managers only
(SPEC 1): every page here asks for the financials permission or a value setting's."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import astuple, dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from kept.core.roles import FINANCIALS
from kept.core.transfer.widgets import escape_formula
from kept.value import actions, chart, costs, queries, queries_profit
from kept.value.choices import DRIVER_LABELS
from kept.value.forms import (
    EndVipForm,
    PeriodForm,
    QuadrantsForm,
    RatesForm,
    SpendForm,
    VipForm,
)
from kept.value.models import ValueSettings, VipService

SETTINGS = "value.change_valuesettings"
PER_PAGE = 50
WORST = 25  # profit destroyers shown; all of them are in the P&L table and the CSV
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Line:
    """A customer's row of the P&L as the page shows it: rank and drivers by name."""

    rank: int
    row: queries_profit.CustomerProfit
    drivers: list[tuple[str, Decimal]]


def _line(rank: int, row: queries_profit.CustomerProfit) -> Line:
    named = [(str(DRIVER_LABELS.get(key, key)), amount) for key, amount in row.drivers]
    return Line(rank, row, named)


def _period(request: HttpRequest) -> tuple[PeriodForm, tuple | None]:
    """The form as the manager filled it, and the period, or None with the form's errors."""
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return form, None
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    return PeriodForm(initial={"start": start, "end": end}), (start, end)


def _whale(report: queries_profit.ProfitReport) -> dict | None:
    if len(report.whale) < 2:
        return None
    return {"chart": chart.whale(report.whale), "steps": chart.steps(report.whale)}


def _totals(report: queries_profit.ProfitReport) -> dict[str, Decimal]:
    return {
        "revenue": report.revenue,
        "cost_of_goods": report.cost_of_goods,
        "gross_margin": report.gross_margin,
        "cost_to_serve": report.cost_to_serve,
        "profit": report.profit,
    }


def _delivered_anything(report: queries_profit.ProfitReport) -> bool:
    return any(r.pnl.revenue or r.pnl.cost_of_goods for r in report.rows)


@require_GET
@permission_required(FINANCIALS, raise_exception=True)
def profit(request: HttpRequest) -> HttpResponse:
    """The customer P&L of a period: totals, the whale curve, the customers who destroy
    profit with their cost drivers, and every customer's P&L (as CSV too)."""
    form, period = _period(request)
    if period is None:
        return render(request, "kept/value/profit.html", {"form": form}, status=400)
    report = queries_profit.profit_report(*period)
    if request.GET.get("format") == "csv":
        return _csv(report)
    lines = [_line(rank, row) for rank, row in enumerate(report.rows, start=1)]
    rank = {line.row.customer.pk: line.rank for line in lines}
    worst = report.destroyers
    context = {
        "form": form,
        "report": report,
        "delivered": _delivered_anything(report),
        "totals": _totals(report),
        "whale": _whale(report),
        "is_profitable": report.profit > 0,
        "has_rates": any(astuple(report.rates)),
        "destroyers": [_line(rank[row.customer.pk], row) for row in worst[:WORST]],
        "destroyer_count": len(worst),
        "page": Paginator(lines, PER_PAGE).get_page(request.GET.get("page")),
        "can_change_settings": request.user.has_perm(SETTINGS),
    }
    return render(request, "kept/value/profit.html", context)


def _money(value: Decimal) -> str:
    return str(value.quantize(CENT))


def _csv(report: queries_profit.ProfitReport) -> HttpResponse:
    """Every customer's P&L with each cost driver, most profitable first; text cells that a
    spreadsheet would run as formulas are escaped."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    amounts = [
        _("Revenue"),
        _("Cost of goods"),
        pgettext("amount", "Gross margin"),
        _("Cost-to-serve"),
    ]
    drivers = [str(DRIVER_LABELS[key]) for key in costs.DRIVERS]
    writer.writerow([_("Rank"), _("Code"), _("Customer"), *amounts, *drivers, _("Profit")])
    for rank, row in enumerate(report.rows, start=1):
        pnl = row.pnl
        figures = [pnl.revenue, pnl.cost_of_goods, pnl.gross_margin, pnl.cost_to_serve]
        by_driver = [pnl.drivers.get(key, Decimal(0)) for key in costs.DRIVERS]
        writer.writerow(
            [rank, escape_formula(row.customer.code), escape_formula(row.customer.name)]
            + [_money(value) for value in (*figures, *by_driver, pnl.profit)]
        )
    response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv")
    name = f"customer-pnl-{report.start:%Y-%m-%d}-{report.end:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# Settings ----------------------------------------------------------------------------------


def _settings_page(request: HttpRequest, *, status: int = 200, **bound: Form) -> HttpResponse:
    """The settings page, with the form that failed (if any) showing its errors."""
    today = timezone.localdate()
    current = ValueSettings.current()
    context = {
        "value_settings": current,
        "rates_form": bound.get("rates_form") or RatesForm(instance=current),
        "quadrants_form": bound.get("quadrants_form")
        or QuadrantsForm(strategies=queries.quadrant_strategies()),
        "spend_form": bound.get("spend_form") or SpendForm(initial={"month": today}),
        "vip_form": bound.get("vip_form") or VipForm(initial={"started_on": today}),
        "end_form": bound.get("end_form"),
        "end_pk": request.resolver_match.kwargs.get("pk") if "end_form" in bound else None,
        "spend": list(queries_profit.spend_months()),
        "vips": queries_profit.vip_services(today)[:200],
        "today": today,
    }
    return render(request, "kept/value/settings.html", context, status=status)


@require_GET
@permission_required(SETTINGS, raise_exception=True)
def settings_page(request: HttpRequest) -> HttpResponse:
    """The activity rates and CLV settings, the quadrants, marketing spend, VIP services."""
    return _settings_page(request)


def _add_errors(form: Form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _saved(
    request: HttpRequest,
    name: str,
    form: Form,
    write: Callable[[dict], object],
    done: str,
    anchor: str,
) -> HttpResponse:
    """Validate ``form``, call ``write`` (an action), and redirect to the settings with a
    message; on bad input, the page again with the errors (400) and nothing written."""
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(f"{reverse('value:settings')}#{anchor}")
    return _settings_page(request, status=400, **{name: form})


@require_POST
@permission_required(SETTINGS, raise_exception=True)
def save_rates(request: HttpRequest) -> HttpResponse:
    form = RatesForm(request.POST, instance=ValueSettings.current())
    return _saved(
        request,
        "rates_form",
        form,
        lambda data: actions.update_value_settings(data, actor=request.user),
        _("The rates and CLV settings are saved."),
        "rates",
    )


@require_POST
@permission_required(
    ["value.add_quadrantstrategy", "value.change_quadrantstrategy"], raise_exception=True
)
def save_quadrants(request: HttpRequest) -> HttpResponse:
    form = QuadrantsForm(request.POST, strategies=queries.quadrant_strategies())
    return _saved(
        request,
        "quadrants_form",
        form,
        lambda _data: actions.rename_quadrants(form.values(), actor=request.user),
        _("The quadrants are saved."),
        "quadrants",
    )


@require_POST
@permission_required(
    ["value.add_marketingspend", "value.change_marketingspend"], raise_exception=True
)
def save_spend(request: HttpRequest) -> HttpResponse:
    return _saved(
        request,
        "spend_form",
        SpendForm(request.POST),
        lambda data: actions.record_marketing_spend(**data, actor=request.user),
        _("The marketing spend is saved."),
        "spend",
    )


@require_POST
@permission_required("value.add_vipservice", raise_exception=True)
def add_vip(request: HttpRequest) -> HttpResponse:
    return _saved(
        request,
        "vip_form",
        VipForm(request.POST),
        lambda data: actions.add_vip_service(
            data["customer"],
            data["description"],
            data["started_on"],
            data["ended_on"],
            actor=request.user,
        ),
        _("The VIP service is added."),
        "vip",
    )


@require_POST
@permission_required("value.change_vipservice", raise_exception=True)
def end_vip(request: HttpRequest, pk: int) -> HttpResponse:
    if not VipService.objects.filter(pk=pk).exists():
        raise Http404
    return _saved(
        request,
        "end_form",
        EndVipForm(request.POST),
        lambda data: actions.end_vip_service(pk, data["ended_on"], actor=request.user),
        _("The VIP service is ended."),
        "vip",
    )
