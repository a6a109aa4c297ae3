from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from kept.catalog import actions
from kept.catalog.models import Product, Receipt, StockLevel
from kept.core.models import AuditEntry

PRODUCT_FORM = {
    "sku": "OIL-5L",
    "name": "Peanut oil 5 L",
    "unit": "bottle",
    "price": "88.00",
    "cost": "61.20",
    "delivery_lead_days": "1",
    "replenishment_lead_days": "",
    "grade": "Grade A",
    "sellable": "on",
}


def test_products_page_lists_products_with_on_hand(client_as, manager, rice, make_product):
    make_product("OIL-1L", name="Peanut oil 1 L", sellable=False)

    page = client_as(manager).get(reverse("catalog:products"))

    html = page.content.decode()
    assert "Jasmine rice 5 kg" in html and "Peanut oil 1 L" in html
    assert 'data-label="On hand" class="num">100 bag' in html
    assert "2 products" in html
    assert "41.50" in html  # the manager sees cost


def test_products_page_searches_and_filters(client_as, staff, rice, make_product):
    make_product("OIL-1L", name="Peanut oil 1 L", sellable=False)
    client = client_as(staff)

    by_search = client.get(reverse("catalog:products"), {"q": "peanut"}).content.decode()
    sellable = client.get(reverse("catalog:products"), {"sellable": "yes"}).content.decode()

    assert "OIL-1L" in by_search and "RICE-5KG" not in by_search
    assert "RICE-5KG" in sellable and "OIL-1L" not in sellable


def test_products_page_paginates_fifty_a_page(client_as, viewer, make_product):
    for _ in range(51):
        make_product()

    first = client_as(viewer).get(reverse("catalog:products")).content.decode()
    second = client_as(viewer).get(reverse("catalog:products"), {"page": 2}).content.decode()

    assert "SKU-050" in first and "SKU-051" not in first
    assert "SKU-051" in second
    assert "Page 2 of 2" in second


def test_products_page_has_no_n_plus_one(
    client_as, manager, make_product, make_receipt, django_assert_max_num_queries
):
    for _ in range(60):
        make_receipt(make_product(on_hand="5"))
    client = client_as(manager)
    client.get(reverse("catalog:products"))  # warm the session and permission caches

    with django_assert_max_num_queries(10):
        page = client.get(reverse("catalog:products"))

    assert page.content.decode().count('data-label="Incoming"') == 50


@pytest.mark.parametrize("role", ["staff", "warehouse", "viewer"])
def test_cost_is_never_shown_without_financials(client_as, make_user, rice, role):
    client = client_as(make_user(role))

    listing = client.get(reverse("catalog:products")).content.decode()
    detail = client.get(reverse("catalog:product", args=[rice.sku])).content.decode()

    for html in (listing, detail):
        assert "41.50" not in html
        assert ">Cost<" not in html
    assert "60.00" in detail


def test_product_detail_shows_stock_movements_and_open_receipts(
    client_as, manager, rice, make_receipt
):
    make_receipt(rice, "40", reference="PO-778")
    actions.record_movement(rice, Decimal("-3"), "damage", note="Split bags")

    html = client_as(manager).get(reverse("catalog:product", args=["RICE-5KG"])).content.decode()

    assert "97</span>bag on hand" in html.replace("\n", "").replace("  ", "")
    assert "PO-778" in html
    assert "Split bags" in html
    assert "30.8 %" in html  # gross margin (60 − 41.50) / 60


def test_unknown_product_is_404(client_as, viewer):
    assert client_as(viewer).get(reverse("catalog:product", args=["NOPE"])).status_code == 404


def test_manager_creates_a_product_through_the_form(client_as, manager):
    response = client_as(manager).post(reverse("catalog:product_create"), PRODUCT_FORM)

    assert response.status_code == 302
    assert response.url == reverse("catalog:product", args=["OIL-5L"])
    assert StockLevel.objects.filter(product__sku="OIL-5L").exists()
    assert Product.objects.get(sku="OIL-5L").grade == "Grade A"


def test_product_form_explains_what_is_wrong(client_as, manager, rice):
    data = {**PRODUCT_FORM, "sku": "RICE-5KG", "price": "-1"}

    response = client_as(manager).post(reverse("catalog:product_create"), data)

    assert response.status_code == 422
    html = response.content.decode()
    assert "Product with this SKU already exists." in html
    assert "Ensure this value is greater than or equal to 0." in html


