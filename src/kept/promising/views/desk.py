"""The promise desk: choose a customer, type the lines, see the decision explained as you type
(a dry run that writes nothing), then promise for real."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kept.catalog.models import Product
from kept.customers.models import Customer
from kept.promising import actions, queries
from kept.promising.choices import Decision
from kept.promising.engine import LineInput
from kept.promising.forms import DeskForm, LineFormSet, decimal_or_none, error_text
from kept.promising.present import evaluation_answer
from kept.receivables.queries import credit_position

PROMISE = "promising.add_order"
CHART_DAYS = 14
SUGGESTIONS = 8
INVALID = 422
ZERO = Decimal(0)


def _products() -> list[Product]:
    return list(Product.objects.filter(sellable=True).order_by("sku"))


def _formset(data, products: list[Product]) -> LineFormSet:
    choices = [(p.sku, f"{p.sku} · {p.name}") for p in products]
    return LineFormSet(data, prefix="lines", form_kwargs={"products": choices})


@dataclass
class Draft:
    """What the desk holds: the customer, the complete lines (with their visible numbers),
    and what is wrong or missing."""

    form: DeskForm
    formset: LineFormSet
    customer: Customer | None
    rows: list[tuple[int, LineInput]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def lines(self) -> list[LineInput]:
        return [line for _number, line in self.rows]

    @property
    def ship_complete(self) -> bool:
        return bool(self.form.cleaned_data.get("ship_complete"))

    def is_ready(self) -> bool:
        return self.customer is not None and bool(self.rows) and not self.errors


def _read_draft(data) -> Draft:
    products = _products()
    by_sku = {p.sku: p for p in products}
    form, formset = DeskForm(data), _formset(data, products)
    form.is_valid()
    formset.is_valid()
    code = form.cleaned_data.get("customer", "")
    customer = Customer.objects.filter(code=code).first() if code else None
    draft = Draft(form, formset, customer, errors=[str(e) for e in formset.non_form_errors()])
    if code and customer is None:
        draft.errors.append(_("No customer with code %(code)s.") % {"code": code})
    visible = [line_form for line_form in formset.forms if not line_form.is_deleted()]
    for number, line_form in enumerate(visible, 1):
        if line_form.errors:
            draft.errors.append(
                _("Line %(n)s: %(errors)s") % {"n": number, "errors": error_text(line_form)}
            )
        elif line_form.cleaned_data.get("product"):
            data = line_form.cleaned_data
            line = LineInput(
                by_sku[data["product"]],
                data["quantity"],
                data["requested_date"],
                data["accept_partial"],
                data["unit_price"],
            )
            draft.rows.append((number, line))
    return draft


def _decision(draft: Draft) -> dict:
    """The dry run's answer for the desk, or what is still missing before there can be one."""
    context: dict = {"problems": list(draft.errors)}
    if draft.customer is None:
        context["waiting"] = _("Choose a customer to see the decision.")
    elif not draft.rows:
        context["waiting"] = _("Choose a product and a quantity to see the decision.")
    else:
        try:
            evaluation = actions.check_order(
                draft.customer, draft.lines, ship_complete=draft.ship_complete
            )
        except ValidationError as error:
            context["problems"].extend(error.messages)
        else:
            answer = evaluation_answer(evaluation, draft.lines)
            context["answer"] = answer
            context["rows"] = [
                {"number": number, "product": line.product, "answer": line_answer}
                for (number, line), line_answer in zip(draft.rows, answer["lines"], strict=True)
            ]
    context["problems"] = list(dict.fromkeys(context["problems"]))
    return context


def _panel(customer: Customer | None, *, recheck: bool = False) -> dict:
    """The side panel: who the customer is and where their credit stands."""
    if customer is None:
        return {"customer": None}
    credit = credit_position(customer, queries.business_today())
    open_orders = queries.open_commitments_value(customer)
    limit = customer.credit_limit
    return {
        "customer": customer,
        "credit": credit,
        "open_orders": open_orders,
        "headroom": None if limit is None else limit - credit.open_balance - open_orders,
        "recheck": recheck,
    }


def _clean(text: str, length: int) -> str:
    return text.replace("\x00", "").strip()[:length]  # PostgreSQL refuses NUL in text


def _suggestions(text: str) -> list[Customer] | None:
    text = _clean(text, 100)
    if not text:
        return None
    return list(Customer.objects.active().search(text).order_by("name", "code")[:SUGGESTIONS])


def _promised_message(decision: str) -> str:
    return {
        Decision.COMMIT: _("Order %(order)s is promised as asked."),
        Decision.COUNTER: _(
            "Order %(order)s is recorded with counter-offers: accept one when the customer agrees."
        ),
        Decision.HOLD: _("Order %(order)s is on hold until a manager decides."),
        Decision.DECLINE: _("Order %(order)s is declined; the reasons are below."),
    }[decision]


