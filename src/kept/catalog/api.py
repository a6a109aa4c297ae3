"""/api/v1/products, /stock, /stock/targets and /receipts: the catalog and its stock over REST."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from kept.catalog import actions, queries, stock_targets
from kept.catalog.models import Product, Receipt
from kept.catalog.schemas import (
    CancelIn,
    MovementIn,
    MovementOut,
    MovementPage,
    MovementQuery,
    ProductFields,
    ProductIn,
    ProductOut,
    ProductPage,
    ProductPatch,
    ProductQuery,
    ReceiptIn,
    ReceiptOut,
    ReceiptPage,
    ReceiptQuery,
    ReceiveIn,
    RescheduleIn,
    StockPage,
    StockQuery,
    StockTargetPage,
    StockTargetQuery,
)
from kept.core.api_support import ERRORS, ApiError, needs
from kept.core.roles import can_see_financials

router = Router(tags=["catalog"])
RECEIPT_ID = Path(..., ge=1, le=2**63 - 1)


def _page(queryset, page) -> dict:
    items = list(queryset[page.offset : page.offset + page.limit])
    return {"count": queryset.count(), "items": items}


def _product(sku: str) -> Product:
    return get_object_or_404(queries.product_by_sku(sku))


def _referenced_product(sku: str) -> Product:
    """A product named in a request body: unknown is invalid input (422), not a missing page."""
    product = Product.objects.filter(sku=sku).first()
    if product is None:
        raise ValidationError({"product": _("No product with SKU %(sku)s.") % {"sku": sku}})
    return product


def _receipt(receipt_id: int) -> Receipt:
    return get_object_or_404(queries.receipt_by_id(receipt_id))


# Products ---------------------------------------------------------------------------------


@router.get("/products", response={200: ProductPage, **ERRORS}, auth=needs("catalog.view_product"))
def list_products(request: HttpRequest, query: Query[ProductQuery]):
    """Products with on-hand stock; `cost` only for roles that see financials."""
    filters = queries.ProductFilters(query.q, query.sellable, query.consumable)
    return _page(queries.product_list(filters), query)


@router.post(
    "/products",
    response={201: ProductOut, **ERRORS},
    auth=needs("catalog.add_product", "core.view_financials"),
)
def create_product(request: HttpRequest, payload: ProductIn):
    if Product.objects.filter(sku=payload.sku).exists():
        raise ApiError(
            409, "duplicate", _("A product with SKU %(sku)s already exists.") % {"sku": payload.sku}
        )
    product = actions.create_product(payload.dict(), actor=request.user)
    return Status(201, _product(product.sku))


@router.get(
    "/products/{sku}", response={200: ProductOut, **ERRORS}, auth=needs("catalog.view_product")
)
def get_product(request: HttpRequest, sku: str):
    return _product(sku)


def _update_product(request: HttpRequest, sku: str, values: dict) -> Product:
    if "cost" in values and not can_see_financials(request.user):
        raise PermissionDenied
    actions.update_product(_product(sku), values, actor=request.user)
    return _product(sku)


@router.put(
    "/products/{sku}", response={200: ProductOut, **ERRORS}, auth=needs("catalog.change_product")
)
def replace_product(request: HttpRequest, sku: str, payload: ProductFields):
    """Replace every field but the SKU (which never changes)."""
    return _update_product(request, sku, payload.dict())


@router.patch(
    "/products/{sku}", response={200: ProductOut, **ERRORS}, auth=needs("catalog.change_product")
)
def patch_product(request: HttpRequest, sku: str, payload: ProductPatch):
    return _update_product(request, sku, payload.dict(exclude_unset=True))


# Stock ------------------------------------------------------------------------------------


@router.get("/stock", response={200: StockPage, **ERRORS}, auth=needs("catalog.view_stocklevel"))
def list_stock(request: HttpRequest, query: Query[StockQuery]):
    """On-hand per product, with the quantity on open receipts and the next expected date."""
    return _page(queries.stock_levels(query.q), query)


@router.get(
    "/stock/movements",
    response={200: MovementPage, **ERRORS},
    auth=needs("catalog.view_stockmovement"),
)
def list_movements(request: HttpRequest, query: Query[MovementQuery]):
    """The stock ledger, newest first."""
    filters = queries.MovementFilters(
        query.product, query.reason or "", query.date_from, query.date_to
    )
    return _page(queries.movement_list(filters), query)


@router.post(
    "/stock/movements",
    response={201: MovementOut, **ERRORS},
    auth=needs("catalog.add_stockmovement"),
)
def record_movement(request: HttpRequest, payload: MovementIn):
    """Record a manual movement; on-hand may not go below zero."""
    movement = actions.record_manual_movement(
        _referenced_product(payload.product),
        payload.quantity,
        payload.reason,
        note=payload.note,
        actor=request.user,
    )
    return Status(201, movement)


@router.get(
    "/stock/targets",
    response={200: StockTargetPage, **ERRORS},
    auth=needs("catalog.view_stocklevel", "catalog.add_receipt"),
)
def list_stock_targets(request: HttpRequest, query: Query[StockTargetQuery]):
    """Per product: the stock the service-level target needs, the stock position, the verdict.

    Percentages in and out (95 = 95 %). Holding costs only for roles that see financials.
    """
    settings = stock_targets.settings_from_percentages(
        cycle_service_level=query.cycle_service_level,
        fill_rate=query.fill_rate,
        window_days=query.window_days,
        review_days=query.review_days,
        order_days=query.order_days,
        holding_rate=query.holding_rate,
    )
    products = stock_targets.target_products(query.q)
    page = list(products[query.offset : query.offset + query.limit])
    return {
        "count": products.count(),
        "first_day": settings.first_day,
        "last_day": settings.last_day,
        "items": stock_targets.stock_target_rows(page, settings),
    }


# Receipts ---------------------------------------------------------------------------------


@router.get("/receipts", response={200: ReceiptPage, **ERRORS}, auth=needs("catalog.view_receipt"))
def list_receipts(request: HttpRequest, query: Query[ReceiptQuery]):
    filters = queries.ReceiptFilters(
        query.status or "", query.product, query.date_from, query.date_to
    )
    return _page(queries.receipt_list(filters), query)


@router.post("/receipts", response={201: ReceiptOut, **ERRORS}, auth=needs("catalog.add_receipt"))
def schedule_receipt(request: HttpRequest, payload: ReceiptIn):
    receipt = actions.schedule_receipt(
        _referenced_product(payload.product),
        payload.quantity,
        payload.expected_date,
        reference=payload.reference,
        actor=request.user,
    )
    return Status(201, _receipt(receipt.pk))


@router.get(
    "/receipts/{receipt_id}",
    response={200: ReceiptOut, **ERRORS},
    auth=needs("catalog.view_receipt"),
)
def get_receipt(request: HttpRequest, receipt_id: int = RECEIPT_ID):
    return _receipt(receipt_id)


@router.patch(
    "/receipts/{receipt_id}",
    response={200: ReceiptOut, **ERRORS},
    auth=needs("catalog.change_receipt"),
)
def reschedule_receipt(request: HttpRequest, payload: RescheduleIn, receipt_id: int = RECEIPT_ID):
    """Move the expected date of an open receipt."""
    actions.reschedule_receipt(
        _receipt(receipt_id), payload.expected_date, actor=request.user, reason=payload.reason
    )
    return _receipt(receipt_id)


@router.post(
    "/receipts/{receipt_id}/receive",
    response={200: ReceiptOut, **ERRORS},
    auth=needs("catalog.change_receipt"),
)
def receive_receipt(
    request: HttpRequest, payload: ReceiveIn | None = None, receipt_id: int = RECEIPT_ID
):
    """Book the receipt into stock: the quantity actually received, default the expected one."""
    quantity = payload.quantity if payload else None
    actions.receive_receipt(_receipt(receipt_id), quantity=quantity, actor=request.user)
    return _receipt(receipt_id)


@router.post(
    "/receipts/{receipt_id}/cancel",
    response={200: ReceiptOut, **ERRORS},
    auth=needs("catalog.change_receipt"),
)
def cancel_receipt(request: HttpRequest, payload: CancelIn, receipt_id: int = RECEIPT_ID):
    actions.cancel_receipt(_receipt(receipt_id), actor=request.user, reason=payload.reason)
    return _receipt(receipt_id)