def test_manager_edits_a_product_and_the_change_is_audited(client_as, manager, rice):
    data = {**PRODUCT_FORM, "price": "64.00", "name": rice.name}

    response = client_as(manager).post(reverse("catalog:product_edit", args=[rice.sku]), data)

    assert response.status_code == 302
    rice.refresh_from_db()
    assert (rice.sku, rice.price) == ("RICE-5KG", Decimal("64.00"))
    assert AuditEntry.objects.get(action="product.update").changes["price"] == ["60.00", "64.00"]


@pytest.mark.parametrize("role", ["staff", "warehouse", "viewer"])
def test_only_managers_create_or_edit_products(client_as, make_user, rice, role):
    client = client_as(make_user(role))

    assert client.get(reverse("catalog:product_create")).status_code == 403
    assert (
        client.post(reverse("catalog:product_edit", args=[rice.sku]), PRODUCT_FORM).status_code
        == 403
    )


def test_stock_page_shows_on_hand_and_the_ledger(
    client_as, warehouse, rice, make_receipt, tomorrow
):
    make_receipt(rice, "40")
    actions.record_movement(rice, Decimal("-2"), "write_off", note="Expired")

    html = client_as(warehouse).get(reverse("catalog:stock")).content.decode()

    assert 'data-label="On hand" class="num">98 bag' in html
    assert tomorrow.isoformat() in html
    assert "Expired" in html and "Write-off" in html
    assert "Record a movement" in html


def test_warehouse_records_a_movement(client_as, warehouse, rice):
    data = {"product": "RICE-5KG", "quantity": "-5", "reason": "damage", "note": "Forklift"}

    response = client_as(warehouse).post(reverse("catalog:record_movement"), data, follow=True)

    assert StockLevel.objects.get(product=rice).on_hand == 95
    assert "on hand now 95.000" in response.content.decode()


def test_movement_form_requires_a_note_for_damage(client_as, warehouse, rice):
    data = {"product": "RICE-5KG", "quantity": "-5", "reason": "damage", "note": ""}

    response = client_as(warehouse).post(reverse("catalog:record_movement"), data)

    assert response.status_code == 422
    assert "a note is required for write-offs" in response.content.decode()
    assert StockLevel.objects.get(product=rice).on_hand == 100


def test_movement_form_shows_the_negative_stock_refusal(client_as, warehouse, rice):
    data = {"product": "RICE-5KG", "quantity": "-500", "reason": "adjustment"}

    response = client_as(warehouse).post(reverse("catalog:record_movement"), data)

    assert response.status_code == 422
    assert "Only 100.000 bag on hand; cannot take out 500" in response.content.decode()


def test_viewer_cannot_post_a_movement(client_as, viewer, rice):
    data = {"product": "RICE-5KG", "quantity": "5", "reason": "adjustment"}

    response = client_as(viewer).post(reverse("catalog:record_movement"), data)

    assert response.status_code == 403
    assert StockLevel.objects.get(product=rice).on_hand == 100
    assert (
        "Record a movement" not in client_as(viewer).get(reverse("catalog:stock")).content.decode()
    )


def test_stock_ledger_filters_by_reason(client_as, viewer, rice):
    actions.record_movement(rice, Decimal("-1"), "damage", note="Torn")

    html = client_as(viewer).get(reverse("catalog:stock"), {"reason": "damage"}).content.decode()

    assert "1 movement" in html and "Torn" in html


def test_receipts_page_lists_open_receipts_by_default(client_as, warehouse, rice, make_receipt):
    make_receipt(rice, "40", reference="PO-OPEN")
    actions.receive_receipt(make_receipt(rice, "10", reference="PO-DONE"))

    html = client_as(warehouse).get(reverse("catalog:receipts")).content.decode()
    everything = (
        client_as(warehouse).get(reverse("catalog:receipts"), {"status": "any"}).content.decode()
    )

    assert "PO-OPEN" in html and "PO-DONE" not in html
    assert "PO-OPEN" in everything and "PO-DONE" in everything
    assert "Schedule a receipt" in html


