from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kept.catalog import actions as catalog
from kept.core.models import AuditEntry
from kept.promising import actions, queries
from kept.promising.models import Commitment, PromiseVersion


def test_commit_writes_a_version_and_a_commitment(customer, make_product, line, staff, today):
    rice = make_product(on_hand="10")
    order, result = actions.promise_order(customer, [line(rice, "6")], actor=staff)
    assert order.number.startswith("SO-") and order.decision == "commit"
    version = PromiseVersion.objects.get()
    assert (version.quantity, version.date, version.kind) == (
        D(6),
        today + timedelta(days=1),
        "initial",
    )
    assert version.figures["on_hand"] == "10.000"
    assert queries.timeline(rice).atp(today) == D(4)


def test_second_order_cannot_take_the_same_units(customer, make_product, line, staff, today):
    rice = make_product(on_hand="10")
    actions.promise_order(customer, [line(rice, "8", days=5)], actor=staff)
    order, _ = actions.promise_order(
        customer, [line(rice, "5", days=1, accept_partial=True)], actor=staff
    )
    answer = order.lines.get()
    assert answer.decision == "decline"  # 2 left, no receipt, no replenishment → NO_SUPPLY
    assert [r["code"] for r in answer.reasons] == ["NO_SUPPLY"]


def test_counter_then_accept_then_stock_gone_gives_fresh_offer(
    customer, make_product, line, staff, today
):
    rice = make_product(on_hand="5")
    catalog.schedule_receipt(rice, D(20), today + timedelta(days=6))
    order, _ = actions.promise_order(customer, [line(rice, "8", accept_partial=True)], actor=staff)
    assert order.decision == "counter"
    offers = {o.number: o.parts for o in order.lines.get().offers.all()}
    assert offers[1] == [
        {"quantity": "8.000", "date": (today + timedelta(days=6)).isoformat(), "to_procure": False}
    ]
    assert [p["quantity"] for p in offers[2]] == ["5.000", "3.000"]
    # someone else takes the 5 on hand before the customer answers
    actions.promise_order(customer, [line(rice, "5")], actor=staff)
    result = actions.accept_offer(order, 1, 2, actor=staff)
    assert not result.accepted
    fresh = order.lines.get()
    assert fresh.status == "offered" and fresh.offers.filter(is_current=True).count() == 1
    assert not PromiseVersion.objects.filter(line=fresh).exists()
    new_offer = fresh.offers.get(is_current=True)
    assert actions.accept_offer(order, 1, new_offer.number, actor=staff).accepted
    assert PromiseVersion.objects.get(line=fresh).reason.startswith("Counter-offer")


def test_credit_hold_then_manager_approves_with_reason(
    customer, make_product, line, staff, manager
):
    customer.credit_limit = D("100")
    customer.save()
    rice = make_product(on_hand="50")
    order, _ = actions.promise_order(customer, [line(rice, "3")], actor=staff)  # 150 > 100
    assert order.decision == "hold" and not Commitment.objects.exists()
    with pytest.raises(PermissionDenied):
        actions.approve_hold(order, actor=staff, reason="ok")
    with pytest.raises(ValidationError):
        actions.approve_hold(order, actor=manager, reason="  ")
    actions.approve_hold(order, actor=manager, reason="Long-standing customer, pays weekly")
    order.refresh_from_db()
    assert order.decision == "commit" and Commitment.objects.get().quantity == D(3)
    entry = AuditEntry.objects.get(action="order.approve")
    assert entry.actor == manager and entry.changes == {"waived": ["CREDIT_LIMIT"]}


def test_reject_declines_and_is_audited(customer, make_product, line, staff, manager):
    customer.credit_limit = D("10")
    customer.save()
    order, _ = actions.promise_order(customer, [line(make_product(on_hand="5"), "1")], actor=staff)
    actions.reject_hold(order, actor=manager, reason="Too much open")
    order.refresh_from_db()
    assert order.decision == "decline" and AuditEntry.objects.filter(action="order.reject").exists()


def test_change_promise_adds_versions_and_never_edits(customer, make_product, line, staff, today):
    rice = make_product(on_hand="10")
    order, _ = actions.promise_order(customer, [line(rice, "6")], actor=staff)
    order_line = order.lines.get()
    first = PromiseVersion.objects.get()
    actions.change_promise(
        order_line, D(8), today + timedelta(days=3), kind="agreed", reason="asked", actor=staff
    )
    actions.change_promise(
        order_line, D(8), today + timedelta(days=4), kind="unilateral", reason="truck", actor=staff
    )
    versions = list(
        order_line.versions.order_by("number").values_list("number", "kind", "quantity")
    )
    assert versions == [(1, "initial", D(6)), (2, "agreed", D(8)), (3, "unilateral", D(8))]
    assert PromiseVersion.objects.get(pk=first.pk).quantity == D(6)
    assert list(Commitment.objects.open().values_list("quantity", flat=True)) == [D(8)]
    with pytest.raises(ValidationError):
        actions.change_promise(order_line, D(11), today, kind="agreed", reason="more", actor=staff)
    assert order_line.versions.count() == 3  # a refused change writes nothing


def test_cancel_frees_the_stock(customer, make_product, line, staff, today):
    rice = make_product(on_hand="10")
    order, _ = actions.promise_order(customer, [line(rice, "10")], actor=staff)
    assert queries.timeline(rice).atp(today) == 0
    actions.cancel_order(order, by="customer", reason="moved", actor=staff)
    assert queries.timeline(rice).atp(today) == D(10)
    order.refresh_from_db()
    assert order.cancelled_by == "customer" and PromiseVersion.objects.count() == 1


def test_ship_complete_offers_one_date_for_every_line(customer, make_product, line, staff, today):
    rice, oil = make_product("RICE", on_hand="10"), make_product("OIL", on_hand="0")
    catalog.schedule_receipt(oil, D(5), today + timedelta(days=4))
    order, _ = actions.promise_order(
        customer, [line(rice, "2"), line(oil, "2")], ship_complete=True, actor=staff
    )
    assert order.decision == "counter" and not Commitment.objects.exists()
    dates = {o.parts[0]["date"] for o in order.lines.all()[0].offers.all()} | {
        o.parts[0]["date"] for o in order.lines.all()[1].offers.all()
    }
    assert dates == {(today + timedelta(days=4)).isoformat()}
    assert actions.accept_offer(order, 1, 1, actor=staff).accepted
    assert sorted(Commitment.objects.values_list("quantity", flat=True)) == [D(2), D(2)]


def test_replenishment_commitment_is_to_procure_and_outside_atp(
    customer, make_product, line, staff, today
):
    rice = make_product(on_hand="1", replenishment_lead_days=3)
    order, _ = actions.promise_order(customer, [line(rice, "5", days=1)], actor=staff)
    assert order.decision == "counter"
    assert actions.accept_offer(order, 1, 1, actor=staff).accepted
    commitment = Commitment.objects.get()
    assert commitment.to_procure and commitment.date == today + timedelta(days=3)
    assert queries.timeline(rice).atp(today) == D(1)


def test_dry_run_writes_nothing(customer, make_product, line):
    rice = make_product(on_hand="10")
    result = actions.check_order(customer, [line(rice, "4")])
    assert result.decision == "commit" and not Commitment.objects.exists()
