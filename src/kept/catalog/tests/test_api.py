from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kept.catalog import actions
from kept.catalog.models import Product, StockLevel

NEW_PRODUCT = {
    "sku": "OIL-5L",
    "name": "Peanut oil 5 L",
    "unit": "bottle",
    "price": "88.00",
    "cost": "61.20",
    "consumable": True,
    "delivery_lead_days": 1,
}


def _error_shape(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    return body


def test_manager_creates_a_product(api_as, manager):
    response = api_as(manager).post(
        "/api/v1/products", NEW_PRODUCT, content_type="application/json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["sku"] == "OIL-5L"
    assert body["cost"] == "61.20"
    assert body["on_hand"] == "0.000"
    assert body["replenishment_lead_days"] is None
    assert StockLevel.objects.filter(product__sku="OIL-5L").exists()


def test_duplicate_sku_is_a_conflict(api_as, manager, rice):
    payload = {**NEW_PRODUCT, "sku": rice.sku}

    response = api_as(manager).post("/api/v1/products", payload, content_type="application/json")

    _error_shape(response, 409, "duplicate")


@pytest.mark.parametrize(
    "change",
    [
        {"price": "1e30"},
        {"price": "-1"},
        {"price": "abc"},
        {"price": "1.005"},
        {"sku": "bad sku!"},
        {"delivery_lead_days": 99999},
        {"name": ""},
    ],
)
def test_bad_product_input_is_a_422_not_a_500(api_as, manager, change):
    response = api_as(manager).post(
        "/api/v1/products", {**NEW_PRODUCT, **change}, content_type="application/json"
    )

    _error_shape(response, 422, "invalid")
    assert not Product.objects.exists()


def test_staff_cannot_create_products(api_as, staff):
    response = api_as(staff).post("/api/v1/products", NEW_PRODUCT, content_type="application/json")

    _error_shape(response, 403, "forbidden")


def test_get_product_by_sku_with_stock(api_as, manager, rice, make_receipt):
    make_receipt(rice, "40")

    body = api_as(manager).get("/api/v1/products/RICE-5KG").json()

    assert body["name"] == "Jasmine rice 5 kg"
    assert (body["on_hand"], body["incoming"], body["cost"]) == ("100.000", "40.000", "41.50")


def test_unknown_sku_is_a_json_404(api_as, viewer):
    response = api_as(viewer).get("/api/v1/products/NOPE")

    _error_shape(response, 404, "not_found")


@pytest.mark.parametrize("role", ["staff", "warehouse", "viewer"])
def test_cost_is_omitted_for_roles_without_financials(api_as, make_user, rice, role):
    client = api_as(make_user(role))

    one = client.get("/api/v1/products/RICE-5KG").json()
    listed = client.get("/api/v1/products").json()["items"][0]

    assert "cost" not in one
    assert "cost" not in listed
    assert one["price"] == "60.00"


def test_patch_changes_only_the_fields_sent(api_as, manager, rice):
    response = api_as(manager).patch(
        "/api/v1/products/RICE-5KG", {"price": "62.50"}, content_type="application/json"
    )

    assert response.status_code == 200
    rice.refresh_from_db()
    assert (rice.price, rice.cost, rice.name) == (Decimal("62.50"), Decimal("41.50"), rice.name)


def test_put_replaces_every_field_but_the_sku(api_as, manager, rice):
    payload = {k: v for k, v in NEW_PRODUCT.items() if k != "sku"}

    response = api_as(manager).put(
        "/api/v1/products/RICE-5KG", payload, content_type="application/json"
    )

    assert response.status_code == 200
    assert response.json()["sku"] == "RICE-5KG"
    assert response.json()["name"] == "Peanut oil 5 L"


def test_warehouse_cannot_change_a_product(api_as, warehouse, rice):
    response = api_as(warehouse).patch(
        "/api/v1/products/RICE-5KG", {"price": "1"}, content_type="application/json"
    )

    _error_shape(response, 403, "forbidden")
    rice.refresh_from_db()
    assert rice.price == Decimal("60.00")


def test_products_are_paginated_with_limit_and_offset(api_as, viewer, make_product):
    for _ in range(7):
        make_product()
    client = api_as(viewer)

    first = client.get("/api/v1/products?limit=3").json()
    last = client.get("/api/v1/products?limit=3&offset=6").json()

    assert first["count"] == 7
    assert [item["sku"] for item in first["items"]] == ["SKU-001", "SKU-002", "SKU-003"]
    assert [item["sku"] for item in last["items"]] == ["SKU-007"]


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "offset=-1", "limit=x"])
def test_bad_paging_is_a_422(api_as, viewer, query):
    response = api_as(viewer).get(f"/api/v1/products?{query}")

    _error_shape(response, 422, "invalid")


