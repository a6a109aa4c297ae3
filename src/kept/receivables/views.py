"""Pages for invoices, payments and ageing. Reads come from queries, writes go through actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kept.customers.models import Customer
from kept.receivables import actions, ageing, queries
from kept.receivables.choices import BUCKET_LABELS, InvoiceStatus
from kept.receivables.forms import (
    AgeingFilterForm,
    AllocateForm,
    InvoiceFilterForm,
    InvoiceForm,
    PaymentFilterForm,
    PaymentForm,
    apply_errors,
    valid_filters,
)
from kept.receivables.models import Payment, cents

PER_PAGE = 50
INVALID = 422  # a form with errors is re-shown with this status
MAX_ID = 2**63 - 1  # larger ids in a URL would overflow the database integer
CHART_HEIGHT = 160  # px of the tallest bar in the ageing chart


def _page(request: HttpRequest, queryset) -> Page:
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


# Invoices ---------------------------------------------------------------------------------


@require_GET
@permission_required("receivables.view_invoice", raise_exception=True)
def invoices(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    filter_form = InvoiceFilterForm(request.GET)
    found = queries.invoice_list(queries.InvoiceFilters(**valid_filters(filter_form)), today)
    context = {
        "filter_form": filter_form,
        "page": _page(request, found),
        "totals": queries.invoice_totals(found, today),
    }
    return render(request, "kept/receivables/invoices.html", context)


def _invoice_or_404(number: str):
    return get_object_or_404(queries.invoice_by_number(number, timezone.localdate()))


@require_GET
@permission_required("receivables.view_invoice", raise_exception=True)
def invoice(request: HttpRequest, number: str) -> HttpResponse:
    found = _invoice_or_404(number)
    context = {"invoice": found, "allocations": queries.invoice_allocations(found)}
    if request.user.has_perm("receivables.add_allocation") and found.status != InvoiceStatus.PAID:
        context.update(_allocate_context(found))
    return render(request, "kept/receivables/invoice.html", context)


def _allocate_context(found) -> dict:
    """The customer's payments with credit, and a form to allocate the oldest one here."""
    payments = queries.payments_with_credit(found.customer_id)
    oldest = payments.first()
    if oldest is None:
        return {"may_allocate": True, "allocate_form": None}
    amount = min(cents(oldest.unallocated_amount), cents(found.open_amount))
    form = AllocateForm(initial={"payment": oldest, "amount": amount}, payments=payments)
    return {"may_allocate": True, "allocate_form": form}


@require_POST
@permission_required("receivables.add_allocation", raise_exception=True)
def allocate(request: HttpRequest, number: str) -> HttpResponse:
    """Allocate part of one of the customer's payments (their credit) to this invoice."""
    found = _invoice_or_404(number)
    form = AllocateForm(request.POST, payments=Payment.objects.filter(customer=found.customer_id))
    try:
        if not form.is_valid():
            raise ValidationError([m for errors in form.errors.values() for m in errors])
        data = form.cleaned_data
        actions.allocate_payment(data["payment"], found, data["amount"], actor=request.user)
    except ValidationError as error:
        messages.error(
            request, _("Nothing was allocated: %(error)s") % {"error": " ".join(error.messages)}
        )
    else:
        messages.success(
            request,
            _("Allocated %(amount)s of payment #%(payment)s to %(number)s.")
            % {"amount": data["amount"], "payment": data["payment"].pk, "number": found.number},
        )
    return redirect("receivables:invoice", number=found.number)


