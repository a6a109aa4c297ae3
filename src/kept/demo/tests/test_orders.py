"""The promising and receivables data of the demo: two years of history and this week."""

from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum

from kept.catalog.models import Product, Receipt
from kept.core.models import AuditEntry
from kept.customers.models import Customer
from kept.promising import queries
from kept.promising.choices import Decision, LineStatus, VersionKind
from kept.promising.models import (
    Commitment,
    CustomerPolicy,
    Order,
    OrderLine,
    PromisePolicy,
    PromiseVersion,
)
from kept.promising.supply import at_risk
from kept.receivables import ageing
from kept.receivables.models import Allocation, Invoice, Payment
from kept.receivables.queries import ageing_totals, credit_position, total_drift

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_demo(shared_demo):
    return shared_demo[0]


@pytest.fixture
def today(shared_demo):
    return shared_demo[1]


def _delayed_products() -> set[int]:
    """Products whose receipt the demo made late on purpose."""
    entries = AuditEntry.objects.filter(action="receipt.reschedule")
    ids = [int(pk) for pk in entries.values_list("object_id", flat=True)]
    return set(Receipt.objects.filter(pk__in=ids).values_list("product_id", flat=True))


def test_orders_exist_in_every_decision(small_demo):
    decisions = Counter(Order.objects.values_list("decision", flat=True))
    assert set(decisions) == set(Decision.values)
    assert decisions[Decision.COMMIT] > 0.9 * sum(decisions.values())
    assert small_demo.orders == Order.objects.count() > 500
    statuses = set(OrderLine.objects.values_list("status", flat=True))
    assert statuses == set(LineStatus.values)
    assert Order.objects.filter(cancelled_by="customer").exists()


def test_every_group_orders_and_history_spans_two_years(small_demo, today):
    groups = set(Order.objects.values_list("customer__group__code", flat=True))
    assert groups == {"household", "restaurant", "institution", "internal"}
    days = [o.created_at.date() for o in Order.objects.all()]
    assert min(days) <= today - timedelta(days=700)
    for order in Order.objects.select_related("customer").iterator():
        assert order.created_at >= order.customer.created_at


def test_every_version_is_the_sum_of_its_parts_and_numbered_in_turn(small_demo):
    numbers = defaultdict(list)
    for version in PromiseVersion.objects.all():
        parts = version.parts
        assert version.quantity == sum(Decimal(p["quantity"]) for p in parts)
        assert version.date == max(date.fromisoformat(p["date"]) for p in parts)
        numbers[version.line_id].append(version.number)
        if version.kind != VersionKind.INITIAL:
            assert version.reason
    assert all(sorted(n) == list(range(1, len(n) + 1)) for n in numbers.values())
    kinds = Counter(PromiseVersion.objects.values_list("kind", flat=True))
    assert kinds[VersionKind.AGREED] > kinds[VersionKind.UNILATERAL] > 0


def test_no_open_commitment_is_dated_before_today(small_demo, today):
    assert not Commitment.objects.open().filter(date__lt=today).exists()
    history = Commitment.objects.filter(line__order__created_at__date__lt=today - timedelta(days=8))
    assert history.exists() and not history.filter(is_open=True).exists()
    assert Commitment.objects.open().exists()
    for line in OrderLine.objects.exclude(status=LineStatus.PROMISED):
        assert not line.commitments.filter(is_open=True).exists()


def test_the_demo_never_oversells(small_demo):
    today = queries.business_today()
    delayed = _delayed_products()
    assert len(delayed) == 1
    products = list(Product.objects.values_list("pk", flat=True))
    for pid, timeline in queries.timelines(products, today).items():
        if pid in delayed:
            continue
        days = timeline.days(today, max(timeline.horizon(), today + timedelta(days=60)))
        assert all(day.atp >= 0 for day in days), Product.objects.get(pk=pid).sku


def test_a_late_receipt_puts_two_or_three_promises_at_risk(small_demo):
    risky = at_risk()
    assert 2 <= len(risky) == small_demo.at_risk <= 3
    assert {r.commitment.product_id for r in risky} == _delayed_products()
    assert all(r.proposal is not None and r.message for r in risky)