def test_warehouse_schedules_a_receipt(client_as, warehouse, rice, tomorrow):
    data = {
        "product": "RICE-5KG",
        "quantity": "25",
        "expected_date": tomorrow.isoformat(),
        "reference": "PO-9",
    }

    response = client_as(warehouse).post(reverse("catalog:schedule_receipt"), data)

    assert response.status_code == 302
    assert Receipt.objects.get().reference == "PO-9"


def test_schedule_form_refuses_a_past_date(client_as, warehouse, rice, tomorrow):
    past = (tomorrow - timedelta(days=3)).isoformat()
    data = {"product": "RICE-5KG", "quantity": "25", "expected_date": past}

    response = client_as(warehouse).post(reverse("catalog:schedule_receipt"), data)

    assert response.status_code == 422
    assert "cannot be in the past" in response.content.decode()
    assert not Receipt.objects.exists()


def test_receive_with_the_quantity_actually_received(client_as, warehouse, rice, make_receipt):
    receipt = make_receipt(rice, "40")

    response = client_as(warehouse).post(
        reverse("catalog:receive_receipt", args=[receipt.pk]), {"quantity": "36"}, follow=True
    )

    assert StockLevel.objects.get(product=rice).on_hand == 136
    assert "Received 36 bag of RICE-5KG into stock." in response.content.decode()


def test_receiving_twice_shows_why_it_failed(client_as, warehouse, rice, make_receipt):
    receipt = make_receipt(rice, "40")
    client = client_as(warehouse)
    client.post(reverse("catalog:receive_receipt", args=[receipt.pk]))

    response = client.post(reverse("catalog:receive_receipt", args=[receipt.pk]), follow=True)

    assert "no longer open" in response.content.decode()
    assert StockLevel.objects.get(product=rice).on_hand == 140


def test_reschedule_and_cancel_buttons(client_as, warehouse, rice, make_receipt, tomorrow):
    receipt = make_receipt(rice)
    client = client_as(warehouse)
    later = tomorrow + timedelta(days=7)

    client.post(
        reverse("catalog:reschedule_receipt", args=[receipt.pk]),
        {"expected_date": later.isoformat()},
    )
    refused = client.post(
        reverse("catalog:cancel_receipt", args=[receipt.pk]), {"reason": ""}, follow=True
    )
    client.post(reverse("catalog:cancel_receipt", args=[receipt.pk]), {"reason": "Supplier failed"})

    receipt.refresh_from_db()
    assert receipt.expected_date == later
    assert "Say why the receipt is cancelled." in refused.content.decode()
    assert receipt.status == "cancelled"


def test_row_actions_return_to_the_page_they_came_from_but_not_elsewhere(
    client_as, warehouse, rice, make_receipt
):
    receipt = make_receipt(rice)
    product_page = reverse("catalog:product", args=[rice.sku])
    client = client_as(warehouse)

    back = client.post(
        reverse("catalog:receive_receipt", args=[receipt.pk]), {"next": product_page}
    )
    other = make_receipt(rice)
    away = client.post(
        reverse("catalog:receive_receipt", args=[other.pk]), {"next": "https://evil.example/"}
    )

    assert back.url == product_page
    assert away.url == reverse("catalog:receipts")


@pytest.mark.parametrize("name", ["receive_receipt", "reschedule_receipt", "cancel_receipt"])
def test_viewer_cannot_change_receipts(client_as, viewer, rice, make_receipt, name):
    receipt = make_receipt(rice)

    response = client_as(viewer).post(
        reverse(f"catalog:{name}", args=[receipt.pk]), {"reason": "x"}
    )

    assert response.status_code == 403
    receipt.refresh_from_db()
    assert receipt.is_open()


def test_writes_refuse_get(client_as, manager, rice, make_receipt):
    receipt = make_receipt(rice)
    client = client_as(manager)

    assert client.get(reverse("catalog:record_movement")).status_code == 405
    assert client.get(reverse("catalog:receive_receipt", args=[receipt.pk])).status_code == 405


def test_writes_need_the_csrf_token(client, warehouse, rice):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(warehouse)

    data = {"product": "RICE-5KG", "quantity": "5", "reason": "adjustment"}
    response = browser.post(reverse("catalog:record_movement"), data)

    assert response.status_code == 403
    assert StockLevel.objects.get(product=rice).on_hand == 100


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("catalog:products"))

    assert response.status_code == 302
    assert reverse("login") in response.url
