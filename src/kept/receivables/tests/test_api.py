"""The REST API: shapes, allocation by body, errors as 422 with the numbers, and roles."""

from decimal import Decimal

import pytest

from kept.receivables.models import Invoice, Payment


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def error_of(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    return body


def test_manager_issues_an_invoice(api_as, manager, customer, days_ago):
    body = {"customer": "WANG", "amount": "250.5", "issue_date": str(days_ago(3))}

    response = post(api_as(manager), "/api/v1/invoices", body)

    assert response.status_code == 201, response.content
    invoice = response.json()
    assert invoice == {
        **invoice,
        "number": "INV-000001",
        "customer": "WANG",
        "customer_name": "Wang's restaurant",
        "issue_date": str(days_ago(3)),
        "due_date": str(days_ago(3 - 30)),
        "amount": "250.50",
        "paid_amount": "0.00",
        "open_amount": "250.50",
        "status": "open",
        "order_number": None,
        "created_by": "boss",
    }


def test_unknown_customer_is_422_with_details(api_as, manager, db):
    response = post(api_as(manager), "/api/v1/invoices", {"customer": "NOPE", "amount": "1"})

    body = error_of(response, 422, "invalid")
    assert body["details"] == {"customer": ["No customer with code NOPE."]}
    assert not Invoice.objects.exists()


def test_duplicate_invoice_number_is_409(api_as, manager, customer, issue):
    issue(customer, "1.00", number="A-1")

    response = post(
        api_as(manager), "/api/v1/invoices", {"customer": "WANG", "amount": "1", "number": "A-1"}
    )

    error_of(response, 409, "duplicate")


@pytest.mark.parametrize(
    "change",
    [{"amount": "0"}, {"amount": "-1"}, {"amount": "1.001"}, {"amount": "1e30"}, {"amount": "x"}],
)
def test_bad_amounts_are_422(api_as, manager, customer, change):
    response = post(api_as(manager), "/api/v1/invoices", {"customer": "WANG", **change})

    error_of(response, 422, "invalid")


def test_future_issue_date_is_422(api_as, manager, customer, days_ago):
    body = {"customer": "WANG", "amount": "1", "issue_date": str(days_ago(-1))}

    body = error_of(post(api_as(manager), "/api/v1/invoices", body), 422, "invalid")

    assert "issue_date" in body["details"]


def test_list_and_get_invoices(api_as, viewer, hand_case, today):
    client = api_as(viewer)

    listed = client.get("/api/v1/invoices", {"status": "overdue"}).json()
    detail = client.get(f"/api/v1/invoices/{hand_case['partly_paid'].number}").json()

    assert listed["count"] == 1
    assert listed["items"][0]["number"] == hand_case["overdue"].number
    assert listed["items"][0]["status"] == "overdue"
    assert (detail["paid_amount"], detail["open_amount"], detail["status"]) == (
        "200.00",
        "300.00",
        "open",
    )
    assert [(a["invoice"], a["amount"]) for a in detail["allocations"]] == [
        (hand_case["partly_paid"].number, "200.00")
    ]


def test_invoice_list_paginates(api_as, staff, customer, issue):
    for _ in range(3):
        issue(customer, "1.00")

    page = api_as(staff).get("/api/v1/invoices", {"limit": 2, "offset": 2}).json()

    assert page["count"] == 3 and [i["number"] for i in page["items"]] == ["INV-000001"]


def test_unknown_invoice_is_404(api_as, staff, db):
    error_of(api_as(staff).get("/api/v1/invoices/INV-999999"), 404, "not_found")


def test_payment_allocates_oldest_first_by_default(api_as, manager, customer, issue):
    older, newer = issue(customer, "30.00", 20), issue(customer, "50.00", 5)
    body = {"customer": "WANG", "amount": "60", "method": "alipay", "reference": "A-77"}

    response = post(api_as(manager), "/api/v1/payments", body)

    assert response.status_code == 201, response.content
    payment = response.json()
    assert (payment["amount"], payment["allocated_amount"], payment["unallocated_amount"]) == (
        "60.00",
        "60.00",
        "0.00",
    )
    assert [(a["invoice"], a["amount"]) for a in payment["allocations"]] == [
        (older.number, "30.00"),
        (newer.number, "30.00"),
    ]


def test_payment_with_chosen_allocations_and_none(api_as, manager, customer, issue):
    issue(customer, "30.00", 20)
    newer = issue(customer, "50.00", 5)
    client = api_as(manager)
    chosen = {
        "customer": "WANG",
        "amount": "60",
        "method": "cash",
        "allocations": [{"invoice": newer.number, "amount": "45"}],
    }

    first = post(client, "/api/v1/payments", chosen).json()
    second = post(
        client,
        "/api/v1/payments",
        {"customer": "WANG", "amount": "5", "method": "cash", "allocate": "none"},
    ).json()

    assert [(a["invoice"], a["amount"]) for a in first["allocations"]] == [(newer.number, "45.00")]
    assert first["unallocated_amount"] == "15.00"
    assert second["allocations"] == [] and second["unallocated_amount"] == "5.00"


def test_over_allocation_is_422_with_the_numbers(api_as, manager, customer, issue):
    invoice = issue(customer, "30.00")
    body = {
        "customer": "WANG",
        "amount": "60",
        "method": "cash",
        "allocations": [{"invoice": invoice.number, "amount": "40"}],
    }

    body = error_of(post(api_as(manager), "/api/v1/payments", body), 422, "over_allocation")

    assert body["details"] == {
        "invoice": invoice.number,
        "open_amount": "30.00",
        "requested": "40.00",
    }
    assert "Only 30.00 is still open" in body["message"]
    assert not Payment.objects.exists()


def test_allocations_larger_than_the_payment_are_422(api_as, manager, customer, issue):
    invoice = issue(customer, "300.00")
    body = {
        "customer": "WANG",
        "amount": "60",
        "method": "cash",
        "allocations": [{"invoice": invoice.number, "amount": "70"}],
    }

    body = error_of(post(api_as(manager), "/api/v1/payments", body), 422, "over_allocation")

    assert body["details"]["unallocated"] == "60.00" and body["details"]["requested"] == "70.00"


@pytest.mark.parametrize(
    "change",
    [
        {"allocations": [{"invoice": "INV-404", "amount": "1"}]},
        {"allocations": [{"invoice": "OTHER-1", "amount": "1"}]},
        {"allocations": [{"invoice": "INV-000001", "amount": "1"}] * 2},
        {"allocate": "oldest", "allocations": []},
        {"allocate": "sometimes"},
        {"method": "cheque"},
        {"customer": "NOPE"},
    ],
)
def test_bad_payments_are_422(api_as, manager, customer, make_customer, issue, change):
    issue(customer, "10.00")
    issue(make_customer(), "10.00", number="OTHER-1")
    body = {"customer": "WANG", "amount": "5", "method": "cash", **change}

    error_of(post(api_as(manager), "/api/v1/payments", body), 422, "invalid")
    assert not Payment.objects.exists()


def test_list_and_get_payments(api_as, viewer, hand_case):
    client = api_as(viewer)

    listed = client.get("/api/v1/payments", {"customer": "WANG"}).json()
    payment_id = listed["items"][0]["id"]
    detail = client.get(f"/api/v1/payments/{payment_id}").json()

    assert listed["count"] == 2
    assert [p["amount"] for p in listed["items"]] == ["50.00", "200.00"]
    assert detail["unallocated_amount"] == "50.00" and detail["allocations"] == []
    error_of(client.get("/api/v1/payments/99999999"), 404, "not_found")
    assert client.get("/api/v1/payments/99999999999999999999").status_code == 422


def test_ageing_report(api_as, staff, hand_case):
    report = api_as(staff).get("/api/v1/receivables/ageing").json()

    assert report["count"] == 1
    assert report["totals"] == {
        "current": "300.00",
        "days_0_30": "0.00",
        "days_31_60": "1000.00",
        "days_61_90": "0.00",
        "days_over_90": "0.00",
        "total": "1300.00",
    }
    row = report["items"][0]
    assert (row["customer"], row["days_31_60"], row["oldest_overdue_days"]) == (
        "WANG",
        "1000.00",
        45,
    )
    assert report["dso"]["credit_sales"] == "1500.00"  # both invoices within 90 days
    assert report["dso"]["receivables"] == "1300.00"
    assert Decimal(report["dso"]["value"]) == Decimal("78.0")  # 1300 / 1500 × 90


def test_ageing_with_unknown_owner_is_empty(api_as, staff, hand_case):
    report = api_as(staff).get("/api/v1/receivables/ageing", {"owner": "nobody"}).json()

    assert report["count"] == 0 and report["totals"]["total"] == "0.00"


def test_customer_credit(api_as, viewer, hand_case, today):
    body = api_as(viewer).get("/api/v1/customers/WANG/credit").json()

    assert body == {
        "customer": "WANG",
        "as_of": str(today),
        "open_balance": "1300.00",
        "overdue_amount": "1000.00",
        "oldest_overdue_days": 45,
        "unallocated_credit": "50.00",
        "credit_limit": None,
    }


def test_unknown_customer_credit_is_404(api_as, viewer, db):
    error_of(api_as(viewer).get("/api/v1/customers/NOPE/credit"), 404, "not_found")


ROUTES = [
    ("get", "/api/v1/invoices", {"manager", "staff", "viewer"}),
    ("post", "/api/v1/invoices", {"manager"}),
    ("get", "/api/v1/invoices/INV-000001", {"manager", "staff", "viewer"}),
    ("get", "/api/v1/payments", {"manager", "staff", "viewer"}),
    ("post", "/api/v1/payments", {"manager"}),
    ("get", "/api/v1/payments/1", {"manager", "staff", "viewer"}),
    ("get", "/api/v1/receivables/ageing", {"manager", "staff", "viewer"}),
    ("get", "/api/v1/customers/WANG/credit", {"manager", "staff", "viewer"}),
]


@pytest.mark.parametrize("role", ["manager", "staff", "warehouse", "viewer"])
@pytest.mark.parametrize(("method", "url", "allowed"), ROUTES)
def test_roles(api_as, make_user, hand_case, role, method, url, allowed):
    client = api_as(make_user(role))

    response = client.get(url) if method == "get" else post(client, url, {})

    if role in allowed:
        assert response.status_code not in (401, 403) and response.status_code < 500
    else:
        error_of(response, 403, "forbidden")


def test_anonymous_is_401(client, db):
    error_of(client.get("/api/v1/invoices"), 401, "unauthenticated")