def test_holds_wait_for_a_manager_and_one_was_approved(small_demo):
    held = Order.objects.filter(decision=Decision.HOLD)
    assert held.exists()
    codes = {r["code"] for line in OrderLine.objects.filter(order__in=held) for r in line.reasons}
    assert codes & {"CREDIT_LIMIT", "OVERDUE"}
    for action in ("order.approve", "order.reject", "order.cancel"):
        entries = AuditEntry.objects.filter(action=action)
        assert entries.exists() and not entries.filter(reason="").exists()
    for entry in AuditEntry.objects.filter(action="order.approve"):
        versions = PromiseVersion.objects.filter(line__order_id=entry.object_id)
        waived = [v.figures["approved"] for v in versions if "approved" in v.figures]
        # approved, then short of stock: offers instead of a promise
        offered = OrderLine.objects.filter(order_id=entry.object_id, offers__isnull=False)
        assert waived or offered.exists() or not versions.exists()
        assert all(codes == entry.changes["waived"] for codes in waived)


def test_declines_and_counters_carry_their_reasons(small_demo):
    declined = OrderLine.objects.filter(status=LineStatus.DECLINED)
    assert declined.exists()
    assert all(line.reasons for line in declined)
    codes = {r["code"] for line in declined for r in line.reasons}
    assert "BLOCKED" in codes
    offered = OrderLine.objects.filter(status=LineStatus.OFFERED)
    assert offered.exists()
    assert all(line.offers.filter(is_current=True).exists() for line in offered)
    accepted = OrderLine.objects.filter(status=LineStatus.PROMISED, offers__isnull=False)
    assert accepted.exists()  # a counter-offer taken


def test_policies_for_every_group_and_one_override(small_demo):
    groups = set(PromisePolicy.objects.values_list("group__code", flat=True))
    assert groups == {None, "household", "restaurant", "institution", "internal"}
    override = CustomerPolicy.objects.get()
    assert override.reason and override.customer.group.code == "restaurant"
    assert small_demo.policies == 6


def test_every_delivery_is_invoiced_on_its_date_with_the_customers_terms(small_demo, today):
    invoices = {i.order_number: i for i in Invoice.objects.select_related("customer")}
    delivered = 0
    for order in Order.objects.filter(cancelled_at__isnull=True).select_related("customer"):
        lines = [line for line in order.lines.all() if line.status == LineStatus.PROMISED]
        versions = [line.versions.order_by("-number").first() for line in lines]
        if not lines or max(v.date for v in versions) >= today:
            assert order.number not in invoices
            continue
        if order.customer.kind == "internal":
            assert order.number not in invoices
            continue
        invoice = invoices[order.number]
        delivered += 1
        amount = sum(v.quantity * line.unit_price for v, line in zip(versions, lines, strict=True))
        assert invoice.amount == amount.quantize(Decimal("0.01"))
        assert invoice.issue_date == max(v.date for v in versions) < today
        terms = order.customer.payment_terms_days
        assert invoice.due_date == invoice.issue_date + timedelta(days=terms)
    assert delivered == len(invoices) == small_demo.invoices


def test_allocations_never_exceed_amounts(small_demo, today):
    for invoice in Invoice.objects.annotate(total=Sum("allocations__amount")):
        assert invoice.paid_amount == (invoice.total or 0) <= invoice.amount
    for payment in Payment.objects.annotate(total=Sum("allocations__amount")):
        assert payment.allocated_amount == (payment.total or 0) <= payment.amount
        assert payment.received_on < today
    assert Allocation.objects.exists()
    assert total_drift().invoices == total_drift().payments == []


def test_payments_come_on_or_after_the_invoice_mostly_on_time(small_demo):
    on_time = late = 0
    for allocation in Allocation.objects.select_related("invoice", "payment"):
        assert allocation.payment.received_on >= allocation.invoice.issue_date
        assert allocation.payment.customer_id == allocation.invoice.customer_id
        if allocation.payment.received_on <= allocation.invoice.due_date:
            on_time += 1
        else:
            late += 1
    assert on_time > 5 * late > 0


def test_overdue_invoices_in_every_ageing_bucket(small_demo, today):
    totals = ageing_totals(today)
    for bucket in ageing.OVERDUE_BUCKETS:
        assert getattr(totals, bucket.key) > 0, bucket.name


def test_a_customer_is_over_the_credit_limit_and_blocked_reasons_match(small_demo, today):
    over = [
        c
        for c in Customer.objects.filter(credit_limit__isnull=False, is_blocked=False)
        if credit_position(c, today).open_balance > c.credit_limit
    ]
    assert 1 <= len(over) <= 8
    held = OrderLine.objects.filter(order__customer__in=over, status=LineStatus.HELD)
    assert any(r["code"] == "CREDIT_LIMIT" for line in held for r in line.reasons)
    for restaurant in Customer.objects.filter(group__code="restaurant", is_blocked=True):
        assert restaurant.blocked_reason.startswith("逾期")
        assert Invoice.objects.filter(customer=restaurant, paid_amount=0).exists()
