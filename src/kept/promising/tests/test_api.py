import json
from datetime import timedelta
from decimal import Decimal as D

from kept.catalog import actions as catalog
from kept.core.models import AuditEntry


def post(client, url, payload):
    return client.post(url, data=json.dumps(payload, default=str), content_type="application/json")


def test_promise_commit_answer_shape(api_as, staff, customer, make_product, today):
    make_product("RICE", on_hand="10")
    response = post(
        api_as(staff),
        "/api/v1/orders",
        {
            "customer": "H1",
            "lines": [
                {"sku": "RICE", "quantity": "4", "requested_date": today + timedelta(days=1)}
            ],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["order"].startswith("SO-") and body["decision"] == "commit"
    [line] = body["lines"]
    assert line["line"] == 1 and line["sku"] == "RICE" and line["decision"] == "commit"
    assert line["promised_quantity"] == "4.000" and line["promised_date"] == str(
        today + timedelta(days=1)
    )
    assert line["reasons"] == [] and line["offers"] == []


def test_dry_run_counter_with_reasons_and_offers_writes_nothing(
    api_as, staff, customer, make_product, today
):
    rice = make_product("RICE", on_hand="3")
    catalog.schedule_receipt(rice, D(10), today + timedelta(days=5))
    response = post(
        api_as(staff),
        "/api/v1/orders",
        {
            "customer": "H1",
            "dry_run": True,
            "lines": [
                {
                    "sku": "RICE",
                    "quantity": "5",
                    "requested_date": today + timedelta(days=1),
                    "accept_partial": True,
                }
            ],
        },
    )
    body = response.json()
    assert response.status_code == 200 and body["order"] is None and body["decision"] == "counter"
    [line] = body["lines"]
    [reason] = line["reasons"]
    assert reason["code"] == "NOT_ENOUGH_ON_DATE"
    assert reason["message"].startswith("Only 3") and reason["details"]["instead"]
    assert [o["offer"] for o in line["offers"]] == [1, 2]
    assert [p["quantity"] for p in line["offers"][1]["parts"]] == ["3.000", "2.000"]
    assert api_as(staff).get("/api/v1/orders").json()["count"] == 0


def test_reason_message_in_the_callers_language(api_as, staff, customer, make_product, today):
    make_product("RICE", on_hand="0", sellable=False)
    client = api_as(staff)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    body = post(
        client,
        "/api/v1/orders",
        {
            "customer": "H1",
            "dry_run": True,
            "lines": [
                {"sku": "RICE", "quantity": "1", "requested_date": today + timedelta(days=1)}
            ],
        },
    ).json()
    reason = body["lines"][0]["reasons"][0]
    assert reason["code"] == "OUT_OF_SCOPE" and "RICE" in reason["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in reason["message"])


def test_accept_approve_reject_and_ledger(api_as, staff, manager, customer, make_product, today):
    rice = make_product("RICE", on_hand="2")
    catalog.schedule_receipt(rice, D(10), today + timedelta(days=4))
    client = api_as(staff)
    order = post(
        client,
        "/api/v1/orders",
        {
            "customer": "H1",
            "lines": [
                {"sku": "RICE", "quantity": "5", "requested_date": today + timedelta(days=1)}
            ],
        },
    ).json()
    assert order["decision"] == "counter"
    accepted = post(
        client, f"/api/v1/orders/{order['order']}/accept", {"line": 1, "offer": 1}
    ).json()
    assert accepted["accepted"] is True and accepted["lines"][0]["promised_date"] == str(
        today + timedelta(days=4)
    )
    ledger = client.get(f"/api/v1/orders/{order['order']}").json()
    assert [v["kind"] for v in ledger["lines"][0]["versions"]] == ["initial"]
    changed = post(
        client,
        f"/api/v1/orders/{order['order']}/lines/1/change",
        {
            "quantity": "5",
            "date": today + timedelta(days=6),
            "kind": "agreed",
            "reason": "customer away",
        },
    )
    assert changed.status_code == 200
    assert [v["kind"] for v in changed.json()["lines"][0]["versions"]] == ["initial", "agreed"]
    stale = post(client, f"/api/v1/orders/{order['order']}/accept", {"line": 1, "offer": 1})
    assert stale.status_code == 422


def test_hold_needs_a_manager(api_as, staff, manager, customer, make_product, today):
    customer.credit_limit = D("10")
    customer.save()
    make_product("RICE", on_hand="10")
    order = post(
        api_as(staff),
        "/api/v1/orders",
        {
            "customer": "H1",
            "lines": [
                {"sku": "RICE", "quantity": "1", "requested_date": today + timedelta(days=1)}
            ],
        },
    ).json()
    assert order["decision"] == "hold"
    assert order["lines"][0]["reasons"][0]["details"]["over_by"] == "40.00"
    refused = post(api_as(staff), f"/api/v1/orders/{order['order']}/approve", {"reason": "ok"})
    assert refused.status_code == 403
    approved = post(
        api_as(manager), f"/api/v1/orders/{order['order']}/approve", {"reason": "known customer"}
    )
    assert approved.json()["decision"] == "commit"
    assert AuditEntry.objects.filter(action="order.approve", reason="known customer").exists()


def test_bad_input_is_422_not_500(api_as, staff, customer, make_product, today):
    make_product("RICE", on_hand="1")
    client = api_as(staff)
    unknown = post(
        client,
        "/api/v1/orders",
        {"customer": "NOPE", "lines": [{"sku": "RICE", "quantity": "1", "requested_date": today}]},
    )
    assert unknown.status_code == 422 and unknown.json()["details"] == {"customer": "NOPE"}
    bad_sku = post(
        client,
        "/api/v1/orders",
        {"customer": "H1", "lines": [{"sku": "X", "quantity": "1", "requested_date": today}]},
    )
    assert bad_sku.status_code == 422
    negative = post(
        client,
        "/api/v1/orders",
        {"customer": "H1", "lines": [{"sku": "RICE", "quantity": "-1", "requested_date": today}]},
    )
    assert negative.status_code == 422
    assert post(client, "/api/v1/orders", {"customer": "H1", "lines": []}).status_code == 422


def test_availability_days(api_as, viewer, make_product, today):
    rice = make_product("RICE", on_hand="5")
    catalog.schedule_receipt(rice, D(10), today + timedelta(days=2))
    body = (
        api_as(viewer)
        .get("/api/v1/availability/RICE", {"to": str(today + timedelta(days=3))})
        .json()
    )
    assert body["sku"] == "RICE" and body["on_hand"] == "5.000"
    assert [(d["pab"], d["atp"]) for d in body["days"]] == [
        ("5.000", "5.000"),
        ("5.000", "5.000"),
        ("15.000", "15.000"),
        ("15.000", "15.000"),
    ]
    too_long = api_as(viewer).get(
        "/api/v1/availability/RICE", {"to": str(today + timedelta(days=400))}
    )
    assert too_long.status_code == 422


def test_delaying_a_receipt_lists_promises_at_risk_with_a_message(
    api_as, manager, customer, make_product, today
):
    rice = make_product("RICE", on_hand="2")
    receipt = catalog.schedule_receipt(rice, D(10), today + timedelta(days=2))
    client = api_as(manager)
    post(
        client,
        "/api/v1/orders",
        {
            "customer": "H1",
            "lines": [
                {"sku": "RICE", "quantity": "8", "requested_date": today + timedelta(days=3)}
            ],
        },
    )
    at_risk = post(
        client,
        f"/api/v1/supply/receipts/{receipt.pk}/delay",
        {"expected_date": today + timedelta(days=9), "reason": "truck broke down"},
    ).json()
    [item] = at_risk["items"]
    assert item["customer"] == "H1" and item["proposed_date"] == str(today + timedelta(days=9))
    assert "王芳" in item["message"] and str(today + timedelta(days=9)) in item["message"]
    assert client.get("/api/v1/promises/at-risk").json()["count"] == 1
    written_off = post(
        client, "/api/v1/supply/write-offs", {"sku": "RICE", "quantity": "2", "reason": "wet"}
    )
    assert written_off.json()["count"] == 1
