"""The demo's funnel (SPEC 2.8, 4): two years of leads from every channel, owned by the
staff; won leads are customers with their history in the notebook; over the rolling window
visit → purchase is below its 60 % target, and nothing else is."""

from datetime import timedelta
from time import perf_counter

import pytest
from django.utils import timezone

from kept.customers.models import Customer, Interaction
from kept.demo import people
from kept.demo.context import DemoContext
from kept.demo.leads import _paths, save_leads
from kept.pipeline import queries
from kept.pipeline.models import FunnelAlert, Lead, StageEntry

pytestmark = pytest.mark.django_db


def context(today, seed: int = 7, scale: float = 0.05) -> DemoContext:
    return DemoContext(seed, scale, today, timezone.get_default_timezone())


@pytest.fixture
def built(today):
    ctx = context(today)
    ctx.users = people.create_team()
    started = perf_counter()
    counts = save_leads(ctx)
    return ctx, counts, perf_counter() - started


def test_two_years_of_leads_from_every_channel_owned_by_the_staff(built):
    ctx, counts, seconds = built
    leads = Lead.objects.all()
    assert counts["leads"] == leads.count() > 24 * 3  # a few a month, 45+ in the last quarter
    assert set(leads.values_list("channel", flat=True)) == {
        "referral", "walk_in", "phone", "online", "event", "other"
    }  # fmt: skip
    owners = set(leads.values_list("owner__username", flat=True))
    assert owners == set(people.STAFF_USERNAMES)
    first = leads.order_by("created_at").first().created_at.date()
    assert (ctx.today - first).days >= 700
    assert not Lead.objects.filter(created_at__gte=timezone.now() + timedelta(days=1)).exists()
    assert seconds < 20  # bulk writes: a few seconds even on SQLite


def test_won_leads_are_customers_with_their_history(built):
    _ctx, counts, _seconds = built
    won = Lead.objects.filter(customer__isnull=False).select_related("customer")
    assert counts["leads_won"] == won.count() == Customer.objects.count() > 50
    lead = won.first()
    notes = Interaction.objects.filter(customer=lead.customer)
    assert notes.count() >= StageEntry.objects.filter(lead=lead).count() >= 3
    assert lead.customer.phone == lead.phone and lead.customer.owner == lead.owner
    assert counts["leads_lost"] == Lead.objects.filter(lost_at__isnull=False).count() > 0
    assert not Lead.objects.filter(customer__isnull=False, lost_at__isnull=False).exists()


def test_only_visit_to_purchase_is_below_target(built):
    alerts = queries.funnel_alerts()
    assert [(a.name, a.is_volume) for a in alerts] == [("Purchase", False)]
    assert 35 < alerts[0].measured < 55
    assert list(FunnelAlert.objects.values_list("stage__name", flat=True)) == ["Purchase"]
    summary = queries.dashboard_funnel(timezone.localdate())
    assert [row.stage.name for row in summary.rows if row.is_below] == ["Purchase"]


def test_the_same_seed_gives_the_same_leads(today):
    from datetime import datetime, time

    cutoff = datetime.combine(today, time.min, tzinfo=timezone.get_default_timezone())

    def run(seed):
        ctx = context(today, seed)
        return [(p.channel, p.entered) for p in _paths(ctx, ctx.rng("leads"), cutoff)]

    assert run(7) == run(7) and run(7) != run(8)
