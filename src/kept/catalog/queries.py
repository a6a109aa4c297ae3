"""Reads for products, stock, movements and receipts: querysets annotated in SQL, no N+1."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import (
    Count,
    DateField,
    DecimalField,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from kept.catalog.choices import ReceiptStatus
from kept.catalog.models import QUANTITY, Product, Receipt, StockMovement

RECENT_MOVEMENTS = 20
# Bounds outside these are no bound at all; beyond them the UTC conversion would overflow.
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(9999, 12, 30)


def _quantity(expression) -> Coalesce:
    return Coalesce(expression, Value(Decimal(0)), output_field=DecimalField(**QUANTITY))


def _open_receipts_of_product():
    return Receipt.objects.filter(product=OuterRef("pk"), status=ReceiptStatus.SCHEDULED).order_by()


def _per_product(aggregate, output_field):
    rows = _open_receipts_of_product().values("product").annotate(value=aggregate)
    return Subquery(rows.values("value"), output_field=output_field)


def with_stock(products: QuerySet[Product]) -> QuerySet[Product]:
    """Annotate on_hand, incoming (open receipts), open_receipts and next_receipt_date."""
    return products.annotate(
        on_hand=_quantity("stock__on_hand"),
        incoming=_quantity(_per_product(Sum("quantity"), DecimalField(**QUANTITY))),
        open_receipts=Coalesce(_per_product(Count("pk"), IntegerField()), Value(0)),
        next_receipt_date=_per_product(Min("expected_date"), DateField()),
    )


@dataclass(frozen=True)
class ProductFilters:
    search: str = ""
    sellable: bool | None = None
    consumable: bool | None = None


def product_list(filters: ProductFilters | None = None) -> QuerySet[Product]:
    """Products matching the filters, each with its on-hand and incoming stock."""
    filters = filters or ProductFilters()
    products = Product.objects.all()
    text = filters.search.replace("\x00", "").strip()  # PostgreSQL refuses NUL in text
    if text:
        products = products.filter(Q(sku__icontains=text) | Q(name__icontains=text))
    if filters.sellable is not None:
        products = products.filter(sellable=filters.sellable)
    if filters.consumable is not None:
        products = products.filter(consumable=filters.consumable)
    return with_stock(products).order_by("sku")


def product_by_sku(sku: str) -> QuerySet[Product]:
    """The one product with this SKU (or none), annotated like the list."""
    if "\x00" in sku:  # never a SKU, and PostgreSQL refuses NUL in text
        return Product.objects.none()
    return with_stock(Product.objects.filter(sku=sku))


def stock_levels(search: str = "") -> QuerySet[Product]:
    """On-hand per product with what is on its way, for the stock page and GET /stock."""
    return product_list(ProductFilters(search=search))


@dataclass(frozen=True)
class MovementFilters:
    product: str = ""
    reason: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _start_of(day: date) -> datetime:
    # Business dates: a day starts at midnight in the business time zone.
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def movement_list(filters: MovementFilters | None = None) -> QuerySet[StockMovement]:
    """The ledger, newest first, filtered by product SKU, reason and business-date range."""
    filters = filters or MovementFilters()
    movements = StockMovement.objects.select_related("product", "created_by", "receipt")
    if filters.product:
        movements = movements.filter(product__sku=filters.product)
    if filters.reason:
        movements = movements.filter(reason=filters.reason)
    if filters.date_from and filters.date_from > EARLIEST_DAY:
        movements = movements.filter(created_at__gte=_start_of(filters.date_from))
    if filters.date_to and filters.date_to < LATEST_DAY:
        movements = movements.filter(created_at__lt=_start_of(filters.date_to + timedelta(days=1)))
    return movements.order_by("-created_at", "-id")


def recent_movements(product: Product, limit: int = RECENT_MOVEMENTS) -> list[StockMovement]:
    return list(movement_list(MovementFilters(product=product.sku))[:limit])


@dataclass(frozen=True)
class ReceiptFilters:
    status: str = ""
    product: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _received_quantity():
    rows = (
        StockMovement.objects.filter(receipt=OuterRef("pk"))
        .order_by()
        .values("receipt")
        .annotate(total=Sum("quantity"))
    )
    return Subquery(rows.values("total"), output_field=DecimalField(**QUANTITY))


def receipt_list(filters: ReceiptFilters | None = None) -> QuerySet[Receipt]:
    """Receipts by expected date, with the quantity actually received (null until received)."""
    filters = filters or ReceiptFilters()
    receipts = Receipt.objects.select_related("product").annotate(
        received_quantity=_received_quantity()
    )
    if filters.status:
        receipts = receipts.filter(status=filters.status)
    if filters.product:
        receipts = receipts.filter(product__sku=filters.product)
    if filters.date_from:
        receipts = receipts.filter(expected_date__gte=filters.date_from)
    if filters.date_to:
        receipts = receipts.filter(expected_date__lte=filters.date_to)
    return receipts.order_by("expected_date", "id")


def open_receipts(product: Product) -> list[Receipt]:
    return list(receipt_list(ReceiptFilters(status=ReceiptStatus.SCHEDULED, product=product.sku)))


def receipt_by_id(receipt_id: int) -> QuerySet[Receipt]:
    return receipt_list().filter(pk=receipt_id)