def test_products_filter_by_search_and_flags(api_as, viewer, rice, make_product):
    make_product("OIL-1L", name="Peanut oil", sellable=False)
    client = api_as(viewer)

    by_name = client.get("/api/v1/products?q=jasmine").json()
    not_sold = client.get("/api/v1/products?sellable=false").json()

    assert [p["sku"] for p in by_name["items"]] == ["RICE-5KG"]
    assert [p["sku"] for p in not_sold["items"]] == ["OIL-1L"]


def test_stock_lists_on_hand_and_incoming(api_as, warehouse, rice, make_receipt, tomorrow):
    make_receipt(rice, "40", expected_date=tomorrow + timedelta(days=3))
    make_receipt(rice, "10")

    item = api_as(warehouse).get("/api/v1/stock").json()["items"][0]

    assert item == {
        "sku": "RICE-5KG",
        "name": "Jasmine rice 5 kg",
        "unit": "bag",
        "on_hand": "100.000",
        "incoming": "50.000",
        "open_receipts": 2,
        "next_receipt_date": tomorrow.isoformat(),
    }


def test_warehouse_records_a_manual_movement(api_as, warehouse, rice):
    payload = {"product": "RICE-5KG", "quantity": "-4", "reason": "damage", "note": "Wet bags"}

    response = api_as(warehouse).post(
        "/api/v1/stock/movements", payload, content_type="application/json"
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["quantity"], body["balance_after"], body["created_by"]) == (
        "-4.000",
        "96.000",
        "keeper",
    )
    assert StockLevel.objects.get(product=rice).on_hand == 96


def test_negative_stock_is_a_422_with_the_action_message(api_as, warehouse, rice):
    payload = {"product": "RICE-5KG", "quantity": "-101", "reason": "adjustment"}

    response = api_as(warehouse).post(
        "/api/v1/stock/movements", payload, content_type="application/json"
    )

    body = _error_shape(response, 422, "invalid")
    assert "Only 100.000 bag on hand" in body["message"]
    assert "quantity" in body["details"]


@pytest.mark.parametrize(
    "change",
    [
        {"reason": "receipt"},
        {"quantity": 1e400},
        {"quantity": "99999999999999999"},
        {"quantity": "abc"},
        {"product": "NOPE"},
        {"reason": "write_off", "note": ""},
    ],
)
def test_bad_movements_are_422(api_as, warehouse, rice, change):
    payload = {"product": "RICE-5KG", "quantity": "-1", "reason": "adjustment", **change}

    response = api_as(warehouse).post(
        "/api/v1/stock/movements", payload, content_type="application/json"
    )

    _error_shape(response, 422, "invalid")
    assert rice.movements.count() == 1


def test_viewer_cannot_record_a_movement(api_as, viewer, rice):
    payload = {"product": "RICE-5KG", "quantity": "1", "reason": "adjustment"}

    response = api_as(viewer).post(
        "/api/v1/stock/movements", payload, content_type="application/json"
    )

    _error_shape(response, 403, "forbidden")


def test_movements_filter_by_product_and_reason(api_as, viewer, rice, make_product):
    make_product("OIL-1L", on_hand="5")
    actions.record_movement(rice, Decimal("-1"), "damage")
    client = api_as(viewer)

    rice_only = client.get("/api/v1/stock/movements?product=RICE-5KG").json()
    damage = client.get("/api/v1/stock/movements?reason=damage").json()
    today = timezone.localdate().isoformat()
    dated = client.get(f"/api/v1/stock/movements?date_from={today}&date_to={today}").json()

    assert rice_only["count"] == 2
    assert [m["quantity"] for m in damage["items"]] == ["-1.000"]
    assert dated["count"] == 3


def test_extreme_dates_do_not_break_the_ledger(api_as, viewer, rice):
    response = api_as(viewer).get("/api/v1/stock/movements?date_from=0001-01-01&date_to=9999-12-31")

    assert response.json()["count"] == 1


