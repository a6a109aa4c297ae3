"""Writes of customer value's settings (SPEC 2.7): the activity rates, the quadrants' names
and strategies, marketing spend and VIP services. Each is one transaction with its audit
entry; bad input raises ``ValidationError`` with a message per field and writes nothing."""

from __future__ import annotations

import copy
from datetime import date

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kept.core import audit
from kept.customers.choices import CustomerKind
from kept.customers.models import Customer
from kept.value.choices import QuadrantKey
from kept.value.models import (
    RATE_FIELDS,
    MarketingSpend,
    QuadrantStrategy,
    ValueSettings,
    VipService,
)

SETTINGS_FIELDS = (*RATE_FIELDS, "clv_horizon_months", "annual_discount_percent", "churned_below")
STRATEGY_MAX = 2000


def _applied(obj: models.Model, values: dict) -> dict[str, list]:
    """Set ``values`` on ``obj``, validate it as the model does, and return what changed
    ({field: [old, new]}, compared after cleaning, so "5" and 5.00 are no change)."""
    before = copy.copy(obj)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.full_clean()
    return audit.diff(before, list(values), {name: getattr(obj, name) for name in values})


def _unknown(values: dict, allowed) -> None:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        message = _("Unknown settings: %(names)s.") % {"names": ", ".join(unknown)}
        raise ValidationError({NON_FIELD_ERRORS: [message]})


@transaction.atomic
def update_value_settings(values: dict, *, actor=None) -> ValueSettings:
    """Change the activity rates of cost-to-serve and the CLV settings. A rate cannot be
    negative: a cost that pays the business back would hide what a customer costs."""
    _unknown(values, SETTINGS_FIELDS)
    ValueSettings.current()  # the row exists before we lock it
    found = ValueSettings.objects.select_for_update().get(pk=1)
    changes = _applied(found, values)
    if changes:
        found.updated_at = timezone.now()
        found.save(update_fields=[*values, "updated_at"])
        audit.record(actor, "value.rates_changed", found, changes=changes)
    return found


def _quadrant_values(values: dict) -> dict[str, tuple[str, str]]:
    """{key: (name, strategy)} stripped, or the errors by form field (``<key>_name``)."""
    _unknown(values, QuadrantKey.values)
    errors, cleaned = {}, {}
    for key, given in values.items():
        name = (given.get("name") or "").strip()
        strategy = (given.get("strategy") or "").strip()
        if len(name) > QuadrantStrategy._meta.get_field("name").max_length:
            errors[f"{key}_name"] = _("Keep the name to 60 characters.")
        if len(strategy) > STRATEGY_MAX:
            errors[f"{key}_strategy"] = _("Keep the strategy to 2,000 characters.")
        cleaned[key] = (name, strategy)
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def rename_quadrants(values: dict[str, dict], *, actor=None) -> list[QuadrantStrategy]:
    """Give quadrants the business's own names and service strategies: ``values`` maps a
    quadrant key to ``{"name": …, "strategy": …}``; empty means the translated default."""
    cleaned = _quadrant_values(values)
    # the four rows exist before we lock them: two managers saving at once queue up
    missing = [QuadrantStrategy(key=key) for key in cleaned]
    QuadrantStrategy.objects.bulk_create(missing, ignore_conflicts=True)
    locked = QuadrantStrategy.objects.select_for_update().filter(key__in=list(cleaned))
    saved = []
    for strategy in locked.order_by("key"):
        name, text = cleaned[strategy.key]
        changes = _applied(strategy, {"name": name, "strategy": text})
        if changes:
            strategy.save(update_fields=["name", "strategy"])
            audit.record(actor, "value.quadrant_renamed", strategy, changes=changes)
        saved.append(strategy)
    return saved


def _month(month) -> date:
    if not isinstance(month, date):
        raise ValidationError({"month": _("Give the month.")})
    return month.replace(day=1)


@transaction.atomic
def record_marketing_spend(
    month: date, acquisition, retention, note: str = "", *, actor=None
) -> MarketingSpend:
    """What a month cost in winning and in keeping customers; one row per month (the
    month's first day), recorded again to correct it."""
    month = _month(month)
    spend = MarketingSpend.objects.select_for_update().filter(month=month).first()
    names = ("acquisition", "retention", "note")
    before = dict.fromkeys(names)
    if spend is None:
        MarketingSpend.objects.bulk_create([MarketingSpend(month=month)], ignore_conflicts=True)
        spend = MarketingSpend.objects.select_for_update().get(month=month)
    else:
        before = {name: getattr(spend, name) for name in names}
    values = {"acquisition": acquisition, "retention": retention, "note": (note or "").strip()}
    _applied(spend, values)
    spend.save(update_fields=list(values))
    changes = {
        name: [audit.plain(before[name]), audit.plain(getattr(spend, name))]
        for name in names
        if before[name] != getattr(spend, name)
    }
    if changes:
        audit.record(actor, "value.spend_recorded", spend, changes=changes)
    return spend


def _customer(code: str) -> Customer:
    customer = Customer.objects.filter(code=(code or "").strip()).first()
    if customer is None:
        raise ValidationError({"customer": _("No customer with this code.")})
    if customer.kind != CustomerKind.EXTERNAL:
        raise ValidationError({"customer": _("Departments have no P&L: choose a customer.")})
    return customer


def _check_period(started_on: date | None, ended_on: date | None) -> None:
    if started_on and ended_on and ended_on < started_on:
        raise ValidationError({"ended_on": _("A VIP service cannot end before it starts.")})


@transaction.atomic
def add_vip_service(
    customer_code: str,
    description: str,
    started_on: date,
    ended_on: date | None = None,
    *,
    actor=None,
) -> VipService:
    """A customer given VIP service from ``started_on`` (until ``ended_on``, or open): each
    month of it costs the VIP rate in their cost-to-serve."""
    customer = _customer(customer_code)
    _check_period(started_on, ended_on)
    service = VipService(
        customer=customer,
        description=(description or "").strip(),
        started_on=started_on,
        ended_on=ended_on,
    )
    service.full_clean()
    service.save()
    changes = {
        name: [None, audit.plain(getattr(service, name))]
        for name in ("description", "started_on", "ended_on")
    }
    audit.record(actor, "value.vip_added", service, changes=changes)
    return service


@transaction.atomic
def end_vip_service(pk: int, ended_on: date | None = None, *, actor=None) -> VipService:
    """End a VIP service (today unless a day is given); its cost stops there. Raises
    ``VipService.DoesNotExist`` for an unknown one."""
    service = VipService.objects.select_for_update().get(pk=pk)
    today = timezone.localdate()
    if service.ended_on is not None and service.ended_on <= today:
        raise ValidationError({"ended_on": _("This VIP service has already ended.")})
    ended_on = ended_on or today
    _check_period(service.started_on, ended_on)
    changes = _applied(service, {"ended_on": ended_on})
    service.save(update_fields=["ended_on"])
    audit.record(actor, "value.vip_ended", service, changes=changes)
    return service
