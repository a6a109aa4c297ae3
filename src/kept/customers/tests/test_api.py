import json

import pytest

from kept.core.models import AuditEntry
from kept.customers.models import Customer, CustomerGroup, Region


def post(client, url, payload, method="post"):
    return getattr(client, method)(url, data=json.dumps(payload), content_type="application/json")


@pytest.fixture
def refs(db):
    CustomerGroup.objects.create(code="REST", name="Restaurants")
    Region.objects.create(code="PD", name="浦东")


def test_create_read_update_archive_by_code(api_as, staff, refs):
    client = api_as(staff)
    created = post(
        client,
        "/api/v1/customers",
        {
            "code": "R100",
            "name": "金龙餐厅",
            "alias": "Golden Dragon",
            "group": "REST",
            "region": "PD",
            "customer_type": "intermediary",
            "size": 80,
            "size_unit": "seats",
            "tags": ["VIP"],
            "preferred_days": [2, 5],
            "window_start": "09:00",
            "window_end": "11:30",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["group"] == "REST" and body["region"] == "PD" and body["owner"] == staff.username
    assert body["tags"] == ["VIP"] and body["preferred_days"] == [2, 5]

    fetched = client.get("/api/v1/customers/R100").json()
    assert fetched["name"] == "金龙餐厅"

    patched = post(client, "/api/v1/customers/R100", {"phone": "021-1234"}, method="patch")
    assert patched.status_code == 200
    assert patched.json()["phone"] == "021-1234" and patched.json()["alias"] == "Golden Dragon"

    listed = client.get("/api/v1/customers", {"q": "golden"}).json()
    assert listed["count"] == 1 and listed["items"][0]["code"] == "R100"


def test_errors_have_code_message_details(api_as, staff, refs):
    client = api_as(staff)
    missing = client.get("/api/v1/customers/NOPE")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"

    bad = post(client, "/api/v1/customers", {"code": "x y", "name": ""})
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid"
    assert {tuple(d["loc"])[-1] for d in bad.json()["details"]} == {"code", "name"}

    unknown_group = post(client, "/api/v1/customers", {"code": "X1", "name": "X", "group": "NOPE"})
    assert unknown_group.status_code == 422
    assert "group" in unknown_group.json()["details"]

    post(client, "/api/v1/customers", {"code": "D1", "name": "D"})
    duplicate = post(client, "/api/v1/customers", {"code": "D1", "name": "D"})
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "duplicate"


def test_staff_cannot_set_credit_limit_manager_can(api_as, staff, manager, refs):
    Customer.objects.create(code="C1", name="C")
    staff_client = api_as(staff)
    refused = post(staff_client, "/api/v1/customers/C1", {"credit_limit": "3000"}, method="patch")
    assert refused.status_code == 403
    manager_client = api_as(manager)
    ok = post(
        manager_client,
        "/api/v1/customers/C1",
        {"credit_limit": "3000.50", "reason": "new contract"},
        method="patch",
    )
    assert ok.status_code == 200
    assert ok.json()["credit_limit"] == "3000.50"
    assert AuditEntry.objects.get(action="customer.credit").reason == "new contract"


def test_viewer_reads_but_cannot_write(api_as, viewer):
    Customer.objects.create(code="V1", name="V")
    client = api_as(viewer)
    assert client.get("/api/v1/customers/V1").status_code == 200
    assert post(client, "/api/v1/customers", {"code": "V2", "name": "V"}).status_code == 403
    assert client.delete("/api/v1/customers/V1").status_code == 403


def test_contacts_and_interactions(api_as, staff):
    Customer.objects.create(code="K1", name="K")
    client = api_as(staff)
    contact = post(
        client,
        "/api/v1/customers/K1/contacts",
        {"name": "李四", "phone": "139", "is_primary": True},
    )
    assert contact.status_code == 201
    assert client.get("/api/v1/customers/K1/contacts").json()[0]["name"] == "李四"
    logged = post(
        client, "/api/v1/customers/K1/interactions", {"kind": "call", "summary": "约了周六送米"}
    )
    assert logged.status_code == 201 and logged.json()["author"] == staff.username
    refused = post(client, "/api/v1/customers/K1/interactions", {"kind": "order", "summary": "x"})
    assert refused.status_code == 422
    page = client.get("/api/v1/customers/K1/interactions").json()
    assert page["count"] == 1 and page["items"][0]["summary"] == "约了周六送米"


def test_archive_hides_from_list(api_as, manager):
    Customer.objects.create(code="Z1", name="Z")
    client = api_as(manager)
    assert client.delete("/api/v1/customers/Z1").status_code == 204
    assert client.get("/api/v1/customers").json()["count"] == 0
    assert client.get("/api/v1/customers", {"include_archived": "true"}).json()["count"] == 1


def test_revoked_token_is_refused(client, staff):
    from kept.core.actions import create_token, revoke_token

    token, raw = create_token(staff)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/customers", **headers).status_code == 200
    revoke_token(token)
    refused = client.get("/api/v1/customers", **headers)
    assert refused.status_code == 401 and refused.json()["code"] == "unauthenticated"
    assert (
        client.get("/api/v1/customers", HTTP_AUTHORIZATION="Bearer kept_guess").status_code == 401
    )