def test_schedule_receive_and_read_a_receipt(api_as, warehouse, rice, tomorrow):
    client = api_as(warehouse)
    payload = {"product": "RICE-5KG", "quantity": "40", "expected_date": tomorrow.isoformat()}

    created = client.post("/api/v1/receipts", payload, content_type="application/json").json()
    received = client.post(
        f"/api/v1/receipts/{created['id']}/receive",
        {"quantity": "39"},
        content_type="application/json",
    )

    assert created["status"] == "scheduled"
    assert received.status_code == 200
    assert received.json()["status"] == "received"
    assert received.json()["received_quantity"] == "39.000"
    assert client.get(f"/api/v1/receipts/{created['id']}").json()["quantity"] == "40.000"
    assert StockLevel.objects.get(product=rice).on_hand == 139


def test_receiving_twice_is_a_422(api_as, warehouse, rice, make_receipt):
    receipt = make_receipt(rice)
    client = api_as(warehouse)
    client.post(f"/api/v1/receipts/{receipt.pk}/receive", {}, content_type="application/json")

    response = client.post(
        f"/api/v1/receipts/{receipt.pk}/receive", {}, content_type="application/json"
    )

    body = _error_shape(response, 422, "invalid")
    assert "no longer open" in body["message"]


def test_patch_reschedules_and_cancel_closes(api_as, warehouse, rice, make_receipt, tomorrow):
    receipt = make_receipt(rice)
    client = api_as(warehouse)
    later = (tomorrow + timedelta(days=5)).isoformat()

    moved = client.patch(
        f"/api/v1/receipts/{receipt.pk}", {"expected_date": later}, content_type="application/json"
    ).json()
    cancelled = client.post(
        f"/api/v1/receipts/{receipt.pk}/cancel",
        {"reason": "Supplier failed"},
        content_type="application/json",
    ).json()

    assert moved["expected_date"] == later
    assert cancelled["status"] == "cancelled"


def test_cancel_needs_a_reason(api_as, warehouse, rice, make_receipt):
    receipt = make_receipt(rice)

    response = api_as(warehouse).post(
        f"/api/v1/receipts/{receipt.pk}/cancel", {"reason": ""}, content_type="application/json"
    )

    _error_shape(response, 422, "invalid")


@pytest.mark.parametrize("receipt_id", ["999", "99999999999999999999999"])
def test_unknown_receipt_ids_are_404_or_422_never_500(api_as, viewer, receipt_id):
    response = api_as(viewer).get(f"/api/v1/receipts/{receipt_id}")

    assert response.status_code in {404, 422}
    assert response.json()["code"] in {"not_found", "invalid"}


def test_receipts_filter_by_status(api_as, viewer, rice, make_receipt):
    make_receipt(rice, "10")
    actions.receive_receipt(make_receipt(rice, "20"))
    client = api_as(viewer)

    scheduled = client.get("/api/v1/receipts?status=scheduled").json()
    everything = client.get("/api/v1/receipts").json()
    bad = client.get("/api/v1/receipts?status=lost")

    assert [r["quantity"] for r in scheduled["items"]] == ["10.000"]
    assert everything["count"] == 2
    _error_shape(bad, 422, "invalid")


def test_openapi_documents_error_responses_and_no_delete(api_as, viewer):
    schema = api_as(viewer).get("/api/v1/openapi.json").json()

    operation = schema["paths"]["/api/v1/products/{sku}"]["get"]
    assert {"200", "403", "404", "422"} <= set(operation["responses"])
    assert "delete" not in schema["paths"]["/api/v1/products/{sku}"]
    product_out = schema["components"]["schemas"]["ProductOut"]
    assert "on_hand" in product_out["properties"]


def test_receive_needs_no_body(api_as, warehouse, rice, make_receipt):
    receipt = make_receipt(rice, "40")

    response = api_as(warehouse).generic(
        "POST", f"/api/v1/receipts/{receipt.pk}/receive", b"", content_type="application/json"
    )

    assert response.status_code == 200
    assert response.json()["received_quantity"] == "40.000"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/products/RICE%00",
        "/api/v1/products?q=%00",
        "/api/v1/stock/movements?product=%00",
        "/api/v1/receipts?product=RICE%00",
    ],
)
def test_nul_characters_never_reach_the_database(api_as, viewer, rice, path):
    response = api_as(viewer).get(path)

    assert response.status_code in {200, 400, 404, 422}
    assert "code" in response.json() or "items" in response.json()


def test_malformed_json_is_a_client_error(api_as, warehouse, rice):
    response = api_as(warehouse).generic(
        "POST", "/api/v1/stock/movements", b'{"product": ', content_type="application/json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"code", "message", "details"}
