"""Every page and every API operation, for anonymous and each role (NetBox's ViewTestCases idea).

The tables below must list every route: a new URL or API operation without an entry fails
`test_every_route_is_listed`, so no route ships without a decision on who may use it.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROLES = ["manager", "staff", "warehouse", "viewer"]
EVERYONE = set(ROLES)
OFFICE = {"manager", "staff"}
READERS = {"manager", "staff", "viewer"}
STOCK_READERS = {"manager", "staff", "warehouse", "viewer"}
STOCK_WRITERS = {"manager", "warehouse"}
MANAGER = {"manager"}
DESK = {"manager", "staff", "warehouse"}  # tickets, including hand-offs between departments
TEAM = {"manager", "staff", "warehouse"}  # the value scorecards: everyone who serves customers

# url name → (method, kwargs builder, roles allowed). Pages that need no login are listed in PUBLIC.
PAGES: dict[str, tuple[str, callable, set[str]]] = {
    "home": ("get", lambda d: {}, EVERYONE),
    "customers:list": ("get", lambda d: {}, READERS),
    "customers:create": ("get", lambda d: {}, OFFICE),
    "customers:notebook": ("get", lambda d: {"code": d["customer"]}, READERS),
    "customers:edit": ("get", lambda d: {"code": d["customer"]}, OFFICE),
    "customers:timeline": ("get", lambda d: {"code": d["customer"]}, READERS),
    "customers:log_interaction": ("post", lambda d: {"code": d["customer"]}, OFFICE),
    "customers:contact_create": ("get", lambda d: {"code": d["customer"]}, OFFICE),
    "customers:contact_edit": (
        "get",
        lambda d: {"code": d["customer"], "contact_id": d["contact"]},
        OFFICE,
    ),
    "customers:contact_delete": (
        "post",
        lambda d: {"code": d["customer"], "contact_id": d["contact"]},
        OFFICE,
    ),
    "catalog:products": ("get", lambda d: {}, STOCK_READERS),
    "catalog:product": ("get", lambda d: {"sku": d["sku"]}, STOCK_READERS),
    "catalog:product_create": ("get", lambda d: {}, MANAGER),
    "catalog:product_edit": ("get", lambda d: {"sku": d["sku"]}, MANAGER),
    "catalog:stock": ("get", lambda d: {}, STOCK_READERS),
    "catalog:record_movement": ("post", lambda d: {}, STOCK_WRITERS),
    "catalog:stock-targets": ("get", lambda d: {}, STOCK_WRITERS),
    "catalog:receipts": ("get", lambda d: {}, STOCK_READERS),
    "catalog:schedule_receipt": ("post", lambda d: {}, STOCK_WRITERS),
    "catalog:receive_receipt": ("post", lambda d: {"receipt_id": d["receipt"]}, STOCK_WRITERS),
    "catalog:reschedule_receipt": ("post", lambda d: {"receipt_id": d["receipt"]}, STOCK_WRITERS),
    "catalog:cancel_receipt": ("post", lambda d: {"receipt_id": d["receipt"]}, STOCK_WRITERS),
    "transfer:index": ("get", lambda d: {}, EVERYONE),
    "transfer:export": ("get", lambda d: {"entity": "customers", "fmt": "csv"}, READERS),
    "transfer:template": ("get", lambda d: {"entity": "customers", "fmt": "csv"}, OFFICE),
    "transfer:upload": ("get", lambda d: {"entity": "customers"}, OFFICE),
    "transfer:confirm": ("post", lambda d: {"entity": "customers"}, OFFICE),
    "promising:desk": ("get", lambda d: {}, OFFICE),
    "promising:check": ("post", lambda d: {}, OFFICE),
    "promising:availability": ("get", lambda d: {}, OFFICE),
    "promising:customer_suggestions": ("get", lambda d: {}, OFFICE),
    "promising:customer_panel": ("get", lambda d: {}, OFFICE),
    "promising:orders": ("get", lambda d: {}, EVERYONE),
    "promising:order": ("get", lambda d: {"number": d["number"]}, EVERYONE),
    "promising:accept": ("post", lambda d: {"number": d["number"]}, OFFICE),
    "promising:approve": ("post", lambda d: {"number": d["number"]}, MANAGER),
    "promising:reject": ("post", lambda d: {"number": d["number"]}, MANAGER),
    "promising:change": ("post", lambda d: {"number": d["number"], "line": 1}, OFFICE),
    "promising:cancel": ("post", lambda d: {"number": d["number"]}, OFFICE),
    "promising:at_risk": ("get", lambda d: {}, EVERYONE),
    "fulfilment:deliveries": ("get", lambda d: {}, EVERYONE),
    "fulfilment:record": ("post", lambda d: {"line": d["line_pk"]}, STOCK_WRITERS),
    "fulfilment:service_level": ("get", lambda d: {}, EVERYONE),
    "fulfilment:failures": ("get", lambda d: {}, EVERYONE),
    "replenishment:rounds": ("get", lambda d: {}, EVERYONE),
    "replenishment:answer": ("post", lambda d: {"subscription": d["subscription"]}, OFFICE),
    "replenishment:plan_run": ("get", lambda d: {}, EVERYONE),
    "replenishment:run_plan": ("post", lambda d: {}, OFFICE),
    "replenishment:create": ("get", lambda d: {"code": d["customer"]}, OFFICE),
    "replenishment:edit": ("get", lambda d: {"code": d["customer"], "pk": d["pk"]}, OFFICE),
    "servicedesk:queue": ("get", lambda d: {}, EVERYONE),
    "servicedesk:create": ("get", lambda d: {}, DESK),
    "servicedesk:ticket": ("get", lambda d: {"pk": d["ticket_id"]}, EVERYONE),
    "servicedesk:reply": ("post", lambda d: {"pk": d["ticket_id"]}, DESK),
    "servicedesk:status": ("post", lambda d: {"pk": d["ticket_id"]}, DESK),
    "servicedesk:edit": ("post", lambda d: {"pk": d["ticket_id"]}, DESK),
    "servicedesk:complaint": ("post", lambda d: {"pk": d["ticket_id"]}, OFFICE),
    "servicedesk:confirm": ("post", lambda d: {"pk": d["ticket_id"]}, MANAGER),
    "feedback:results": ("get", lambda d: {}, READERS),
    "feedback:send": ("get", lambda d: {}, OFFICE),
    "notifications": ("get", lambda d: {}, EVERYONE),
    "notifications_read": ("post", lambda d: {}, EVERYONE),
    "receivables:invoices": ("get", lambda d: {}, READERS),
    "receivables:payments": ("get", lambda d: {}, READERS),
    "receivables:ageing": ("get", lambda d: {}, READERS),
    "receivables:invoice": ("get", lambda d: {"number": d["invoice"]}, READERS),
    "receivables:payment": ("get", lambda d: {"payment_id": d["payment"]}, READERS),
    "receivables:invoice_create": ("get", lambda d: {}, MANAGER),
    "receivables:payment_create": ("get", lambda d: {}, MANAGER),
    "receivables:allocate": ("post", lambda d: {"number": d["invoice"]}, MANAGER),
    # value: profit, cost-to-serve and CLV for managers; the lapsing call list (no money) too
    # for those who read customers
    "value:profit": ("get", lambda d: {}, MANAGER),
    "value:settings": ("get", lambda d: {}, MANAGER),
    "value:save_rates": ("post", lambda d: {}, MANAGER),
    "value:save_quadrants": ("post", lambda d: {}, MANAGER),
    "value:save_spend": ("post", lambda d: {}, MANAGER),
    "value:add_vip": ("post", lambda d: {}, MANAGER),
    "value:end_vip": ("post", lambda d: {"pk": d["vip"]}, MANAGER),
    "value:segments": ("get", lambda d: {}, MANAGER),
    "value:retention": ("get", lambda d: {}, MANAGER),
    "value:lapsing": ("get", lambda d: {}, READERS),
    "value:refit": ("post", lambda d: {}, MANAGER),
    "value:refit_status": ("get", lambda d: {}, MANAGER),
    # the funnel: leads worked by the office, read by the viewer, stages set by managers
    "pipeline:funnel": ("get", lambda d: {}, READERS),
    "pipeline:leads": ("get", lambda d: {}, READERS),
    "pipeline:lead": ("get", lambda d: {"pk": d["lead_id"]}, READERS),
    "pipeline:lead_create": ("get", lambda d: {}, OFFICE),
    "pipeline:lead_move": ("post", lambda d: {"pk": d["lead_id"]}, OFFICE),
    "pipeline:lead_lose": ("post", lambda d: {"pk": d["lead_id"]}, OFFICE),
    "pipeline:lead_win": ("post", lambda d: {"pk": d["lead_id"]}, OFFICE),
    "pipeline:stages": ("get", lambda d: {}, MANAGER),
    # value scorecards: the team scores; managers set the items and close periods
    "team:scorecards": ("get", lambda d: {}, TEAM),
    "team:score": ("get", lambda d: {}, TEAM),
    "team:person": ("get", lambda d: {"username": d["username"]}, TEAM),
    "team:items": ("get", lambda d: {}, MANAGER),
    "team:close_period": ("post", lambda d: {"key": d["period"]}, MANAGER),
}
PUBLIC = {"login", "health", "set_language", "feedback:answer"}
LOGOUT = "logout"

# (method, OpenAPI path) → roles allowed.
API: dict[tuple[str, str], set[str]] = {
    ("get", "/api/v1/customers"): READERS,
    ("post", "/api/v1/customers"): OFFICE,
    ("get", "/api/v1/customers/{code}"): READERS,
    ("put", "/api/v1/customers/{code}"): OFFICE,
    ("patch", "/api/v1/customers/{code}"): OFFICE,
    ("delete", "/api/v1/customers/{code}"): MANAGER,
    ("get", "/api/v1/customers/{code}/contacts"): READERS,
    ("post", "/api/v1/customers/{code}/contacts"): OFFICE,
    ("put", "/api/v1/customers/{code}/contacts/{contact_id}"): OFFICE,
    ("delete", "/api/v1/customers/{code}/contacts/{contact_id}"): OFFICE,
    ("get", "/api/v1/customers/{code}/interactions"): READERS,
    ("post", "/api/v1/customers/{code}/interactions"): OFFICE,
    ("get", "/api/v1/products"): STOCK_READERS,
    ("post", "/api/v1/products"): MANAGER,
    ("get", "/api/v1/products/{sku}"): STOCK_READERS,
    ("put", "/api/v1/products/{sku}"): MANAGER,
    ("patch", "/api/v1/products/{sku}"): MANAGER,
    ("get", "/api/v1/stock"): STOCK_READERS,
    ("get", "/api/v1/stock/movements"): STOCK_READERS,
    ("post", "/api/v1/stock/movements"): STOCK_WRITERS,
    ("get", "/api/v1/stock/targets"): STOCK_WRITERS,
    ("get", "/api/v1/receipts"): STOCK_READERS,
    ("post", "/api/v1/receipts"): STOCK_WRITERS,
    ("get", "/api/v1/receipts/{receipt_id}"): STOCK_READERS,
    ("patch", "/api/v1/receipts/{receipt_id}"): STOCK_WRITERS,
    ("post", "/api/v1/receipts/{receipt_id}/receive"): STOCK_WRITERS,
    ("post", "/api/v1/receipts/{receipt_id}/cancel"): STOCK_WRITERS,
    ("post", "/api/v1/orders"): OFFICE,
    ("get", "/api/v1/orders"): EVERYONE,
    ("get", "/api/v1/orders/{number}"): EVERYONE,
    ("post", "/api/v1/orders/{number}/accept"): OFFICE,
    ("post", "/api/v1/orders/{number}/approve"): MANAGER,
    ("post", "/api/v1/orders/{number}/reject"): MANAGER,
    ("post", "/api/v1/orders/{number}/lines/{line}/change"): OFFICE,
    ("post", "/api/v1/orders/{number}/cancel"): OFFICE,
    ("get", "/api/v1/availability/{sku}"): STOCK_READERS,
    ("get", "/api/v1/promises/at-risk"): EVERYONE,
    ("post", "/api/v1/deliveries"): STOCK_WRITERS,
    ("get", "/api/v1/deliveries"): EVERYONE,
    ("get", "/api/v1/service-level"): EVERYONE,
    ("get", "/api/v1/service-level/failures"): EVERYONE,
    ("post", "/api/v1/supply/receipts/{receipt_id}/delay"): STOCK_WRITERS,
    ("post", "/api/v1/supply/receipts/{receipt_id}/cancel"): STOCK_WRITERS,
    ("post", "/api/v1/supply/write-offs"): STOCK_WRITERS,
    ("get", "/api/v1/policies"): MANAGER,
    ("put", "/api/v1/policies/{group}"): MANAGER,
    ("get", "/api/v1/customers/{code}/policy"): MANAGER,
    ("put", "/api/v1/customers/{code}/policy"): MANAGER,
    ("delete", "/api/v1/customers/{code}/policy"): MANAGER,
    ("get", "/api/v1/invoices"): READERS,
    ("post", "/api/v1/invoices"): MANAGER,
    ("get", "/api/v1/invoices/{number}"): READERS,
    ("get", "/api/v1/payments"): READERS,
    ("post", "/api/v1/payments"): MANAGER,
    ("get", "/api/v1/payments/{payment_id}"): READERS,
    ("get", "/api/v1/receivables/ageing"): READERS,
    ("get", "/api/v1/customers/{code}/credit"): READERS,
    ("get", "/api/v1/subscriptions"): EVERYONE,
    ("post", "/api/v1/subscriptions"): OFFICE,
    ("get", "/api/v1/subscriptions/{pk}"): EVERYONE,
    ("patch", "/api/v1/subscriptions/{pk}"): OFFICE,
    ("post", "/api/v1/subscriptions/{pk}/readings"): {"manager", "staff", "warehouse"},
    ("get", "/api/v1/plan"): EVERYONE,
    ("post", "/api/v1/plan/{subscription}/answer"): OFFICE,
    ("get", "/api/v1/surveys"): READERS,
    ("post", "/api/v1/surveys"): OFFICE,
    ("get", "/api/v1/surveys/results"): READERS,
    ("get", "/api/v1/tickets"): EVERYONE,
    ("post", "/api/v1/tickets"): DESK,
    ("get", "/api/v1/tickets/{ticket_id}"): EVERYONE,
    ("patch", "/api/v1/tickets/{ticket_id}"): DESK,
    ("post", "/api/v1/tickets/{ticket_id}/messages"): DESK,
    ("post", "/api/v1/tickets/{ticket_id}/status"): DESK,
    ("put", "/api/v1/tickets/{ticket_id}/complaint"): OFFICE,
    ("post", "/api/v1/tickets/{ticket_id}/complaint/confirm"): MANAGER,
    ("get", "/api/v1/value/profit"): MANAGER,
    ("get", "/api/v1/value/customers/{code}"): MANAGER,
    ("get", "/api/v1/value/lapsing"): READERS,
    ("post", "/api/v1/value/refit"): MANAGER,
    ("get", "/api/v1/leads"): READERS,
    ("post", "/api/v1/leads"): OFFICE,
    ("get", "/api/v1/leads/{lead_id}"): READERS,
    ("patch", "/api/v1/leads/{lead_id}"): OFFICE,
    ("post", "/api/v1/leads/{lead_id}/move"): OFFICE,
    ("post", "/api/v1/leads/{lead_id}/lose"): OFFICE,
    ("post", "/api/v1/leads/{lead_id}/win"): OFFICE,
    ("get", "/api/v1/funnel"): READERS,
    ("get", "/api/v1/scorecards"): TEAM,
    ("get", "/api/v1/scorecards/items"): TEAM,
    ("post", "/api/v1/scorecards/scores"): TEAM,
}


def _names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            if ns in {"admin", "api"}:
                continue
            yield from _names(pattern.url_patterns, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def _api_operations():
    from kept.api import api

    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method in operations:
            yield (method, path)


def test_every_route_is_listed():
    names = set(_names(get_resolver().url_patterns))
    assert names - set(PAGES) - PUBLIC - {LOGOUT} == set(), "add the new pages to PAGES"
    assert set(PAGES) - names == set(), "PAGES lists a route that no longer exists"
    operations = set(_api_operations())
    assert operations - set(API) == set(), "add the new API operations to API"
    assert set(API) - operations == set(), "API lists an operation that no longer exists"


@pytest.fixture
def world(db, make_user):
    """One of everything a route can point at."""
    from kept.catalog import actions as catalog
    from kept.customers import actions as customers
    from kept.pipeline.actions import create_lead
    from kept.promising import actions as promising
    from kept.promising.engine import LineInput
    from kept.receivables import actions as receivables
    from kept.replenishment import actions as replenishment
    from kept.servicedesk import actions as servicedesk
    from kept.value.models import VipService

    owner = make_user("staff", "owner")
    customer = customers.create_customer({"code": "C1", "name": "测试客户"}, actor=owner)
    contact = customers.save_contact(customer, {"name": "联系人"})
    product = catalog.create_product(
        {
            "sku": "RICE5",
            "name": "Rice 5 kg",
            "unit": "bag",
            "price": Decimal("40"),
            "cost": Decimal("30"),
        }
    )
    receipt = catalog.schedule_receipt(product, Decimal("10"), date.today() + timedelta(days=3))
    catalog.record_movement(product, Decimal("5"), "opening")
    order, _result = promising.promise_order(
        customer, [LineInput(product, Decimal("1"), date.today() + timedelta(days=1))], actor=owner
    )
    invoice = receivables.issue_invoice(customer, Decimal("40"), date.today(), number=order.number)
    payment = receivables.record_payment(customer, Decimal("10"), date.today(), method="cash")
    jar = replenishment.save_subscription(customer, {"product": product, "capacity": 15})
    asking = customers.create_customer({"code": "D1", "name": "客服部", "kind": "internal"})
    acting = customers.create_customer({"code": "D2", "name": "仓库", "kind": "internal"})
    # a hand-off: every desk role may see it (the warehouse sees only the departments')
    ticket = servicedesk.open_ticket(
        asking, subject="测试", kind="handoff", department=acting, actor=owner
    )
    vip = VipService.objects.create(customer=customer, description="专人", started_on=date.today())
    _score(customer)
    lead = create_lead(
        {"name": "潜在客户", "phone": "13800000000", "channel": "referral", "owner": owner},
        actor=owner,
    )
    return {
        "lead_id": lead.pk,
        "username": owner.username,
        "period": date.today().strftime("%Y-%m"),
        "vip": vip.pk,
        "pk": jar.pk,
        "subscription": jar.pk,
        "invoice": invoice.number,
        "payment": payment.pk,
        "payment_id": payment.pk,
        "number": order.number,
        "line": 1,
        "line_pk": order.lines.get().pk,
        "group": "default",
        "customer": customer.code,
        "contact": contact.pk,
        "product": product.sku,
        "receipt": receipt.pk,
        "code": customer.code,
        "contact_id": contact.pk,
        "sku": product.sku,
        "receipt_id": receipt.pk,
        "ticket_id": ticket.pk,
    }


def _score(customer) -> None:
    """A refit's result for the customer, overdue for their next purchase (so the value
    pages and the lapsing list have a row to show)."""
    from kept.value.models import CustomerValue, ValueRun

    today = date.today()
    run = ValueRun.objects.create(as_of=today, status="done")
    CustomerValue.objects.create(
        customer=customer,
        run=run,
        first_purchase=today - timedelta(days=200),
        last_purchase=today - timedelta(days=60),
        frequency=3,
        recency_weeks=20.0,
        age_weeks=28.6,
        average_spend=Decimal("40"),
        p_alive=0.9,
        expected_purchases=2.0,
        expected_spend=Decimal("40"),
        clv=Decimal("80"),
        expected_next_purchase=today - timedelta(days=20),
        overdue_on=today - timedelta(days=5),
        recency_score=3,
        frequency_score=3,
        monetary_score=3,
        quadrant="partners",
    )


def _request(client, method, url):
    if method == "get":
        return client.get(url)
    return (
        getattr(client, method)(url, data={}, content_type="application/json")
        if "/api/" in url
        else client.post(url, {})
    )


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_for_anonymous_redirects_to_login(client, world, name):
    method, kwargs, _allowed = PAGES[name]
    url = reverse(name, kwargs=kwargs(world))
    response = _request(client, method, url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_for_each_role(client, make_user, world, role, name):
    method, kwargs, allowed = PAGES[name]
    client.force_login(make_user(role))
    response = _request(client, method, reverse(name, kwargs=kwargs(world)))
    if role in allowed:
        assert response.status_code != 403 and response.status_code < 500
        if method == "get":
            assert response.status_code == 200
    else:
        assert response.status_code == 403


def _api_url(path: str, data: dict) -> str:
    return path.format(**{key: data[key] for key in data if "{" + key + "}" in path})


@pytest.mark.parametrize(("method", "path"), sorted(API))
def test_api_for_anonymous_is_401(client, world, method, path):
    response = _request(client, method, _api_url(path, world))
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path"), sorted(API))
def test_api_for_each_role(api_as, make_user, world, role, method, path):
    client = api_as(make_user(role))
    response = _request(client, method, _api_url(path, world))
    if role in API[(method, path)]:
        assert response.status_code not in (401, 403) and response.status_code < 500, (
            response.content
        )
    else:
        assert response.status_code == 403, response.content
        assert response.json()["code"] == "forbidden"


def test_public_routes(client, db):
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("health")).json() == {"status": "ok"}
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/api/v1/openapi.json").status_code == 401
    # the survey page needs no login, and a made-up link is a plain 404
    assert client.get(reverse("feedback:answer", args=["x" * 43])).status_code == 404


def test_openapi_needs_login_or_token(client, api_as, viewer):
    assert client.get("/api/v1/docs").status_code == 401
    assert api_as(viewer).get("/api/v1/openapi.json").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_admin_only_for_managers(client, make_user, role):
    client.force_login(make_user(role))
    response = client.get(reverse("admin:index"))
    assert response.status_code == (200 if role == "manager" else 302)


def test_admin_for_anonymous_redirects(client, db):
    assert client.get(reverse("admin:index")).status_code == 302


def test_every_admin_list_and_form_loads_for_a_manager(client, make_user, world):
    from django.contrib import admin

    client.force_login(make_user("manager"))
    for model, model_admin in admin.site._registry.items():
        if not model.__module__.startswith("kept."):
            continue  # the task queue's results are the operator's, not a role's
        meta = model._meta
        listed = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        assert listed.status_code == 200, meta.label
        found = model_admin.get_queryset(listed.wsgi_request).first()
        if found is not None:
            url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[found.pk])
            assert client.get(url).status_code == 200, meta.label
