"""Build the demo business in one transaction, step by step, reproducibly from a seed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from time import perf_counter

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kept.core import audit
from kept.customers.models import Customer
from kept.demo import (
    business,
    buyers,
    catalog,
    current,
    customers,
    deliveries,
    history,
    households,
    jars,
    leads,
    orders,
    people,
    policies,
    receivables,
    reset,
    scorecards,
    servicedesk,
    surveys,
    timeline,
    value,
)
from kept.demo.context import DemoContext
from kept.demo.summary import DemoError, DemoSummary
from kept.fulfilment import scores

STEPS = 19  # plus one when the previous demo is deleted first


def build(
    seed: int = 1,
    *,
    scale: float = 1.0,
    reset_existing: bool = False,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    if not 0 < scale <= 10:
        raise DemoError(_("The scale must be more than 0 and at most 10."))
    started = perf_counter()
    report = _reporter(progress, STEPS + (1 if reset_existing else 0))
    tz = timezone.get_default_timezone()
    real_today = timezone.localdate(timezone=tz)
    if today is not None and today < real_today:
        raise DemoError(_("The demo cannot start in the past: receipts are scheduled from today."))
    ctx = DemoContext(seed, scale, today or real_today, tz)
    with transaction.atomic():
        reset.check_can_build(reset_existing)
        if reset_existing:
            report(_("Deleting the previous demo data…"))
            reset.delete_demo_data()
        counts = _build_all(ctx, report)
        audit.record(
            None,
            reset.MARKER,
            changes={"seed": seed, "scale": scale, "today": ctx.today.isoformat()},
        )
    return DemoSummary(
        seed=seed,
        scale=scale,
        today=ctx.today,
        seconds=round(perf_counter() - started, 2),
        **counts,
    )


def _reporter(progress: Callable[[str], None] | None, total: int) -> Callable[[str], None]:
    step = {"n": 0}

    def report(message: str) -> None:
        if progress is not None:
            step["n"] += 1
            progress(f"[{step['n']}/{total}] {message}")

    return report


def _build_all(ctx: DemoContext, report: Callable[[str], None]) -> dict[str, int]:
    report(_("Creating the team: one login per role…"))
    ctx.users = people.create_team()
    report(_("Creating customer groups, regions and tags…"))
    customers.create_reference_data(ctx)
    report(_("Creating %(count)d households…") % {"count": ctx.count(households.FULL_SIZE)})
    household_count, household_contacts = customers.save_drafts(
        ctx, households.household_drafts(ctx)
    )
    report(_("Creating restaurants, canteens and internal departments…"))
    counts = {
        "restaurants": business.restaurant_drafts(ctx),
        "institutions": business.institution_drafts(ctx),
        "departments": business.department_drafts(ctx),
    }
    business_contacts = 0
    for key, drafts in counts.items():
        counts[key], contacts = customers.save_drafts(ctx, drafts)
        business_contacts += contacts
    report(_("Writing the customer timeline…"))
    interactions = timeline.build_timeline(ctx)
    report(_("Creating products…"))
    products = catalog.create_products(ctx)
    report(_("Recording opening stock, adjustments and receipts…"))
    movements, receipts = catalog.build_stock(ctx)
    report(_("Setting the promise rules of each customer group…"))
    policy_count = policies.create_policies(ctx)
    report(_("Deciding two years of orders…"))
    everyone = buyers.make_buyers(ctx)
    past = history.write_history(ctx, everyone)
    written = orders.save_orders(past.orders)
    _update_blocked_reasons(everyone)
    report(_("Delivering the history: late routes, short picks and damaged bags…"))
    delivered = deliveries.save_deliveries(ctx, past.orders)
    report(_("Measuring the households' rice jars…"))
    jar_count = jars.save_jars(ctx, everyone)
    report(_("Issuing invoices and recording payments…"))
    money = receivables.save_receivables(ctx, everyone)
    report(_("Promising this week's orders against today's stock…"))
    now = current.build_current(ctx, everyone, past.current)
    report(_("Opening the service desk: six months of tickets, complaints and hand-offs…"))
    desk = servicedesk.build_desk(ctx)
    counts["departments"] += desk.pop("departments")
    report(_("Asking customers and departments how we did…"))
    feedback = surveys.save_surveys(ctx)
    scores.rebuild()  # service level of everything written above
    report(_("Costing the service: rates, time on tickets, payment reminders, VIP services…"))
    costs = _save_costs(ctx, everyone)
    report(_("Fitting every customer's value: who is still buying, who is lapsing, who left…"))
    valued = value.refit_values(ctx)
    report(_("Scoring the team: six months of value scorecards…"))
    cards = scorecards.save_scorecards(ctx)
    report(_("Bringing in leads: two years of the funnel, from inquiry to repeat…"))
    funnel = leads.save_leads(ctx)  # last: the customers it wins change no earlier step
    return {
        "users": len(ctx.users),
        "households": household_count,
        **counts,
        "contacts": household_contacts + business_contacts,
        "interactions": interactions,
        "jars": jar_count,
        "products": products,
        "movements": movements,
        "receipts": receipts,
        "policies": policy_count,
        "orders": written["orders"] + len(now.placed),
        "current_orders": len(now.placed),
        "promise_versions": written["versions"],
        "invoices": money["invoices"],
        "payments": money["payments"],
        "at_risk": now.at_risk,
        **delivered,
        **desk,
        **feedback,
        **costs,
        **valued,
        **cards,
        **funnel,
        "churned_customers": sum("churned_on" in buyer.facts for buyer in everyone),
    }


def _save_costs(ctx: DemoContext, everyone) -> dict[str, int]:
    value.set_rates()
    return {
        "ticket_hours": round(value.write_ticket_minutes(ctx) / 60),
        "reminders": value.write_reminders(ctx, everyone),
        "vip_services": value.save_vip_services(ctx, everyone),
        "spend_months": value.save_marketing_spend(ctx, everyone),
    }


def _update_blocked_reasons(everyone) -> None:
    """Blocked customers' reasons in the figures of the day they were blocked."""
    for buyer in everyone:
        reason = buyer.facts.get("blocked_reason")
        if reason and reason != buyer.customer.blocked_reason:
            Customer.objects.filter(pk=buyer.customer.pk).update(blocked_reason=reason)
            buyer.customer.blocked_reason = reason