@require_http_methods(["GET", "POST"])
@permission_required("receivables.add_invoice", raise_exception=True)
def invoice_create(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = InvoiceForm(data, initial={"customer": request.GET.get("customer", "")[:32]})
    if data is not None and form.is_valid():
        values = dict(form.cleaned_data)
        try:
            issued = actions.issue_invoice(
                values.pop("customer"),
                values.pop("amount"),
                values.pop("issue_date"),
                **values,
                actor=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Invoice %(number)s issued.") % {"number": issued.number})
            return redirect("receivables:invoice", number=issued.number)
    status = INVALID if form.errors else 200
    return render(request, "kept/receivables/invoice_form.html", {"form": form}, status=status)


# Payments ---------------------------------------------------------------------------------


@require_GET
@permission_required("receivables.view_payment", raise_exception=True)
def payments(request: HttpRequest) -> HttpResponse:
    filter_form = PaymentFilterForm(request.GET)
    found = queries.payment_list(queries.PaymentFilters(**valid_filters(filter_form)))
    context = {
        "filter_form": filter_form,
        "page": _page(request, found),
        "totals": queries.payment_totals(found),
    }
    return render(request, "kept/receivables/payments.html", context)


@require_GET
@permission_required("receivables.view_payment", raise_exception=True)
def payment(request: HttpRequest, payment_id: int) -> HttpResponse:
    if payment_id > MAX_ID:
        raise Http404
    found = get_object_or_404(queries.payment_list().filter(pk=payment_id))
    context = {"payment": found, "allocations": queries.payment_allocations(found)}
    return render(request, "kept/receivables/payment.html", context)


def _customer_for_payment(request: HttpRequest) -> Customer | None:
    code = (request.POST.get("customer") or request.GET.get("customer") or "").strip()
    if not code or "\x00" in code or len(code) > 32:
        return None
    return Customer.objects.filter(code=code).first()


@require_http_methods(["GET", "POST"])
@permission_required("receivables.add_payment", raise_exception=True)
def payment_create(request: HttpRequest) -> HttpResponse:
    """Record a payment. With ?customer=CODE the form lists that customer's open invoices,
    so the amount can be allocated to chosen ones."""
    customer = _customer_for_payment(request)
    today = timezone.localdate()
    open_invoices = list(queries.open_invoices(customer.pk, today)) if customer else []
    data = request.POST if request.method == "POST" else None
    initial = {"customer": customer.code if customer else ""}
    form = PaymentForm(data, initial=initial, open_invoices=open_invoices)
    if data is not None and form.is_valid():
        recorded = _record_payment(request, form)
        if recorded is not None:
            return redirect("receivables:payment", payment_id=recorded.pk)
    asked = request.GET.get("customer", "").strip()[:32]
    context = {"form": form, "customer": customer, "position": None}
    context["unknown_code"] = asked if asked and customer is None else ""
    if customer:
        context["position"] = queries.credit_position(customer, today)
    status = INVALID if form.errors else 200
    return render(request, "kept/receivables/payment_form.html", context, status=status)


def _record_payment(request: HttpRequest, form: PaymentForm) -> Payment | None:
    data = form.cleaned_data
    try:
        recorded = actions.record_payment(
            data["customer"],
            data["amount"],
            data["received_on"],
            method=data["method"],
            reference=data["reference"],
            allocate=form.allocation(),
            actor=request.user,
        )
    except ValidationError as error:
        apply_errors(form, error)
        return None
    messages.success(
        request,
        _("Payment of %(amount)s from %(customer)s recorded.")
        % {"amount": recorded.amount, "customer": data["customer"].name},
    )
    return recorded


# Ageing -----------------------------------------------------------------------------------


@require_GET
@permission_required("receivables.view_invoice", raise_exception=True)
def ageing_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    filter_form = AgeingFilterForm(request.GET)
    filters = valid_filters(filter_form)
    group = filters["group"].code if "group" in filters else None
    owner = filters["owner"].pk if "owner" in filters else None
    page = _page(request, queries.ageing_rows(today, group, owner))
    totals = queries.ageing_totals(today, group, owner)
    labels = [BUCKET_LABELS[bucket.key] for bucket in ageing.BUCKETS]
    rows = [queries.ageing_row(values, today) for values in page]
    context = {
        "today": today,
        "labels": labels,
        "filter_form": filter_form,
        "page": page,
        "rows": [(row, list(zip(labels, row.amounts, strict=True))) for row in rows],
        "totals": totals,
        "total_cells": list(zip(labels, totals.amounts, strict=True)),
        "bars": _bars(totals),
        "dso": queries.dso(today, group=group, owner=owner),
    }
    return render(request, "kept/receivables/ageing.html", context)


def _bars(totals: queries.AgeingRow) -> list[dict]:
    """The bucket totals as bars of an inline SVG chart, the largest CHART_HEIGHT px tall."""
    largest = max(totals.amounts) or 1
    bars = []
    for index, (bucket, amount) in enumerate(zip(ageing.BUCKETS, totals.amounts, strict=True)):
        height = round(float(amount / largest) * CHART_HEIGHT, 1)
        bars.append(
            {
                "label": BUCKET_LABELS[bucket.key],
                "short": _("Current") if bucket is ageing.CURRENT else bucket.name,
                "amount": amount,
                "x": 5 + index * 67,
                "center": 33 + index * 67,
                "y": 20 + CHART_HEIGHT - height,
                "label_y": 14 + CHART_HEIGHT - height,
                "height": height,
            }
        )
    return bars