@require_http_methods(["GET", "POST"])
@permission_required(PROMISE, raise_exception=True)
def desk(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _promise(request)
    code = _clean(request.GET.get("customer", ""), 32)
    customer = Customer.objects.filter(code=code).first() if code else None
    search = _clean(request.GET.get("q", ""), 100)
    context = {
        "form": DeskForm(),
        "formset": _formset(None, _products()),
        "panel": _panel(customer),
        "search": search,
        "suggestions": _suggestions(search),
        "decision": {"waiting": _("Choose a customer to see the decision.")}
        if customer is None
        else {"waiting": _("Choose a product and a quantity to see the decision.")},
    }
    return render(request, "kept/promising/desk.html", context)


def _promise(request: HttpRequest) -> HttpResponse:
    draft = _read_draft(request.POST)
    if draft.is_ready():
        try:
            order, _result = actions.promise_order(
                draft.customer,
                draft.lines,
                ship_complete=draft.ship_complete,
                note=draft.form.cleaned_data.get("note", ""),
                actor=request.user,
            )
        except ValidationError as error:
            draft.errors.extend(error.messages)
        else:
            messages.success(request, _promised_message(order.decision) % {"order": order.number})
            return redirect("promising:order", number=order.number)
    elif draft.customer is None:
        draft.errors.insert(0, _("Choose a customer first."))
    elif not draft.rows:
        draft.errors.append(_("Add at least one line with a product and a quantity."))
    messages.error(request, _("Nothing was promised yet: see what is missing below."))
    context = {
        "form": draft.form,
        "formset": draft.formset,
        "panel": _panel(draft.customer),
        "search": "",
        "suggestions": None,
        "decision": _decision(draft),
    }
    return render(request, "kept/promising/desk.html", context, status=INVALID)


@require_POST
@permission_required(PROMISE, raise_exception=True)
def check(request: HttpRequest) -> HttpResponse:
    """The dry run behind the desk: the decision as it would be now, writing nothing."""
    context = _decision(_read_draft(request.POST))
    return render(request, "kept/promising/_decision.html", {"decision": context})


@require_GET
@permission_required(PROMISE, raise_exception=True)
def customer_suggestions(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")
    context = {"suggestions": _suggestions(search), "search": search}
    return render(request, "kept/promising/_suggestion_items.html", context)


@require_GET
@permission_required(PROMISE, raise_exception=True)
def customer_panel(request: HttpRequest) -> HttpResponse:
    code = _clean(request.GET.get("code", ""), 32)
    customer = Customer.objects.filter(code=code).first() if code else None
    return render(request, "kept/promising/_customer_panel.html", _panel(customer, recheck=True))


# Availability -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    date: date
    atp: Decimal
    pab: Decimal
    height: int  # percent of the chart's height
    is_enough: bool
    is_requested: bool


@dataclass(frozen=True)
class Chart:
    product: Product
    on_hand: Decimal
    bars: list[Bar]
    quantity: Decimal | None
    quantity_height: int | None
    requested_date: date | None
    atp_on_requested_date: Decimal | None


def availability_chart(
    product: Product, quantity: Decimal | None = None, requested: date | None = None
) -> Chart:
    """ATP for today and the next days, scaled for bars; the requested quantity as a mark."""
    today = queries.business_today()
    timeline = queries.timeline(product, today)
    days = timeline.days(today, today + timedelta(days=CHART_DAYS - 1))
    top = max([d.atp for d in days] + [quantity or ZERO, Decimal(1)])

    def height(value: Decimal) -> int:
        return int(max(value, ZERO) * 100 / top)

    bars = [
        Bar(
            d.date,
            d.atp,
            d.pab,
            height(d.atp),
            quantity is None or d.atp >= quantity,
            d.date == requested,
        )
        for d in days
    ]
    return Chart(
        product,
        timeline.on_hand,
        bars,
        quantity,
        height(quantity) if quantity else None,
        requested,
        timeline.atp(requested) if requested else None,
    )


def _row_value(params, name: str) -> str:
    """A field of the line the request came from (its inputs are named ``lines-<n>-<name>``)."""
    if name in params:
        return params[name]
    return next((value for key, value in params.items() if key.endswith(f"-{name}")), "")


def _date_or_none(text: str) -> date | None:
    try:
        return parse_date(text)
    except ValueError:
        return None


@require_GET
@permission_required(PROMISE, raise_exception=True)
def availability(request: HttpRequest) -> HttpResponse:
    sku = _clean(_row_value(request.GET, "product"), 32)
    product = Product.objects.filter(sku=sku).first() if sku else None
    if product is None:
        return HttpResponse("")
    quantity = decimal_or_none(_row_value(request.GET, "quantity")[:40])
    requested = _date_or_none(_row_value(request.GET, "requested_date")[:10])
    chart = availability_chart(product, quantity if quantity and quantity > 0 else None, requested)
    return render(request, "kept/promising/_availability.html", {"chart": chart})
