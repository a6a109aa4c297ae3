"""Orders: the list, one order with its lines, offers and promise ledger, and the writes on it
(accept an offer, approve or reject a hold, change a promise, cancel). Every write is a POST
that redirects back to the order with a message; an action's refusal is a message, not a 500."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kept.core.models import AuditEntry
from kept.core.pages import query_without_page
from kept.promising import actions, queries
from kept.promising.choices import Decision, LineStatus
from kept.promising.forms import (
    AcceptForm,
    CancelForm,
    ChangeForm,
    OrderFilterForm,
    ReasonForm,
    error_text,
)
from kept.promising.models import Order, OrderLine
from kept.promising.present import order_answer

VIEW, CHANGE, APPROVE = "promising.view_order", "promising.change_order", "promising.approve_hold"
PER_PAGE = 50
HISTORY = {
    "order.approve": lambda: _("Hold approved"),
    "order.reject": lambda: _("Hold rejected"),
    "order.cancel": lambda: _("Order cancelled"),
    "promise.agreed": lambda: _("Promise changed with the customer's agreement"),
    "promise.unilateral": lambda: _("Promise changed by us"),
}


def attach_line_counts(orders: list[Order]) -> list[Order]:
    """Set line_count, promised, offered and held on each order: one query for the page,
    however many orders the list holds (a GROUP BY over all of them would not scale)."""
    counted = Count("pk")
    rows = (
        OrderLine.objects.filter(order__in=orders)
        .order_by()
        .values("order_id")
        .annotate(
            line_count=counted,
            promised=Count("pk", filter=Q(status=LineStatus.PROMISED)),
            offered=Count("pk", filter=Q(status=LineStatus.OFFERED)),
            held=Count("pk", filter=Q(status=LineStatus.HELD)),
        )
    )
    by_order = {row.pop("order_id"): row for row in rows} if orders else {}
    empty = {"line_count": 0, "promised": 0, "offered": 0, "held": 0}
    for order in orders:
        for name, value in by_order.get(order.pk, empty).items():
            setattr(order, name, value)
    return orders


def _matching(text: str):
    if not text:
        return Q()
    return (
        Q(number__iexact=text)
        | Q(customer__code__iexact=text)
        | Q(customer__name__icontains=text)
        | Q(customer__alias__icontains=text)
    )


@require_GET
@permission_required(VIEW, raise_exception=True)
def order_list(request: HttpRequest) -> HttpResponse:
    form = OrderFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {"q": "", "decision": ""}
    orders = Order.objects.select_related("customer").filter(_matching(filters["q"]))
    if filters["decision"]:
        orders = orders.filter(decision=filters["decision"])
    page = Paginator(orders.order_by("-created_at", "-id"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    attach_line_counts(list(page.object_list))
    counts = dict(
        Order.objects.filter(_matching(filters["q"]))
        .order_by()
        .values_list("decision")
        .annotate(n=Count("pk"))
    )
    context = {
        "form": form,
        "page": page,
        "counts": [(value, label, counts.get(value, 0)) for value, label in Decision.choices],
        "total": sum(counts.values()),
        "query_string": query_without_page(request),
    }
    template = (
        "kept/promising/_order_results.html" if request.htmx else "kept/promising/orders.html"
    )
    return render(request, template, context)


def _plain(quantity: Decimal) -> Decimal:
    """8.000 → 8 and 2.500 → 2.5 (without the exponent normalize() gives 100)."""
    return (
        quantity.quantize(Decimal(1))
        if quantity == quantity.to_integral()
        else quantity.normalize()
    )


def _history(order: Order) -> list[dict]:
    entries = AuditEntry.objects.filter(
        object_type=Order._meta.label_lower, object_id=str(order.pk), action__in=HISTORY
    ).select_related("actor")
    return [
        {"entry": entry, "label": HISTORY[entry.action](), "line": entry.changes.get("line")}
        for entry in entries
    ]


@require_GET
@permission_required(VIEW, raise_exception=True)
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    try:
        order = queries.order_with_lines(number)
    except Order.DoesNotExist:
        raise Http404 from None
    answer = order_answer(order)
    lines = sorted(order.lines.all(), key=lambda line: line.number)
    rows = []
    for line, line_answer in zip(lines, answer["lines"], strict=True):
        change_form = None
        if line_answer["promised_quantity"] is not None:
            initial = {
                "quantity": _plain(line_answer["promised_quantity"]),
                "date": line_answer["promised_date"],
            }
            change_form = ChangeForm(initial=initial)
        figures = {version.number: version.figures for version in line.versions.all()}
        versions = [
            {**version, "figures": figures.get(version["version"], {})}
            for version in line_answer["versions"]
        ]
        rows.append(
            {"line": line, "answer": line_answer, "versions": versions, "change_form": change_form}
        )
    context = {
        "order": order,
        "answer": answer,
        "rows": rows,
        "is_held": any(line.status == LineStatus.HELD for line in lines),
        "reason_form": ReasonForm(),
        "cancel_form": CancelForm(),
        "history": _history(order),
    }
    return render(request, "kept/promising/order.html", context)


def _refusal(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You may not do this.")


def _back(number: str, line: int | None = None) -> HttpResponse:
    url = reverse("promising:order", args=[number])
    return redirect(f"{url}#line-{line}" if line else url)


def _attempt(request: HttpRequest, write: Callable[[], object]) -> object | None:
    """Run the action; its refusal becomes an error message (None), never a 500."""
    try:
        return write()
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _refusal(error))
        return None


@require_POST
@permission_required(CHANGE, raise_exception=True)
def accept(request: HttpRequest, number: str) -> HttpResponse:
    """One click on an offer: re-checked now; if the stock went meanwhile, fresh offers."""
    order = get_object_or_404(Order, number=number)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an offer to accept."))
        return _back(number)
    line, offer = form.cleaned_data["line"], form.cleaned_data["offer"]
    result = _attempt(request, lambda: actions.accept_offer(order, line, offer, actor=request.user))
    if result is not None and result.accepted:
        messages.success(
            request,
            _("Offer %(offer)s on line %(line)s accepted: the promise is recorded.")
            % {"offer": offer, "line": line},
        )
    elif result is not None:
        messages.warning(
            request,
            _(
                "The stock for offer %(offer)s went in the meantime, so nothing was promised. "
                "Line %(line)s was checked again: the fresh answer is below."
            )
            % {"offer": offer, "line": line},
        )
    return _back(number, line)


def _decide_hold(request: HttpRequest, number: str, decide, done: str) -> HttpResponse:
    order = get_object_or_404(Order, number=number)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for the decision."))
        return _back(number)
    reason = form.cleaned_data["reason"]
    if _attempt(request, lambda: decide(order, actor=request.user, reason=reason)) is not None:
        messages.success(request, done % {"order": number})
    return _back(number)


@require_POST
@permission_required(APPROVE, raise_exception=True)
def approve(request: HttpRequest, number: str) -> HttpResponse:
    return _decide_hold(
        request,
        number,
        actions.approve_hold,
        _("Order %(order)s approved; its lines were checked against stock again."),
    )


@require_POST
@permission_required(APPROVE, raise_exception=True)
def reject(request: HttpRequest, number: str) -> HttpResponse:
    return _decide_hold(request, number, actions.reject_hold, _("Order %(order)s rejected."))


@require_POST
@permission_required(CHANGE, raise_exception=True)
def change(request: HttpRequest, number: str, line: int) -> HttpResponse:
    order_line = get_object_or_404(OrderLine, order__number=number, number=line)
    form = ChangeForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("The promise was not changed: %(errors)s") % {"errors": error_text(form)},
        )
        return _back(number, line)
    data = form.cleaned_data
    changed = _attempt(
        request,
        lambda: actions.change_promise(
            order_line,
            data["quantity"],
            data["date"],
            kind=data["kind"],
            reason=data["reason"],
            actor=request.user,
        ),
    )
    if changed is not None:
        messages.success(request, _("Line %(line)s has a new promise version.") % {"line": line})
    return _back(number, line)


@require_POST
@permission_required(CHANGE, raise_exception=True)
def cancel(request: HttpRequest, number: str) -> HttpResponse:
    order = get_object_or_404(Order, number=number)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("The order was not cancelled: %(errors)s") % {"errors": error_text(form)}
        )
        return _back(number)
    data = form.cleaned_data
    cancelled = _attempt(
        request,
        lambda: actions.cancel_order(
            order, by=data["by"], reason=data["reason"], actor=request.user
        ),
    )
    if cancelled is not None:
        messages.success(
            request, _("Order %(order)s cancelled; its stock is free again.") % {"order": number}
        )
    return _back(number)
