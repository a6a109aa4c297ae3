"""Is there demo data, may the demo run here, and deleting what the demo built.

The demo refuses a database that holds anything it might overwrite. ``reset`` deletes only
a database the demo built itself (it finds its marker in the audit log); data entered by
hand into an otherwise empty database is never deleted.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _

from kept.catalog.models import Product, Receipt, StockLevel, StockMovement
from kept.core.models import AuditEntry
from kept.customers.models import Contact, Customer, CustomerGroup, Interaction, Region, Tag
from kept.demo.people import DEMO_USERNAMES
from kept.demo.servicedesk import remove_desk_settings
from kept.demo.summary import DemoError
from kept.feedback.models import Survey
from kept.fulfilment.models import (
    Delivery,
    ScoredCustomer,
    ScoredLine,
    ScoredOrder,
    ScoreQueue,
    ServiceTolerance,
)
from kept.pipeline.models import FunnelAlert, Lead, Stage, StageEntry
from kept.promising.models import (
    Commitment,
    CustomerPolicy,
    Offer,
    Order,
    OrderLine,
    PromisePolicy,
    PromiseVersion,
)
from kept.receivables.models import Allocation, Invoice, NumberSequence, Payment
from kept.servicedesk.models import Complaint, Ticket, TicketMessage, TicketStatusChange
from kept.team.models import Period, Score
from kept.value.models import MarketingSpend, ValueRun, ValueSettings, VipService

MARKER = "demo.build"
DEFAULT_INQUIRY_TARGET = 500

# Every table the demo fills, in an order that deletes dependants first.
DEMO_TABLES = (
    FunnelAlert,
    StageEntry,
    Lead,
    Score,  # the team's scorecards (the behaviour items are the migration's: they stay)
    Period,
    VipService,
    MarketingSpend,
    Survey,
    Complaint,
    TicketMessage,
    TicketStatusChange,
    Ticket,
    Allocation,
    Payment,
    Invoice,
    NumberSequence,
    ScoredOrder,
    ScoredLine,
    ScoreQueue,
    ScoredCustomer,
    Delivery,
    ServiceTolerance,
    Commitment,
    Offer,
    PromiseVersion,
    OrderLine,
    Order,
    CustomerPolicy,
    PromisePolicy.excluded_products.through,
    PromisePolicy,
    Interaction,
    Contact,
    Customer.tags.through,
    Customer,
    Tag,
    Region,
    CustomerGroup,
    StockMovement,
    Receipt,
    StockLevel,
    Product,
)


def has_demo_data() -> bool:
    """True when the database was filled by ``build_demo`` (and not reset since)."""
    return AuditEntry.objects.filter(action=MARKER).exists()


def _demo_users():
    return get_user_model().objects.filter(username__in=DEMO_USERNAMES)


def is_empty() -> bool:
    """No business data, and none of the demo logins taken (other users may exist)."""
    return not _demo_users().exists() and not any(m.objects.exists() for m in DEMO_TABLES)


def check_can_build(reset: bool) -> None:
    if is_empty():
        return
    if not reset:
        raise DemoError(
            _(
                "The database is not empty; the demo only builds into an empty one. "
                "Use reset to rebuild a demo database."
            )
        )
    if not has_demo_data():
        raise DemoError(
            _(
                "The database holds data the demo did not build; "
                "the demo will not delete it. Use a new, empty database."
            )
        )


def delete_demo_data() -> None:
    """Delete the demo business, its logins and their audit entries; keep other users."""
    users = list(_demo_users().values_list("pk", flat=True))
    for model in DEMO_TABLES:
        model.objects.all().delete()
    # the refits of the demo's customers (their values go with the customers); not counted
    # by ``is_empty``: a nightly refit may have run, and failed, on the empty database
    ValueRun.objects.all().delete()
    # the demo set the activity rates: back to the defaults of a new business
    ValueSettings.objects.all().delete()
    # the demo set its own inquiry target: back to SPEC 2.8's default (pipeline migration 0002)
    Stage.objects.filter(monthly_target__isnull=False).update(monthly_target=DEFAULT_INQUIRY_TARGET)
    remove_desk_settings()
    labels = [model._meta.label_lower for model in DEMO_TABLES]
    AuditEntry.objects.filter(
        Q(action=MARKER)
        | Q(object_type__in=labels)
        | Q(actor_id__in=users)
        | Q(object_type=get_user_model()._meta.label_lower, object_id__in=[str(pk) for pk in users])
    ).delete()
    _demo_users().delete()
