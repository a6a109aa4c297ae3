"""The stock targets page: what the service level needs, what we hold, and what the excess costs.

SPEC 2.4 "Meet, don't exceed". Reads come from :mod:`kept.catalog.stock_targets`.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from kept.catalog import stock_targets
from kept.catalog.safety_stock import SERVICE_LEVELS, Verdict
from kept.core.roles import can_see_financials

PER_PAGE = 50
CHART_WIDTH = 160  # px of the longest bar in a row's chart
VERDICTS = {
    Verdict.SHORT: (_("Short"), "bad"),
    Verdict.ON_TARGET: (_("On target"), "good"),
    Verdict.OVER_SERVING: (_("Over-serving"), "warn"),
}


def _percent(label, initial: int | None, help_text) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=50,
        max_value=Decimal("99.99"),
        max_digits=5,
        decimal_places=2,
        initial=initial,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


class StockTargetFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    cycle_service_level = _percent(
        _("Cycle service level (%)"), 95, _("Share of cycles without a stockout.")
    )
    fill_rate = _percent(
        _("Fill rate (%)"), None, _("Share of demand met from stock; when given, the target.")
    )
    window_days = forms.IntegerField(
        label=_("History (days)"), required=False, min_value=2, max_value=730, initial=90
    )
    review_days = forms.IntegerField(
        label=_("Review period (days)"), required=False, min_value=0, max_value=365, initial=7
    )
    order_days = forms.IntegerField(
        label=_("An order covers (days)"), required=False, min_value=1, max_value=365, initial=7
    )
    holding_rate = forms.DecimalField(
        label=_("Holding cost (% a year)"),
        required=False,
        min_value=0,
        max_value=1000,
        max_digits=6,
        decimal_places=2,
        initial=25,
    )

    def __init__(self, data, *, show_cost: bool = False):
        # A field left out of the query shows (and uses) its default.
        data = data.copy()
        for name, field in self.base_fields.items():
            if field.initial is not None and not data.get(name):
                data[name] = field.initial
        super().__init__(data)
        if not show_cost:
            del self.fields["holding_rate"]

    def settings(self) -> stock_targets.TargetSettings:
        """The valid values; a field with an error keeps its default (the error is shown)."""
        self.is_valid()
        values = {
            name: self.cleaned_data.get(name)
            if self.cleaned_data.get(name) is not None
            else field.initial
            for name, field in self.fields.items()
            if name != "q"
        }
        return stock_targets.settings_from_percentages(**values)


def _percent_of(fraction: float) -> Decimal:
    return round(Decimal(repr(fraction * 100)), 2)


def _chart(row: stock_targets.StockTargetRow) -> dict:
    """Bars for needed (S) and position, a tick at the reorder point, scaled to the longest."""
    longest = max(row.needed, row.position, row.reorder_point, Decimal(1))

    def width(value: Decimal) -> float:
        return round(float(max(value, Decimal(0)) / longest) * CHART_WIDTH, 1)

    return {
        "needed": width(row.needed),
        "position": width(row.position),
        "reorder_point": width(row.reorder_point) + 0.5,
        "width": CHART_WIDTH,
    }


def _present(row: stock_targets.StockTargetRow) -> dict:
    label, badge = VERDICTS[row.verdict]
    return {"row": row, "label": label, "badge": badge, "chart": _chart(row)}


@require_GET
@permission_required(("catalog.view_stocklevel", "catalog.add_receipt"), raise_exception=True)
def stock_targets_page(request: HttpRequest) -> HttpResponse:
    show_cost = can_see_financials(request.user)
    form = StockTargetFilterForm(request.GET, show_cost=show_cost)
    settings = form.settings()
    search = form.cleaned_data.get("q", "")
    page = Paginator(stock_targets.target_products(search), PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = stock_targets.stock_target_rows(list(page.object_list), settings)
    context = {
        "form": form,
        "settings": settings,
        "page": page,
        "rows": [_present(row) for row in rows],
        "levels": [_percent_of(level) for level in SERVICE_LEVELS],
        "target_percent": _percent_of(settings.fill_rate or settings.cycle_service_level),
        "show_cost": show_cost,
    }
    return render(request, "kept/catalog/stock_targets.html", context)
