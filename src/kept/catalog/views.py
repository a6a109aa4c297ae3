"""Pages for products, stock and receipts. Reads come from queries, writes go through actions."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kept.catalog import actions, queries
from kept.catalog.choices import ReceiptStatus
from kept.catalog.forms import (
    ANY_STATUS,
    CancelForm,
    MovementFilterForm,
    MovementForm,
    ProductFilterForm,
    ProductForm,
    ReceiptFilterForm,
    ReceiptForm,
    ReceiveForm,
    RescheduleForm,
    apply_errors,
)
from kept.catalog.models import Product, Receipt
from kept.core.roles import can_see_financials

PER_PAGE = 50
INVALID = 422  # a form with errors is re-shown with this status
MAX_ID = 2**63 - 1  # larger ids in a URL would overflow the database integer


def _page(request: HttpRequest, queryset, param: str = "page") -> Page:
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get(param))


def _back(request: HttpRequest, default: str) -> HttpResponse:
    """Redirect to the page the form came from (``next``) when it is ours, else ``default``."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


# Products ---------------------------------------------------------------------------------


@require_GET
@permission_required("catalog.view_product", raise_exception=True)
def products(request: HttpRequest) -> HttpResponse:
    filter_form = ProductFilterForm(request.GET)
    filters = queries.ProductFilters(
        search=filter_form.cleaned_data.get("q", "") if filter_form.is_valid() else "",
        sellable=filter_form.flag("sellable"),
        consumable=filter_form.flag("consumable"),
    )
    page = _page(request, queries.product_list(filters))
    context = {"filter_form": filter_form, "page": page}
    return render(request, "kept/catalog/products.html", context)


def _gross_margin(product: Product) -> Decimal | None:
    if not product.price:
        return None
    return (product.price - product.cost) / product.price * 100


@require_GET
@permission_required("catalog.view_product", raise_exception=True)
def product(request: HttpRequest, sku: str) -> HttpResponse:
    found = get_object_or_404(queries.product_by_sku(sku))
    user = request.user
    context = {
        "product": found,
        "margin": _gross_margin(found) if can_see_financials(user) else None,
        "movements": queries.recent_movements(found)
        if user.has_perm("catalog.view_stockmovement")
        else None,
        "receipts": queries.open_receipts(found) if user.has_perm("catalog.view_receipt") else None,
    }
    return render(request, "kept/catalog/product_detail.html", context)


