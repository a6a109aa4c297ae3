"""Writes for proactive replenishment: subscriptions, level readings, and what became of a
proposal (an order through the promise engine, a postponement, a refusal, "still had X")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kept.catalog.actions import checked_quantity
from kept.core import audit
from kept.customers.models import Customer
from kept.promising.actions import Promised, promise_new_order
from kept.promising.engine import LineInput
from kept.replenishment.choices import FillPolicy, Outcome, ReadingSource
from kept.replenishment.models import Proposal, Reading, Subscription

FIELDS = [
    "product",
    "capacity",
    "people",
    "fill_policy",
    "fixed_quantity",
    "preferred_days",
    "window",
    "is_active",
    "note",
]
THOUSANDTH = Decimal("0.001")


def _checked_days(days) -> list[int]:
    try:
        cleaned = sorted({int(day) for day in days or []})
    except (TypeError, ValueError):
        cleaned = [0]
    if any(not 1 <= day <= 7 for day in cleaned):
        raise ValidationError(
            {"preferred_days": _("Preferred days are weekdays from 1 (Monday) to 7 (Sunday).")}
        )
    return cleaned


@transaction.atomic
def save_subscription(
    customer: Customer, values: dict, *, subscription: Subscription | None = None, actor=None
) -> Subscription:
    """Create or change a customer's subscription to a consumable. Audited."""
    if subscription is None:
        subscription = Subscription(customer=customer)
    else:
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    values = dict(values)
    if "preferred_days" in values:
        values["preferred_days"] = _checked_days(values["preferred_days"])
    if values.get("fill_policy", subscription.fill_policy) == FillPolicy.TO_CAPACITY:
        values["fixed_quantity"] = None
    changes = audit.diff(subscription, [f for f in FIELDS if f != "product"], values)
    for name in FIELDS:
        if name in values:
            setattr(subscription, name, values[name])
    if subscription.fill_policy == FillPolicy.FIXED and subscription.fixed_quantity is None:
        raise ValidationError({"fixed_quantity": _("A fixed policy needs its quantity.")})
    if subscription.fixed_quantity and subscription.fixed_quantity > subscription.capacity:
        raise ValidationError(
            {"fixed_quantity": _("The fixed quantity cannot be more than the capacity.")}
        )
    subscription.full_clean(validate_unique=subscription.pk is None)
    subscription.save()
    audit.record(actor, "subscription.save", subscription, changes=changes)
    return subscription


def record_reading(
    subscription: Subscription,
    level,
    *,
    day: date | None = None,
    source: str = ReadingSource.READING,
    note: str = "",
    actor=None,
) -> Reading:
    """The level seen in the container (or what the customer said was left)."""
    level = checked_quantity(level).quantize(THOUSANDTH)
    day = day or timezone.localdate()
    if level < 0:
        raise ValidationError({"level": _("The level cannot be negative.")})
    if level > subscription.capacity:
        raise ValidationError(
            {
                "level": _("The level cannot be more than the container holds (%(capacity)s).")
                % {"capacity": subscription.capacity}
            }
        )
    if day > timezone.localdate():
        raise ValidationError({"day": _("A reading cannot be in the future.")})
    if source not in ReadingSource.values:
        raise ValidationError({"source": _("Unknown source.")})
    return Reading.objects.create(
        subscription=subscription,
        day=day,
        level=level,
        source=source,
        note=(note or "").strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _proposal(subscription, proposed, outcome: str, actor, **extra) -> Proposal:
    return Proposal.objects.create(
        subscription=subscription,
        plan_date=proposed.plan_date,
        delivery_date=proposed.delivery_date,
        quantity=Decimal(str(proposed.quantity)).quantize(THOUSANDTH),
        expected_runout=proposed.expected_runout,
        outcome=outcome,
        decided_by=actor if getattr(actor, "is_authenticated", False) else None,
        **extra,
    )


@transaction.atomic
def order_proposal(subscription: Subscription, proposed, *, quantity=None, actor=None):
    """Turn a proposal into an order through the promise engine; returns (proposal,
    promised). ``proposed``: what the plan proposed (plan date, delivery date, quantity,
    expected run-out); ``quantity`` overrides the proposed quantity."""
    amount = checked_quantity(quantity if quantity is not None else proposed.quantity)
    if amount <= 0:
        raise ValidationError({"quantity": _("The quantity must be more than zero.")})
    line = LineInput(
        product=subscription.product,
        quantity=amount.quantize(THOUSANDTH),
        requested_date=proposed.delivery_date,
        accept_partial=True,
    )
    note = _("Refill proposed by the plan of %(day)s") % {"day": proposed.plan_date}
    promised: Promised = promise_new_order(subscription.customer, [line], note=note, actor=actor)
    proposal = _proposal(subscription, proposed, Outcome.ACCEPTED, actor, order=promised.order)
    return proposal, promised


@transaction.atomic
def record_outcome(
    subscription: Subscription,
    proposed,
    outcome: str,
    *,
    postponed_until: date | None = None,
    still_had=None,
    actor=None,
) -> Proposal:
    """A proposal postponed, declined, or not needed ("still had X", which is also a level
    reading that feeds the model)."""
    if outcome == Outcome.ACCEPTED or outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Use the order action to accept a proposal.")})
    extra: dict = {}
    if outcome == Outcome.POSTPONED:
        if postponed_until is None or postponed_until <= proposed.plan_date:
            raise ValidationError(
                {"postponed_until": _("Say until when, a day after the plan date.")}
            )
        extra["postponed_until"] = postponed_until
    if outcome == Outcome.STILL_HAD:
        if still_had is None:
            raise ValidationError({"still_had": _("Say how much was still there.")})
        reading = record_reading(
            subscription, still_had, source=ReadingSource.FEEDBACK, actor=actor
        )
        extra["still_had"] = reading.level
    return _proposal(subscription, proposed, outcome, actor, **extra)
