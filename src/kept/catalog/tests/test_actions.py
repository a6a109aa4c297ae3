from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kept.catalog import actions
from kept.catalog.choices import MovementReason, ReceiptStatus
from kept.catalog.models import Product, StockLevel, StockMovement
from kept.core.models import AuditEntry


def test_create_product_starts_with_an_empty_stock_row(make_product):
    product = make_product("OIL-1L")

    assert StockLevel.objects.get(product=product).on_hand == 0


def test_create_product_refuses_a_duplicate_sku(make_product):
    make_product("OIL-1L")

    with pytest.raises(ValidationError) as error:
        make_product("OIL-1L")

    assert "sku" in error.value.message_dict


def test_update_product_audits_a_price_change(rice, manager):
    actions.update_product(rice, {"price": Decimal("65.00")}, actor=manager)

    entry = AuditEntry.objects.get(action="product.update")
    assert entry.changes == {"price": ["60.00", "65.00"]}
    assert Product.objects.get(pk=rice.pk).price == Decimal("65.00")


def test_movement_changes_on_hand_and_records_the_balance_after(rice, warehouse):
    movement = actions.record_movement(rice, Decimal("-30.5"), "adjustment", actor=warehouse)

    assert movement.balance_after == Decimal("69.5")
    assert StockLevel.objects.get(product=rice).on_hand == Decimal("69.5")
    assert movement.created_by == warehouse


def test_movements_chain_their_balances(rice):
    actions.record_movement(rice, Decimal("10"), "return")
    last = actions.record_movement(rice, Decimal("-5"), "adjustment")

    balances = list(StockMovement.objects.order_by("id").values_list("balance_after", flat=True))
    assert balances == [Decimal("100"), Decimal("110"), Decimal("105")]
    assert last.balance_after == Decimal("105")


def test_movement_refuses_to_take_more_than_on_hand(rice):
    with pytest.raises(ValidationError) as error:
        actions.record_movement(rice, Decimal("-100.001"), "adjustment")

    assert "Only 100.000 bag on hand" in error.value.message_dict["quantity"][0]
    assert StockLevel.objects.get(product=rice).on_hand == 100
    assert rice.movements.count() == 1


@pytest.mark.parametrize("quantity", ["0", "abc", "NaN", "Infinity", "0.0001", "1e12"])
def test_movement_refuses_quantities_that_do_not_fit(rice, quantity):
    with pytest.raises(ValidationError) as error:
        actions.record_movement(rice, quantity, "adjustment")

    assert "quantity" in error.value.message_dict


def test_movement_refuses_a_balance_beyond_the_column(rice):
    with pytest.raises(ValidationError):
        actions.record_movement(rice, Decimal("99999999999.999"), "return")


def test_manual_movement_needs_a_note_for_a_write_off(rice):
    with pytest.raises(ValidationError) as error:
        actions.record_manual_movement(rice, Decimal("-2"), "write_off", note="  ")

    assert "note" in error.value.message_dict


def test_manual_movement_refuses_reasons_booked_by_other_actions(rice):
    with pytest.raises(ValidationError) as error:
        actions.record_manual_movement(rice, Decimal("5"), MovementReason.RECEIPT)

    assert "reason" in error.value.message_dict


def test_write_off_is_audited_with_its_reason(rice, warehouse):
    actions.record_manual_movement(
        rice, Decimal("-3"), "write_off", note="Bags torn by rats", actor=warehouse
    )

    entry = AuditEntry.objects.get(action="stock.write_off")
    assert entry.reason == "Bags torn by rats"
    assert entry.actor == warehouse


def test_receive_books_a_movement_and_closes_the_receipt(rice, make_receipt, warehouse):
    receipt = make_receipt(rice, "40")

    received = actions.receive_receipt(receipt, actor=warehouse)

    assert received.status == ReceiptStatus.RECEIVED
    assert received.received_at is not None
    movement = rice.movements.get(reason=MovementReason.RECEIPT)
    assert (movement.quantity, movement.balance_after, movement.receipt) == (40, 140, receipt)
    assert StockLevel.objects.get(product=rice).on_hand == 140


def test_receive_books_the_quantity_actually_received(rice, make_receipt):
    receipt = make_receipt(rice, "40")

    actions.receive_receipt(receipt, quantity=Decimal("38.5"))

    assert StockLevel.objects.get(product=rice).on_hand == Decimal("138.5")


def test_cannot_receive_twice(rice, make_receipt):
    receipt = make_receipt(rice, "40")
    actions.receive_receipt(receipt)

    with pytest.raises(ValidationError, match="no longer open"):
        actions.receive_receipt(receipt)

    assert StockLevel.objects.get(product=rice).on_hand == 140


def test_cannot_receive_a_cancelled_receipt(rice, make_receipt, manager):
    receipt = make_receipt(rice, "40")
    actions.cancel_receipt(receipt, actor=manager, reason="Supplier out of stock")

    with pytest.raises(ValidationError, match="no longer open"):
        actions.receive_receipt(receipt)

    assert StockLevel.objects.get(product=rice).on_hand == 100
    assert AuditEntry.objects.get(action="receipt.cancel").reason == "Supplier out of stock"


def test_receive_refuses_a_zero_quantity(rice, make_receipt):
    receipt = make_receipt(rice, "40")

    with pytest.raises(ValidationError):
        actions.receive_receipt(receipt, quantity=Decimal("0"))

    receipt.refresh_from_db()
    assert receipt.is_open()


def test_reschedule_moves_the_date_and_is_audited(rice, make_receipt, tomorrow):
    receipt = make_receipt(rice)
    later = tomorrow + timedelta(days=6)

    actions.reschedule_receipt(receipt, later, reason="Ship delayed")

    receipt.refresh_from_db()
    assert receipt.expected_date == later
    entry = AuditEntry.objects.get(action="receipt.reschedule")
    assert entry.changes == {"expected_date": [str(tomorrow), str(later)]}


def test_receipts_cannot_be_expected_in_the_past(rice, make_receipt):
    yesterday = timezone.localdate() - timedelta(days=1)

    with pytest.raises(ValidationError):
        make_receipt(rice, expected_date=yesterday)
    receipt = make_receipt(rice)
    with pytest.raises(ValidationError):
        actions.reschedule_receipt(receipt, yesterday)


def test_overdue_is_an_open_receipt_past_its_date(rice, make_receipt, tomorrow):
    receipt = make_receipt(rice)

    assert not receipt.is_overdue()
    assert receipt.is_overdue(today=tomorrow + timedelta(days=1))
