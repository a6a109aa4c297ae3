"""A fingerprint of the demo data, to prove that the same seed gives the same business.

Only what the seed decides goes in: natural keys (codes, SKUs, usernames) instead of
database ids, and no timestamps written by the clock at build time.
"""

from __future__ import annotations

import hashlib
import json

from django.contrib.auth import get_user_model

from kept.catalog.models import Product, Receipt, StockMovement
from kept.customers.models import Contact, Customer, Interaction
from kept.demo.people import DEMO_USERNAMES

CUSTOMER_FIELDS = (
    "code", "name", "alias", "kind", "customer_type", "group__code", "owner__username", "phone",
    "email", "language", "address", "region__code", "route", "size", "size_unit", "preferences",
    "preferred_days", "window_start", "window_end", "credit_limit", "payment_terms_days",
    "is_blocked", "blocked_reason", "is_active", "created_at",
)  # fmt: skip
PRODUCT_FIELDS = (
    "sku", "name", "unit", "price", "cost", "sellable", "grade", "delivery_lead_days",
    "replenishment_lead_days", "consumable", "stock__on_hand",
)  # fmt: skip


def _rows(queryset, fields, order) -> list[list[str]]:
    return [[str(value) for value in row] for row in queryset.order_by(*order).values_list(*fields)]


def demo_tables() -> dict[str, list]:
    """The seed-determined content of every demo table, as plain, ordered lists."""
    users = get_user_model().objects.filter(username__in=DEMO_USERNAMES)
    tags = Customer.tags.through.objects.all()
    return {
        "users": _rows(
            users, ("username", "first_name", "last_name", "groups__name"), ["username"]
        ),
        "customers": _rows(Customer.objects.all(), CUSTOMER_FIELDS, ["code"]),
        "tags": _rows(tags, ("customer__code", "tag__name"), ["customer__code", "tag__name"]),
        "contacts": _rows(
            Contact.objects.all(),
            ("customer__code", "name", "role", "phone", "email", "is_primary", "notes"),
            ["customer__code", "-is_primary", "name", "phone"],
        ),
        "interactions": _rows(
            Interaction.objects.all(),
            ("customer__code", "occurred_at", "kind", "summary", "author__username"),
            ["customer__code", "occurred_at", "kind", "summary"],
        ),
        "products": _rows(Product.objects.all(), PRODUCT_FIELDS, ["sku"]),
        "movements": _rows(
            StockMovement.objects.all(),
            ("product__sku", "quantity", "reason", "note", "balance_after", "receipt__reference"),
            ["id"],
        ),
        "receipts": _rows(
            Receipt.objects.all(),
            ("product__sku", "quantity", "expected_date", "status", "reference"),
            ["reference"],
        ),
    }


def demo_digest() -> str:
    """SHA-256 of ``demo_tables()``: equal digests mean equal demo data."""
    text = json.dumps(demo_tables(), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()
