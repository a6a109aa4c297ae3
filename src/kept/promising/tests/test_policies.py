import json
from datetime import timedelta
from decimal import Decimal as D

from kept.core.models import AuditEntry
from kept.customers.models import CustomerGroup
from kept.promising import actions


def put(client, url, payload):
    return client.put(url, data=json.dumps(payload), content_type="application/json")


def test_group_policy_and_customer_override_drive_the_rules(
    api_as, manager, staff, customer, make_product, line
):
    group = CustomerGroup.objects.create(code="REST", name="Restaurants")
    customer.group = group
    customer.save()
    rice = make_product("RICE", on_hand="100")
    client = api_as(manager)
    response = put(
        client, "/api/v1/policies/REST", {"max_quantity": "5", "max_quantity_action": "hold"}
    )
    assert response.status_code == 200 and D(response.json()["max_quantity"]) == D(5)
    order, _ = actions.promise_order(customer, [line(rice, "6")], actor=staff)
    assert order.decision == "hold"

    override = put(
        client, "/api/v1/customers/H1/policy", {"max_quantity": "50", "reason": "central kitchen"}
    )
    assert override.status_code == 200
    order, _ = actions.promise_order(customer, [line(rice, "6")], actor=staff)
    assert order.decision == "commit"
    entry = AuditEntry.objects.get(action="policy.customer")
    assert entry.reason == "central kitchen" and entry.changes["max_quantity"][1] == "50"

    assert client.delete("/api/v1/customers/H1/policy").status_code == 204
    assert actions.promise_order(customer, [line(rice, "6")], actor=staff)[0].decision == "hold"


def test_default_policy_and_excluded_products(
    api_as, manager, staff, customer, make_product, line, today
):
    rice = make_product("RICE", on_hand="100")
    client = api_as(manager)
    put(client, "/api/v1/policies/default", {"min_lead_days": 2, "excluded_products": []})
    order, _ = actions.promise_order(customer, [line(rice, "1", days=1)], actor=staff)
    assert order.decision == "counter"
    assert (
        order.lines.get().offers.get().parts[0]["date"] == (today + timedelta(days=2)).isoformat()
    )
    group = CustomerGroup.objects.create(code="HOME", name="Homes")
    customer.group = group
    customer.save()
    put(client, "/api/v1/policies/HOME", {"excluded_products": ["RICE"]})
    order, _ = actions.promise_order(customer, [line(rice, "1", days=5)], actor=staff)
    assert order.decision == "decline"
    assert put(client, "/api/v1/policies/HOME", {"excluded_products": ["NOPE"]}).status_code == 422
    listed = client.get("/api/v1/policies").json()
    assert {p["group"] for p in listed} == {"default", "HOME"}


def test_staff_cannot_change_policies(api_as, staff):
    assert put(api_as(staff), "/api/v1/policies/default", {"min_lead_days": 1}).status_code == 403
    assert api_as(staff).get("/api/v1/policies").status_code == 403


def test_override_needs_a_reason(api_as, manager, customer):
    response = put(api_as(manager), "/api/v1/customers/H1/policy", {"max_quantity": "5"})
    assert response.status_code == 422
