from __future__ import annotations

from dataclasses import dataclass

from kept.catalog.choices import ReceiptStatus
from kept.catalog.models import Product, Receipt
from kept.customers.models import Customer


@dataclass(frozen=True)
class HomeSummary:
    customers: int | None
    my_customers: int | None
    products: int | None
    open_receipts: int | None


def home_summary(user) -> HomeSummary:
    """The tiles at the top of the home page's dashboard; only what the role may see."""
    sees_customers = user.has_perm("customers.view_customer")
    sees_catalog = user.has_perm("catalog.view_product")
    return HomeSummary(
        customers=Customer.objects.active().count() if sees_customers else None,
        my_customers=Customer.objects.active().filter(owner=user).count()
        if sees_customers
        else None,
        products=Product.objects.filter(sellable=True).count() if sees_catalog else None,
        open_receipts=Receipt.objects.filter(status=ReceiptStatus.SCHEDULED).count()
        if sees_catalog
        else None,
    )
