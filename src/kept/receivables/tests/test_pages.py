"""The pages show the real numbers, write through the actions, and stay within a query budget."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kept.core.models import AuditEntry
from kept.receivables.models import Allocation, Invoice, Payment


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_invoices_page_lists_with_totals(client_as, staff, hand_case):
    html = html_of(client_as(staff).get(reverse("receivables:invoices")))

    assert hand_case["overdue"].number in html and hand_case["partly_paid"].number in html
    assert '<span class="num">2</span>' in html
    assert '<span class="num">1,500.00</span>invoiced' in html
    assert '<span class="num">1,300.00</span>still open' in html
    assert '<span class="num">1,000.00</span>of it overdue' in html
    assert 'data-label="Open" class="num">300.00' in html
    assert '<span class="badge bad">Overdue</span>' in html
    assert "Issue an invoice" not in html  # staff may look, not issue


def test_invoices_page_filters(client_as, viewer, hand_case):
    html = html_of(client_as(viewer).get(reverse("receivables:invoices"), {"status": "overdue"}))

    assert hand_case["overdue"].number in html and hand_case["partly_paid"].number not in html
    assert '<span class="num">1,000.00</span>still open' in html


def test_bad_filters_are_ignored_not_errors(client_as, viewer, hand_case):
    response = client_as(viewer).get(
        reverse("receivables:invoices"), {"date_from": "soon", "status": "x", "customer": "?"}
    )

    assert response.status_code == 200


def test_invoice_page_shows_allocations(client_as, viewer, hand_case):
    invoice = hand_case["partly_paid"]

    html = html_of(client_as(viewer).get(reverse("receivables:invoice", args=[invoice.number])))

    assert '<span class="num">200.00</span>paid' in html
    assert '<span class="num">300.00</span>open' in html
    assert 'data-label="Allocated" class="num">200.00' in html
    assert "Use the customer&#x27;s credit" not in html  # viewers do not allocate


def test_manager_uses_credit_on_the_invoice_page(client_as, manager, hand_case):
    invoice = hand_case["overdue"]
    client = client_as(manager)
    html = html_of(client.get(reverse("receivables:invoice", args=[invoice.number])))
    credit = Payment.objects.get(amount=Decimal("50.00"))
    assert "not yet allocated" in html

    response = client.post(
        reverse("receivables:allocate", args=[invoice.number]),
        {"payment": credit.pk, "amount": "50.00"},
    )

    assert response.status_code == 302
    assert Allocation.objects.get(payment=credit).amount == Decimal("50.00")
    assert AuditEntry.objects.filter(action="payment.allocate", actor=manager).exists()


def test_over_allocation_on_the_page_is_explained(client_as, manager, hand_case):
    invoice = hand_case["partly_paid"]
    credit = Payment.objects.get(amount=Decimal("50.00"))

    response = client_as(manager).post(
        reverse("receivables:allocate", args=[invoice.number]),
        {"payment": credit.pk, "amount": "60.00"},
        follow=True,
    )

    assert "Only 50.00 of payment" in response.content.decode()
    assert not Allocation.objects.filter(payment=credit).exists()


def test_issue_invoice_form(client_as, manager, customer, today):
    client = client_as(manager)
    assert html_of(client.get(reverse("receivables:invoice_create")))

    response = client.post(
        reverse("receivables:invoice_create"),
        {"customer": "WANG", "amount": "88.00", "issue_date": today.isoformat()},
    )

    invoice = Invoice.objects.get()
    assert response.status_code == 302 and response["Location"] == invoice.get_absolute_url()
    assert (invoice.amount, invoice.created_by) == (Decimal("88.00"), manager)


def test_issue_invoice_form_shows_errors(client_as, manager, db, today):
    response = client_as(manager).post(
        reverse("receivables:invoice_create"),
        {"customer": "NOPE", "amount": "-1", "issue_date": today.isoformat()},
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert "No customer with code NOPE." in html
    assert not Invoice.objects.exists()


def test_payments_page(client_as, staff, hand_case):
    html = html_of(client_as(staff).get(reverse("receivables:payments")))

    assert '<span class="num">250.00</span>received' in html
    assert '<span class="num">50.00</span>not yet allocated (credit)' in html
    assert "Record a payment" not in html


def test_payment_page(client_as, viewer, hand_case):
    payment = Payment.objects.get(amount=Decimal("200.00"))

    html = html_of(client_as(viewer).get(reverse("receivables:payment", args=[payment.pk])))

    assert hand_case["partly_paid"].number in html
    assert 'data-label="Allocated" class="num">200.00' in html


def test_record_payment_form_oldest_first(client_as, manager, hand_case, today):
    client = client_as(manager)
    html = html_of(client.get(reverse("receivables:payment_create"), {"customer": "WANG"}))
    assert hand_case["overdue"].number in html  # the open invoices are listed
    assert "1,300.00" in html  # and the customer's open balance

    response = client.post(
        reverse("receivables:payment_create"),
        {
            "customer": "WANG",
            "amount": "1000.00",
            "received_on": today.isoformat(),
            "method": "bank_transfer",
            "allocate": "oldest",
        },
    )

    payment = Payment.objects.order_by("-id").first()
    assert response.status_code == 302 and response["Location"] == payment.get_absolute_url()
    assert [(a.invoice, a.amount) for a in payment.allocations.all()] == [
        (hand_case["overdue"], Decimal("1000.00"))
    ]


def test_record_payment_form_manual(client_as, manager, hand_case, today):
    invoice = hand_case["partly_paid"]

    response = client_as(manager).post(
        reverse("receivables:payment_create"),
        {
            "customer": "WANG",
            "amount": "120.00",
            "received_on": today.isoformat(),
            "method": "cash",
            "allocate": "manual",
            f"invoice_{invoice.pk}": "100.00",
        },
    )

    assert response.status_code == 302
    payment = Payment.objects.order_by("-id").first()
    assert [(a.invoice, a.amount) for a in payment.allocations.all()] == [
        (invoice, Decimal("100.00"))
    ]


def test_record_payment_form_refuses_over_allocation(client_as, manager, hand_case, today):
    invoice = hand_case["partly_paid"]

    response = client_as(manager).post(
        reverse("receivables:payment_create"),
        {
            "customer": "WANG",
            "amount": "500.00",
            "received_on": today.isoformat(),
            "method": "cash",
            "allocate": "manual",
            f"invoice_{invoice.pk}": "400.00",
        },
    )

    assert response.status_code == 422
    assert "Only 300.00 is still open on invoice" in response.content.decode()
    assert Payment.objects.count() == 2  # the two of the hand case


def test_ageing_page_shows_buckets_totals_and_dso(client_as, staff, hand_case):
    html = html_of(client_as(staff).get(reverse("receivables:ageing")))

    assert '<span class="num">1,300.00</span>open' in html
    assert '<span class="num">1,000.00</span>overdue' in html
    assert '<span class="num">78.0</span>' in html  # DSO: 1300 / 1500 × 90
    assert 'data-label="Current" class="num">300.00' in html
    assert 'data-label="31–60 days" class="num">1,000.00' in html
    assert "45 days" in html
    assert "<svg" in html and html.count("<rect") == 5
    assert "http" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org", ""
    )


def test_ageing_chart_bar_heights_follow_the_amounts(client_as, staff, hand_case):
    response = client_as(staff).get(reverse("receivables:ageing"))

    heights = [bar["height"] for bar in response.context["bars"]]
    assert heights == [48.0, 0.0, 160.0, 0.0, 0.0]  # 300 and 1000 of the largest, 1000


# Session, user, 2 × permissions, role: 5; then the page's own queries.
@pytest.mark.parametrize(
    ("name", "budget"),
    [
        ("receivables:invoices", 8),  # count, totals, the page
        ("receivables:payments", 8),  # count, totals, the page
        ("receivables:ageing", 12),  # count, totals, the page, DSO × 2, groups, owners
    ],
)
def test_list_pages_have_no_n_plus_one(
    client_as, manager, make_customer, issue, pay, django_assert_max_num_queries, name, budget
):
    for n in range(30):
        customer = make_customer()
        issue(customer, "100.00", n * 5)
        issue(customer, "40.00", n)
        pay(customer, "60.00")
    client = client_as(manager)
    client.get(reverse(name))  # warm the session and permission caches

    with django_assert_max_num_queries(budget):
        response = client.get(reverse(name))

    rows = {"receivables:invoices": 50, "receivables:payments": 30, "receivables:ageing": 30}
    assert response.content.decode().count('<td data-label="Customer"') == rows[name]


@pytest.mark.parametrize(
    ("role", "name", "method", "allowed"),
    [
        ("warehouse", "receivables:invoices", "get", False),
        ("warehouse", "receivables:ageing", "get", False),
        ("warehouse", "receivables:payments", "get", False),
        ("staff", "receivables:invoice_create", "get", False),
        ("staff", "receivables:payment_create", "get", False),
        ("viewer", "receivables:payment_create", "post", False),
        ("manager", "receivables:payment_create", "get", True),
    ],
)
def test_page_permissions(client_as, make_user, db, role, name, method, allowed):
    client = client_as(make_user(role))

    response = getattr(client, method)(reverse(name))

    assert (response.status_code != 403) == allowed


def test_writes_need_post(client_as, manager, hand_case):
    url = reverse("receivables:allocate", args=[hand_case["overdue"].number])

    assert client_as(manager).get(url).status_code == 405


@pytest.mark.parametrize("payment", ["abc", "99999999999999999999", "-1", ""])
def test_bad_allocation_input_is_a_message_not_an_error(client_as, manager, hand_case, payment):
    url = reverse("receivables:allocate", args=[hand_case["overdue"].number])

    response = client_as(manager).post(url, {"payment": payment, "amount": "1"}, follow=True)

    assert response.status_code == 200
    assert "Nothing was allocated" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/receivables/invoices/NOPE/", "/receivables/invoices/%00/", "/receivables/payments/0/"],
)
def test_unknown_pages_are_404(client_as, viewer, db, url):
    # a NUL character is refused at the door (400) before any lookup
    assert client_as(viewer).get(url).status_code == (400 if "%00" in url else 404)


def test_transfer_pages_offer_invoices_and_payments(client_as, manager):
    client = client_as(manager)

    upload = client.get(reverse("transfer:upload", args=["invoices"]))
    template = client.get(reverse("transfer:template", args=["payments", "csv"]))

    assert [c.name for c in upload.context["columns"]][:3] == ["number", "customer", "issue_date"]
    header = template.content.decode("utf-8-sig").splitlines()[0]
    assert header == "customer,received_on,amount,method,reference"
