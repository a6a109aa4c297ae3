"""/api/v1/value (SPEC 2.7): the customer P&L, a customer's value, the lapsing call list and
the refit. Profit, cost and CLV are for managers; the lapsing list, without money, for
everyone who may view customers."""

from datetime import date
from decimal import Decimal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from kept.core import dates
from kept.core.api_support import ERRORS, ApiError, Paging, needs
from kept.core.roles import FINANCIALS
from kept.customers.models import Customer
from kept.value import queries, queries_profit, tasks
from kept.value.costs import CustomerPnL
from kept.value.models import CustomerValue, ValueSettings
from kept.value.refit import as_of_default
from kept.value.schemas import CustomerValueOut, LapsingOut, ProfitOut, RefitOut

router = Router(tags=["value"])
VIEW_VALUE = (FINANCIALS, "value.view_customervalue", "customers.view_customer")
REFIT = (FINANCIALS, "value.add_valuerun")
VIEW_CUSTOMERS = "customers.view_customer"
CENT = Decimal("0.01")


def _today() -> date:
    return timezone.localdate()


def _period(start: date | None, end: date | None) -> tuple[date, date]:
    try:  # the default: the 12 months up to ``end`` (``queries_profit.year_before``)
        return dates.period(start, end, today=_today(), default_days=364)
    except dates.PeriodError as error:
        field = {"from": "start", "to": "end"}[error.field]
        raise ApiError(422, "invalid", error.message, {field: [error.message]}) from error


def _cents(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(CENT)


def pnl_out(pnl: CustomerPnL) -> dict:
    return {
        "revenue": _cents(pnl.revenue),
        "cost_of_goods": _cents(pnl.cost_of_goods),
        "gross_margin": _cents(pnl.gross_margin),
        "cost_to_serve": _cents(pnl.cost_to_serve),
        "profit": _cents(pnl.profit),
        "drivers": {name: _cents(amount) for name, amount in pnl.drivers.items()},
    }


def _totals(report: queries_profit.ProfitReport) -> dict:
    drivers: dict[str, Decimal] = {}
    for row in report.rows:
        for name, amount in row.pnl.drivers.items():
            drivers[name] = drivers.get(name, Decimal(0)) + amount
    return pnl_out(CustomerPnL("", report.revenue, report.cost_of_goods, drivers))


class ProfitQuery(Paging.Input):
    start: date | None = Field(None, description="Default: the 12 months up to `end`")
    end: date | None = Field(None, description="Default: today")


@router.get("/profit", response={200: ProfitOut, **ERRORS}, auth=needs(FINANCIALS))
def profit(request: HttpRequest, query: Query[ProfitQuery]):
    """The customer P&L of the period (at most three years): revenue − cost of goods −
    cost-to-serve by driver, per customer (the most profitable first, paged) and in total."""
    start, end = _period(query.start, query.end)
    report = queries_profit.profit_report(start, end)
    page = report.rows[query.offset : query.offset + query.limit]
    return {
        "start": start,
        "end": end,
        "totals": _totals(report),
        "count": len(report.rows),
        "items": [
            {"code": row.customer.code, "name": row.customer.name, **pnl_out(row.pnl)}
            for row in page
        ],
    }


def _value_out(found: CustomerValue) -> dict:
    strategy = queries.quadrant_strategies()[found.quadrant]
    horizon = found.run.fit.get("horizon_months") or ValueSettings.current().clv_horizon_months
    return {
        "clv": found.clv,
        "horizon_months": horizon,
        "p_alive": found.p_alive,
        "expected_purchases": found.expected_purchases,
        "expected_spend": found.expected_spend,
        "rfm": {
            "recency": found.recency_score,
            "frequency": found.frequency_score,
            "monetary": found.monetary_score,
            "code": found.rfm,
        },
        "quadrant": {
            "key": found.quadrant,
            "name": strategy.display_name,
            "strategy": strategy.display_strategy,
        },
        "first_purchase": found.first_purchase,
        "last_purchase": found.last_purchase,
        "expected_next_purchase": found.expected_next_purchase,
        "overdue_on": found.overdue_on,
        "refit_as_of": found.run.as_of,
        "refitted_at": found.run.finished_at,
    }


@router.get(
    "/customers/{code}",
    response={200: CustomerValueOut, **ERRORS},
    auth=needs(*VIEW_VALUE),
)
def customer_value(request: HttpRequest, code: str):
    """A customer's value at the last refit (`value` is null before a refit scores them) and
    their P&L over the last 12 months."""
    customer = get_object_or_404(Customer, code=code)
    found = queries.customer_value(customer)
    end = _today()
    start = queries_profit.year_before(end)
    pnl = queries_profit.customer_profit(customer, start, end)
    return {
        "code": customer.code,
        "name": customer.name,
        "value": _value_out(found) if found is not None else None,
        "pnl": {"start": start, "end": end, **pnl_out(pnl)},
    }


class LapsingQuery(Schema):
    owner: str = Field(
        "all",
        pattern=r"^(me|all|[1-9][0-9]{0,9})$",
        description="`me`, `all`, or an owner's user id",
    )


def _owner_id(request: HttpRequest, owner: str) -> int | None:
    if owner == "all":
        return None
    if owner == "me":
        return request.user.pk
    return int(owner)


@router.get("/lapsing", response={200: list[LapsingOut], **ERRORS}, auth=needs(VIEW_CUSTOMERS))
@paginate(Paging)
def lapsing(request: HttpRequest, query: Query[LapsingQuery]):
    """The retention call list: buyers overdue for their next purchase who are still likely
    to be buying, the longest overdue first. No money: for everyone who may view customers."""
    return queries.lapsing(_today(), owner_id=_owner_id(request, query.owner))


@router.post("/refit", response={202: RefitOut, **ERRORS}, auth=needs(*REFIT))
def refit(request: HttpRequest):
    """Queue a refit of every customer's value as of yesterday (a worker runs it); a refit
    already waiting or running is returned instead."""
    run = tasks.enqueue_refit(as_of_default(_today()), actor=request.user)
    return Status(
        202, {"run": run.pk, "status": run.status, "as_of": run.as_of, "created_at": run.created_at}
    )