def _show_product_form(request, form, product=None) -> HttpResponse:
    context = {"form": form, "product": product}
    status = INVALID if form.errors else 200
    return render(request, "kept/catalog/product_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@permission_required("catalog.add_product", raise_exception=True)
def product_create(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = ProductForm(data, show_cost=can_see_financials(request.user))
    if data is not None and form.is_valid():
        try:
            created = actions.create_product(form.cleaned_data, actor=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Product %(sku)s created.") % {"sku": created.sku})
            return redirect("catalog:product", sku=created.sku)
    return _show_product_form(request, form)


@require_http_methods(["GET", "POST"])
@permission_required("catalog.change_product", raise_exception=True)
def product_edit(request: HttpRequest, sku: str) -> HttpResponse:
    stored = get_object_or_404(queries.product_by_sku(sku))
    data = request.POST if request.method == "POST" else None
    # The form validates on its own copy, so the action still sees the stored values to audit.
    form = ProductForm(
        data,
        instance=Product.objects.get(pk=stored.pk),
        show_cost=can_see_financials(request.user),
    )
    if data is not None and form.is_valid():
        try:
            actions.update_product(stored, form.cleaned_data, actor=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Product %(sku)s saved.") % {"sku": stored.sku})
            return redirect("catalog:product", sku=stored.sku)
    return _show_product_form(request, form, stored)


# Stock ------------------------------------------------------------------------------------


def _show_stock(request: HttpRequest, movement_form: Form, status: int = 200) -> HttpResponse:
    filter_form = MovementFilterForm(request.GET)
    filter_form.is_valid()  # use what is valid, show errors for the rest
    search = request.GET.get("q", "")[:100]
    context = {
        "search": search,
        "levels": _page(request, queries.stock_levels(search)),
        "filter_form": filter_form,
        "ledger": _page(
            request,
            queries.movement_list(queries.MovementFilters(**filter_form.cleaned_data)),
            "ledger_page",
        ),
        "movement_form": movement_form
        if request.user.has_perm("catalog.add_stockmovement")
        else None,
    }
    return render(request, "kept/catalog/stock.html", context, status=status)


@require_GET
@permission_required("catalog.view_stockmovement", raise_exception=True)
def stock(request: HttpRequest) -> HttpResponse:
    return _show_stock(request, MovementForm(initial={"product": request.GET.get("product")}))


@require_POST
@permission_required("catalog.add_stockmovement", raise_exception=True)
def record_movement(request: HttpRequest) -> HttpResponse:
    form = MovementForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            movement = actions.record_manual_movement(
                data["product"],
                data["quantity"],
                data["reason"],
                note=data["note"],
                actor=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _movement_message(movement))
            return _back(request, reverse("catalog:stock"))
    return _show_stock(request, form, status=INVALID)


def _movement_message(movement) -> str:
    return _("Recorded %(quantity)s %(unit)s of %(sku)s (%(reason)s); on hand now %(balance)s.") % {
        "quantity": f"{movement.quantity:+}",
        "unit": movement.product.unit,
        "sku": movement.product.sku,
        "reason": movement.get_reason_display(),
        "balance": movement.balance_after,
    }


# Receipts ---------------------------------------------------------------------------------


def _receipt_filters(request: HttpRequest) -> tuple[ReceiptFilterForm, queries.ReceiptFilters]:
    data = request.GET.copy()
    data.setdefault("status", ReceiptStatus.SCHEDULED)  # the open ones, unless asked otherwise
    form = ReceiptFilterForm(data)
    form.is_valid()
    values = dict(form.cleaned_data)
    if values.get("status") == ANY_STATUS:
        values["status"] = ""
    return form, queries.ReceiptFilters(**values)


def _show_receipts(request: HttpRequest, schedule_form: Form, status: int = 200) -> HttpResponse:
    filter_form, filters = _receipt_filters(request)
    context = {
        "filter_form": filter_form,
        "page": _page(request, queries.receipt_list(filters)),
        "schedule_form": schedule_form if request.user.has_perm("catalog.add_receipt") else None,
    }
    return render(request, "kept/catalog/receipts.html", context, status=status)


@require_GET
@permission_required("catalog.view_receipt", raise_exception=True)
def receipts(request: HttpRequest) -> HttpResponse:
    return _show_receipts(request, ReceiptForm(initial={"product": request.GET.get("product")}))


@require_POST
@permission_required("catalog.add_receipt", raise_exception=True)
def schedule_receipt(request: HttpRequest) -> HttpResponse:
    form = ReceiptForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            receipt = actions.schedule_receipt(
                data["product"],
                data["quantity"],
                data["expected_date"],
                reference=data["reference"],
                actor=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Receipt scheduled: %(receipt)s.") % {"receipt": receipt})
            return _back(request, reverse("catalog:receipts"))
    return _show_receipts(request, form, status=INVALID)


def _change_receipt(
    request: HttpRequest, receipt_id: int, form: Form, write: Callable[[Receipt, dict], str]
) -> HttpResponse:
    """Run one row action on a receipt; success or the reason it failed goes to messages."""
    if receipt_id > MAX_ID:
        raise Http404
    receipt = get_object_or_404(Receipt.objects.select_related("product"), pk=receipt_id)
    try:
        if not form.is_valid():
            raise ValidationError([m for messages_ in form.errors.values() for m in messages_])
        messages.success(request, write(receipt, form.cleaned_data))
    except ValidationError as error:
        text = " ".join(error.messages)
        messages.error(
            request, _("Receipt %(receipt)s: %(error)s") % {"receipt": receipt, "error": text}
        )
    return _back(request, reverse("catalog:receipts"))


@require_POST
@permission_required("catalog.change_receipt", raise_exception=True)
def receive_receipt(request: HttpRequest, receipt_id: int) -> HttpResponse:
    def write(receipt: Receipt, data: dict) -> str:
        quantity = data["quantity"] or receipt.quantity
        actions.receive_receipt(receipt, quantity=quantity, actor=request.user)
        return _("Received %(quantity)s %(unit)s of %(sku)s into stock.") % {
            "quantity": quantity,
            "unit": receipt.product.unit,
            "sku": receipt.product.sku,
        }

    return _change_receipt(request, receipt_id, ReceiveForm(request.POST), write)


@require_POST
@permission_required("catalog.change_receipt", raise_exception=True)
def reschedule_receipt(request: HttpRequest, receipt_id: int) -> HttpResponse:
    def write(receipt: Receipt, data: dict) -> str:
        done = actions.reschedule_receipt(
            receipt, data["expected_date"], actor=request.user, reason=data["reason"]
        )
        return _("Receipt %(receipt)s rescheduled.") % {"receipt": done}

    return _change_receipt(request, receipt_id, RescheduleForm(request.POST), write)


@require_POST
@permission_required("catalog.change_receipt", raise_exception=True)
def cancel_receipt(request: HttpRequest, receipt_id: int) -> HttpResponse:
    def write(receipt: Receipt, data: dict) -> str:
        done = actions.cancel_receipt(receipt, actor=request.user, reason=data["reason"])
        return _("Receipt %(receipt)s cancelled.") % {"receipt": done}

    return _change_receipt(request, receipt_id, CancelForm(request.POST), write)
