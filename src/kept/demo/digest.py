"""A fingerprint of the demo data, to prove that the same seed gives the same business.

Only what the seed decides goes in: natural keys (codes, SKUs, usernames) instead of
database ids, and no timestamps written by the clock at build time.
"""

from __future__ import annotations

import hashlib
import json
import re

from django.contrib.auth import get_user_model
from django.db.models import Q

from kept.catalog.models import Product, Receipt, StockMovement
from kept.customers.choices import InteractionKind
from kept.customers.models import Contact, Customer, Interaction
from kept.demo.people import DEMO_USERNAMES
from kept.feedback.models import Survey
from kept.fulfilment.models import Delivery, ServiceTolerance
from kept.promising.models import (
    Commitment,
    CustomerPolicy,
    Offer,
    Order,
    OrderLine,
    PromisePolicy,
    PromiseVersion,
)
from kept.receivables.models import Allocation, Invoice, Payment
from kept.servicedesk.models import Complaint, Holiday, SlaPolicy, Ticket, TicketMessage
from kept.value.models import RATE_FIELDS, CustomerValue, MarketingSpend, ValueSettings, VipService

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

POLICY_FIELDS = (
    "min_margin_percent", "min_lead_days", "max_quantity", "max_quantity_action",
    "overdue_amount_limit", "overdue_days_limit", "overdue_action",
)  # fmt: skip
ORDER_FIELDS = (
    "number", "customer__code", "ship_complete", "decision", "note", "cancelled_by",
    "created_by__username",
)  # fmt: skip
LINE_FIELDS = (
    "order__number", "number", "product__sku", "requested_quantity", "requested_date",
    "accept_partial", "unit_price", "unit_cost", "decision", "status", "reasons",
)  # fmt: skip
VERSION_FIELDS = (
    "line__order__number", "line__number", "number", "kind", "quantity", "date", "parts",
    "reason", "figures", "created_by__username",
)  # fmt: skip
LINE_KEY = ["line__order__number", "line__number"]
DELIVERY_FIELDS = (
    *LINE_KEY, "quantity", "delivered_at", "delivered_on", "quality_ok", "defect", "note",
    "created_by__username", "created_at",
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
        # survey answers are in "surveys": after today's tickets they follow the clock
        "interactions": _rows(
            Interaction.objects.exclude(kind=InteractionKind.SURVEY),
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
        **_promising_tables(),
        **_receivables_tables(),
        **_fulfilment_tables(),
        **_desk_tables(),
        **_value_tables(),
    }


def _promising_tables() -> dict[str, list]:
    """Orders and the promise ledger. Timestamps are left out: the orders of this week go
    through the engine, which stamps them with the clock."""
    excluded = PromisePolicy.excluded_products.through.objects.all()
    return {
        "group_policies": _rows(
            PromisePolicy.objects.all(), ("group__code", *POLICY_FIELDS), ["group__code"]
        ),
        "excluded_products": _rows(
            excluded, ("promisepolicy__group__code", "product__sku"), ["product__sku"]
        ),
        "customer_policies": _rows(
            CustomerPolicy.objects.all(),
            ("customer__code", *POLICY_FIELDS, "reason"),
            ["customer__code"],
        ),
        "orders": _rows(
            Order.objects.annotate(cancelled=Q(cancelled_at__isnull=False)),
            (*ORDER_FIELDS, "cancelled"),
            ["number"],
        ),
        "lines": _rows(OrderLine.objects.all(), LINE_FIELDS, ["order__number", "number"]),
        "versions": _rows(PromiseVersion.objects.all(), VERSION_FIELDS, [*LINE_KEY, "number"]),
        "commitments": _rows(
            Commitment.objects.all(),
            (
                *LINE_KEY,
                "version__number",
                "product__sku",
                "date",
                "quantity",
                "to_procure",
                "is_open",
            ),
            [*LINE_KEY, "version__number", "date", "quantity"],
        ),  # fmt: skip
        "offers": _rows(
            Offer.objects.all(), (*LINE_KEY, "number", "parts", "is_current"), [*LINE_KEY, "number"]
        ),
    }


def _receivables_tables() -> dict[str, list]:
    return {
        "invoices": _rows(
            Invoice.objects.all(),
            (
                "number",
                "customer__code",
                "issue_date",
                "due_date",
                "amount",
                "paid_amount",
                "order_number",
                "note",
                "created_by__username",
            ),
            ["number"],
        ),  # fmt: skip
        "payments": _rows(
            Payment.objects.all(),
            (
                "customer__code",
                "received_on",
                "amount",
                "allocated_amount",
                "method",
                "reference",
                "created_by__username",
            ),
            ["customer__code", "received_on", "reference"],
        ),  # fmt: skip
        "allocations": _rows(
            Allocation.objects.all(),
            ("payment__reference", "invoice__number", "amount"),
            ["payment__reference", "invoice__number"],
        ),
    }


def _fulfilment_tables() -> dict[str, list]:
    """Deliveries are all in the history and timed by the seed, not the clock: times count."""
    return {
        "deliveries": _rows(
            Delivery.objects.all(), DELIVERY_FIELDS, [*LINE_KEY, "delivered_at", "quantity"]
        ),
        "tolerances": _rows(
            ServiceTolerance.objects.all(),
            ("group__code", "early_days", "late_days", "short_percent"),
            ["group__code"],
        ),
    }


TICKET_NUMBER = re.compile(r"T-(\d{6})")
TICKET_KEY = ["ticket__customer__code", "ticket__subject", "ticket__description"]
TICKET_FIELDS = (
    "customer__code", "subject", "description", "kind", "priority", "status", "channel",
    "assignee__username", "department__code", "delivery__line__order__number", "policy__name",
)  # fmt: skip
COMPLAINT_FIELDS = (
    *TICKET_KEY, "what_happened", "customer_wants", "root_cause", "remedy", "remedy_cost",
    "follow_up_on", "confirmed_by__username",
)  # fmt: skip
SURVEY_FIELDS = (
    "customer__code", "trigger", "staff__username", "language", "token_digest", "sent_to", "csat",
    "nps", "comment",
)  # fmt: skip


def _desk_tables() -> dict[str, list]:
    """Tickets, their threads and complaints, and surveys, without their moments: today's
    queue is placed against the clock (``todays_queue``) and so are the SLA states. A ticket
    number quoted in a text counts from the demo's first ticket (ids go on after a reset)."""
    first = Ticket.objects.order_by("pk").values_list("pk", flat=True).first() or 1

    def renumbered(rows: list[list[str]]) -> list[list[str]]:
        def number(found: re.Match) -> str:
            return f"T-{int(found.group(1)) - first + 1:06d}"

        return [[TICKET_NUMBER.sub(number, value) for value in row] for row in rows]

    return {
        "tickets": renumbered(_rows(Ticket.objects.all(), TICKET_FIELDS, TICKET_FIELDS)),
        "messages": renumbered(
            _rows(
                TicketMessage.objects.all(),
                (
                    *TICKET_KEY,
                    "author__username",
                    "public",
                    "from_customer",
                    "body",
                    "minutes_spent",
                ),  # fmt: skip
                [*TICKET_KEY, "created_at", "id"],
            )
        ),
        "complaints": renumbered(_rows(Complaint.objects.all(), COMPLAINT_FIELDS, TICKET_KEY)),
        "sla_policies": _rows(
            SlaPolicy.objects.all(), ("name", "position", "customer_scope"), ["position"]
        ),
        "holidays": _rows(Holiday.objects.all(), ("calendar__name", "day", "name"), ["day"]),
        "surveys": _rows(Survey.objects.all(), SURVEY_FIELDS, ["token_digest"]),
    }


def _value_tables() -> dict[str, list]:
    """Rates, VIP services, marketing spend and the refit's values (the fitted figures to
    six places: the optimiser's last digits are no part of the seed's story)."""
    values = CustomerValue.objects.order_by("customer__code").values_list(
        "customer__code", "frequency", "first_purchase", "last_purchase", "p_alive", "clv",
        "overdue_on", "quadrant",
    )  # fmt: skip
    return {
        "value_settings": _rows(ValueSettings.objects.all(), RATE_FIELDS, ["pk"]),
        "vip_services": _rows(
            VipService.objects.all(),
            ("customer__code", "description", "started_on", "ended_on"),
            ["customer__code", "started_on"],
        ),
        "marketing_spend": _rows(
            MarketingSpend.objects.all(), ("month", "acquisition", "retention", "note"), ["month"]
        ),
        "customer_values": [
            [code, str(x), str(first), str(last), f"{p:.6f}", str(clv), str(overdue), quadrant]
            for code, x, first, last, p, clv, overdue, quadrant in values
        ],
    }


def demo_digest() -> str:
    """SHA-256 of ``demo_tables()``: equal digests mean equal demo data."""
    text = json.dumps(demo_tables(), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()
