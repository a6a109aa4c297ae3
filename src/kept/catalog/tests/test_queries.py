from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from kept.catalog import actions, queries
from kept.catalog.queries import MovementFilters, ProductFilters, ReceiptFilters


def test_product_list_annotates_stock_and_open_receipts(rice, make_receipt, tomorrow):
    make_receipt(rice, "40", expected_date=tomorrow + timedelta(days=2))
    make_receipt(rice, "15")
    actions.cancel_receipt(make_receipt(rice, "99"))

    found = queries.product_list(ProductFilters(search="rice")).get()

    assert (found.on_hand, found.incoming, found.open_receipts) == (100, 55, 2)
    assert found.next_receipt_date == tomorrow


def test_product_without_receipts_has_zero_incoming(make_product):
    product = make_product()

    found = queries.product_by_sku(product.sku).get()

    assert (found.on_hand, found.incoming, found.open_receipts) == (0, 0, 0)
    assert found.next_receipt_date is None


def test_product_filters_combine(make_product):
    make_product("A", consumable=True, sellable=True)
    make_product("B", consumable=True, sellable=False)
    make_product("C", consumable=False, sellable=True)

    found = queries.product_list(ProductFilters(sellable=True, consumable=True))

    assert [p.sku for p in found] == ["A"]


def test_movement_list_filters_by_business_date(rice):
    old = actions.record_movement(rice, Decimal("5"), "return")
    old.created_at -= timedelta(days=10)
    old.save(update_fields=["created_at"])
    actions.record_movement(rice, Decimal("-1"), "damage")
    today = timezone.localdate()

    recent = queries.movement_list(MovementFilters(product=rice.sku, date_from=today))

    assert [m.reason for m in recent] == ["damage", "opening"]


def test_receipt_list_knows_the_quantity_received(rice, make_receipt):
    receipt = make_receipt(rice, "40")
    actions.receive_receipt(receipt, quantity=Decimal("37.5"))

    found = queries.receipt_list(ReceiptFilters(status="received", product=rice.sku)).get()

    assert found.received_quantity == Decimal("37.5")


def test_stock_and_receipts_pages_keep_a_flat_query_count(
    client_as, warehouse, make_product, make_receipt, django_assert_max_num_queries
):
    for _ in range(60):
        product = make_product(on_hand="9")
        make_receipt(product)
        actions.record_movement(product, Decimal("-1"), "adjustment")
    client = client_as(warehouse)
    client.get(reverse("catalog:stock"))

    with django_assert_max_num_queries(12):
        stock = client.get(reverse("catalog:stock"))
    with django_assert_max_num_queries(10):
        receipts = client.get(reverse("catalog:receipts"))

    assert stock.content.decode().count('data-label="On hand after"') == 50
    assert receipts.content.decode().count('data-label="Expected"') == 50


def test_api_lists_keep_a_flat_query_count(
    api_as, viewer, make_product, make_receipt, django_assert_max_num_queries
):
    for _ in range(30):
        make_receipt(make_product(on_hand="3"))
    client = api_as(viewer)

    for path in [
        "/api/v1/products",
        "/api/v1/stock",
        "/api/v1/stock/movements",
        "/api/v1/receipts",
    ]:
        with django_assert_max_num_queries(8):
            assert len(client.get(path).json()["items"]) == 30
