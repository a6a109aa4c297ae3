"""The hand-written SQL of the decision's hot path answers what the ORM answers (both DBs)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Q, Sum

from kept.catalog import actions as catalog
from kept.catalog.choices import ReceiptStatus
from kept.catalog.models import Receipt, StockLevel
from kept.promising import actions, hot, queries
from kept.promising.models import Commitment
from kept.receivables import actions as receivables
from kept.receivables.queries import credit_position

pytestmark = pytest.mark.django_db


def _orm_rows(ids):
    on_hand = dict(
        StockLevel.objects.filter(product_id__in=ids).values_list("product_id", "on_hand")
    )
    receipts = {pid: [] for pid in ids}
    for pid, day, quantity in Receipt.objects.filter(
        product_id__in=ids, status=ReceiptStatus.SCHEDULED
    ).values_list("product_id", "expected_date", "quantity"):
        receipts[pid].append((day, quantity))
    commitments = {pid: [] for pid in ids}
    for pid, day, quantity in (
        Commitment.objects.filter(Q(product_id__in=ids), is_open=True, to_procure=False)
        .values("product_id", "date")
        .annotate(total=Sum("quantity"))
        .values_list("product_id", "date", "total")
    ):
        commitments[pid].append((day, quantity))
    return on_hand, receipts, commitments


def test_timeline_rows_match_the_orm(make_product, customer, line, today):
    rice = make_product("RICE", on_hand="12.5")
    oil = make_product("OIL", on_hand="3", replenishment_lead_days=5)
    empty = make_product("EMPTY")
    catalog.schedule_receipt(rice, Decimal("40.25"), today + timedelta(days=6))
    gone = catalog.schedule_receipt(rice, Decimal(9), today + timedelta(days=7))
    catalog.cancel_receipt(gone, reason="supplier")
    actions.promise_order(customer, [line(rice, "2.125", 2), line(oil, "2", 2)])
    actions.promise_order(customer, [line(rice, "0.5", 2), line(oil, "1", 4)])  # same day: Σ
    actions.promise_order(customer, [line(oil, "8", 9)])  # to procure: not in ATP
    order, _ = actions.promise_order(customer, [line(rice, "1", 3)])
    actions.cancel_order(order, by="customer")  # its commitment is closed
    ids = [rice.pk, oil.pk, empty.pk]
    on_hand, receipts, commitments = hot.timeline_rows(ids)
    expected = _orm_rows(ids)
    assert on_hand == expected[0]
    assert {pid: sorted(rows) for pid, rows in receipts.items()} == {
        pid: sorted(rows) for pid, rows in expected[1].items()
    }
    assert {pid: sorted(rows) for pid, rows in commitments.items()} == {
        pid: sorted(rows) for pid, rows in expected[2].items()
    }
    assert receipts[rice.pk] == [(today + timedelta(days=6), Decimal("40.250"))]
    assert commitments[rice.pk] == [(today + timedelta(days=2), Decimal("2.625"))]
    assert on_hand[rice.pk] == Decimal("12.500") and commitments[empty.pk] == []


def test_credit_facts_match_the_orm(make_product, customer, line, today):
    rice = make_product("RICE", on_hand="100", price="12.34")
    customer.payment_terms_days = 10
    customer.save()
    receivables.issue_invoice(customer, Decimal("100.10"), today - timedelta(days=50))
    receivables.issue_invoice(customer, Decimal("60.05"), today - timedelta(days=20))
    receivables.issue_invoice(customer, Decimal("40.05"), today)
    receivables.issue_invoice(customer, Decimal("9.99"), today - timedelta(days=30))
    receivables.record_payment(
        customer, Decimal("115.09"), today, allocate="oldest", method="bank_transfer"
    )
    actions.promise_order(customer, [line(rice, "3", 2)])
    order, _ = actions.promise_order(customer, [line(rice, "1.5", 3)])
    actions.cancel_order(order, by="customer")
    balance, overdue, oldest, committed = hot.credit_facts(customer.pk, today)
    position = credit_position(customer, today)
    assert balance == position.open_balance == Decimal("95.10")
    assert overdue == position.overdue_amount == Decimal("55.05")
    assert (today - oldest).days == position.oldest_overdue_days == 10
    assert committed == queries.open_commitments_value(customer) == Decimal("37.02")


def test_credit_facts_of_a_clean_customer(customer, today):
    assert hot.credit_facts(customer.pk, today) == (Decimal("0.00"), Decimal("0.00"), None, 0)
