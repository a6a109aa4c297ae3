"""The segments and retention pages: figures worked by hand on a small purchase history, the
managers-only routes, and bounded queries.

``buy`` and ``history`` also serve the lapsing and refit tests."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kept.customers.models import Customer
from kept.fulfilment.tests.history import delivered_line
from kept.value.models import CustomerValue, MarketingSpend, QuadrantStrategy, ValueRun

MANAGER_ONLY = ["value:segments", "value:retention", "value:refit_status"]


@pytest.fixture
def buy(db):
    """buy(customer, day, price=10): a delivered order line on that day, straight to the
    tables, as an import of history would leave it."""
    from kept.catalog.models import Product
    from kept.fulfilment.models import Delivery

    product = Product.objects.create(sku="PAN-1", name="Pan", unit="pc", price=10, cost=6)

    def make(customer: Customer, day: date, price="10") -> Delivery:
        return delivered_line(customer, product, day, price=price)

    return make


@pytest.fixture
def history(db):
    """history(count, every=14, until=…, skip=…) → customers who each bought every ``every``
    days for a year up to ``until`` (customer i starts i days later; multiples of ``skip``
    buy once only), enough for the models to fit."""
    from kept.catalog.models import Product

    def make(count=30, every=14, until=date(2026, 6, 30), skip=5, prefix="G") -> list[Customer]:
        product = Product.objects.create(
            sku=f"{prefix}-PAN", name="Pan", unit="pc", price=10, cost=6
        )
        customers = Customer.objects.bulk_create(
            Customer(code=f"{prefix}{i:03}", name=f"Household {prefix}{i:03}") for i in range(count)
        )
        for i, customer in enumerate(customers):
            first = until - timedelta(days=360 - i * 3)
            days = [first] if i % skip == 0 else _every(first, until - timedelta(i), every + i % 4)
            for n, day in enumerate(days):
                delivered_line(customer, product, day, number=f"{prefix}-{i}-{n}", price=10 + i)
        return customers

    return make


def _every(first: date, last: date, step: int) -> list[date]:
    return [first + timedelta(days=d) for d in range(0, (last - first).days + 1, step)]


@pytest.fixture
def cohorts(buy):
    """Five customers new in the first quarter of 2026 and one from before (E):

    A 01-05, 02-10, 03-03 · B 01-20 · C 02-02, 03-15 · D 02-20 · F 03-10 · E 2025-11-10,
    01-15, 02-15."""
    made = {code: Customer.objects.create(code=code, name=f"Customer {code}") for code in "ABCDEF"}
    for code, days in {
        "A": ["2026-01-05", "2026-02-10", "2026-03-03"],
        "B": ["2026-01-20"],
        "C": ["2026-02-02", "2026-03-15"],
        "D": ["2026-02-20"],
        "E": ["2025-11-10", "2026-01-15", "2026-02-15"],
        "F": ["2026-03-10"],
    }.items():
        for day in days:
            buy(made[code], date.fromisoformat(day))
    return made


def _row(body: str, attribute: str, key: str) -> str:
    found = re.search(rf'<tr {attribute}="{key}">(.*?)</tr>', body, re.S)
    assert found, f"no row {key}"
    return found.group(1)


def _cells(row: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]


def test_the_cohort_heat_map_by_hand(client_as, manager, cohorts):
    # given the quarter's purchases, when the manager asks for the quarter
    url = reverse("value:retention") + "?start=2026-01-01&end=2026-03-31"
    response = client_as(manager).get(url)
    body = response.content.decode()
    # then January's cohort (A, B): both in month 0, A in months 1 and 2
    rows = response.context["cohort_rows"]
    assert [(r["cohort"], r["size"], [c["percent"] for c in r["cells"]]) for r in rows] == [
        ("2026-01", 2, [100, 50, 50]),
        ("2026-02", 2, [100, 50]),
        ("2026-03", 1, [100]),
    ]
    assert _cells(_row(body, "data-cohort", "2026-01")) == ["2", "100 %", "50 %", "50 %"]
    assert _cells(_row(body, "data-cohort", "2026-02")) == ["2", "100 %", "50 %", ""]
    # the shade follows the share: 0.05 + 0.8 × share
    assert 'data-month="1" style="background: rgba(11, 110, 79, 0.45);' in body
    assert 'data-month="0" style="background: rgba(11, 110, 79, 0.85); color: #fff;' in body
    assert "Month 2" in body and "Month 3" not in body


def test_the_repurchase_rates_by_hand(client_as, manager, cohorts):
    url = reverse("value:retention") + "?start=2026-01-01&end=2026-03-31"
    response = client_as(manager).get(url)
    body = response.content.decode()
    # January: A, B, E buy; February: A, C, D, E (A and E again: 2 of 3); March: A, C, F
    # (A and C again: 2 of February's 4)
    assert _cells(_row(body, "data-month", "2026-01")) == ["2026-01", "3", "—", "—"]
    assert _cells(_row(body, "data-month", "2026-02")) == ["2026-02", "4", "2", "67 %"]
    assert _cells(_row(body, "data-month", "2026-03")) == ["2026-03", "3", "2", "50 %"]
    line = response.context["chart"]["line"]
    assert [(p.label, round(p.value, 3)) for p in line.points] == [
        ("2026-02", 0.667),
        ("2026-03", 0.5),
    ]
    assert body.count('class="series-repurchase"') == 1
    assert "The last month is counted up to" not in body  # March is whole


def test_a_new_customer_against_a_kept_one(client_as, manager, cohorts):
    # given 750 spent winning customers and 20 keeping them over the quarter
    MarketingSpend.objects.create(month=date(2026, 1, 1), acquisition=500, retention=20)
    MarketingSpend.objects.create(month=date(2026, 2, 1), acquisition=250)
    url = reverse("value:retention") + "?start=2026-01-01&end=2026-03-31"
    body = client_as(manager).get(url).content.decode()
    # then 5 new customers (A, B, C, D, F) at 150 each, 1 kept (E) at 20: 7.5 times
    assert re.search(r'id="new-customers">5<', body) and re.search(r'id="kept-customers">1<', body)
    assert 'id="acquisition-per-customer">150.00<' in body
    assert 'id="retention-per-customer">20.00<' in body
    assert "A new customer costs 7.5× a kept one." in body


def test_without_marketing_spend_the_ratio_is_a_dash_and_a_hint(client_as, manager, cohorts):
    url = reverse("value:retention") + "?start=2026-01-01&end=2026-03-31"
    body = client_as(manager).get(url).content.decode()
    assert 'id="acquisition-per-customer">—<' in body and "costs" not in _section(
        body, "cost-ratio"
    )
    assert "Record each month&#x27;s marketing spend" in body or "Record each month's" in body
    assert reverse("value:settings") in _section(body, "cost-ratio")


def _section(body: str, anchor: str) -> str:
    start = body.index(f'id="{anchor}"')
    return body[start : body.index("</p>", start)]


def test_a_wrong_period_says_so_and_shows_the_defaults(client_as, manager, db):
    url = reverse("value:retention") + "?start=2026-05-01&end=2026-01-01"
    response = client_as(manager).get(url)
    body = response.content.decode()
    assert response.status_code == 200 and "The start is after the end." in body
    yesterday = timezone.localdate() - timedelta(days=1)
    assert response.context["end"] == yesterday
    assert response.context["start"].day == 1
    assert (yesterday.year * 12 + yesterday.month) - (
        response.context["start"].year * 12 + response.context["start"].month
    ) == 11
    body = client_as(manager).get(reverse("value:retention") + "?start=yesterday").content.decode()
    assert "Enter a valid date." in body and "Showing the last 12 months instead." in body
    assert 'value="yesterday"' in body  # the input is given back, escaped by the widget


def _value(customer, run, **fields) -> CustomerValue:
    defaults = {
        "first_purchase": date(2025, 1, 1),
        "last_purchase": date(2026, 5, 1),
        "frequency": 4,
        "recency_weeks": 60.0,
        "age_weeks": 70.0,
        "average_spend": Decimal("100"),
        "p_alive": 0.9,
        "expected_purchases": 3.0,
        "expected_spend": Decimal("100"),
        "clv": Decimal("500"),
        "expected_next_purchase": date(2026, 6, 1),
        "overdue_on": date(2026, 7, 1),
        "recency_score": 3,
        "frequency_score": 3,
        "monetary_score": 3,
        "quadrant": "transactional",
    }
    return CustomerValue.objects.create(customer=customer, run=run, **(defaults | fields))


def done_run() -> ValueRun:
    return ValueRun.objects.create(
        as_of=date(2026, 6, 30), status="done", progress=100, customers=0,
        finished_at=timezone.now(), fit={"bgnbd": {"r": 0.25}, "gamma_gamma": {"p": 6.25}},
    )  # fmt: skip


def make_value(code: str, run: ValueRun, owner=None, **fields) -> CustomerValue:
    customer = Customer.objects.create(code=code, name=f"Customer {code}", owner=owner)
    return _value(customer, run, **fields)


def test_the_churned_list_the_biggest_past_spenders_first(client_as, manager, db):
    run = done_run()
    make_value("LOW", run, p_alive=0.1, average_spend=Decimal("300"), frequency=2)
    make_value("TOP", run, p_alive=0.2, average_spend=Decimal("500"), frequency=6)
    make_value("ALIVE", run, p_alive=0.31)
    gone = make_value("GONE", run, p_alive=0.05)
    Customer.objects.filter(pk=gone.pk).update(is_active=False)
    body = client_as(manager).get(reverse("value:retention")).content.decode()
    table = body[body.index('id="churned-table"') :]
    assert re.findall(r'<tr data-customer="(\w+)">', table) == ["TOP", "LOW"]
    assert _cells(_row(table, "data-customer", "TOP"))[2:] == ["2026-05-01", "7", "500.00", "20 %"]


def test_the_quadrant_map_and_one_quadrants_customers(client_as, manager, db):
    run = done_run()
    QuadrantStrategy.objects.create(key="partners", name="Our <b>friends</b>", strategy="Call.")
    make_value("P1", run, quadrant="partners", clv=Decimal("1200.50"), recency_score=5,
               frequency_score=4, monetary_score=5)  # fmt: skip
    make_value("P2", run, quadrant="partners", clv=Decimal("99.50"), recency_score=5,
               frequency_score=4, monetary_score=1)  # fmt: skip
    make_value("T1", run, quadrant="transactional", clv=Decimal("10"), recency_score=1,
               frequency_score=1)  # fmt: skip
    client = client_as(manager)
    body = client.get(reverse("value:segments")).content.decode()
    partners = body[body.index('data-quadrant="partners"') :]
    assert "Our &lt;b&gt;friends&lt;/b&gt;" in partners and "<b>friends" not in body
    assert "2 customers" in partners and "CLV 1,300.00" in partners
    assert "Value at risk" in body and "0 customers" in body
    assert reverse("value:settings") in body
    # the RFM heat map: R 5 × F 4 holds two customers, the fullest cell
    assert re.search(r'data-r="5" data-f="4" style="[^"]*0\.85[^"]*">2<', body)
    assert re.search(r'data-r="1" data-f="1" style="[^"]*0\.45[^"]*">1<', body)
    # one quadrant's customers, the most valuable first, with their RFM score
    body = client.get(reverse("value:segments") + "?quadrant=partners").content.decode()
    listed = body[body.index('id="quadrant-customers"') :]
    assert listed.index("Customer P1") < listed.index("Customer P2")
    assert "545" in listed and "541" in listed and "1,200.50" in listed
    assert reverse("customers:notebook", args=["P1"]) in listed
    assert "Customer T1" not in listed


def test_segments_before_any_refit_offer_to_run_it(client_as, manager, db):
    body = client_as(manager).get(reverse("value:segments")).content.decode()
    assert 'id="segments-empty"' in body and "Run the refit" in body
    assert 'action="/value/refit/"' in body and "csrfmiddlewaretoken" in body


@pytest.mark.parametrize("route", MANAGER_ONLY)
@pytest.mark.parametrize("role", ["staff", "warehouse", "viewer"])
def test_manager_pages_refuse_other_roles(client_as, make_user, route, role):
    assert client_as(make_user(role)).get(reverse(route)).status_code == 403


@pytest.mark.parametrize("route", MANAGER_ONLY + ["value:lapsing"])
def test_pages_need_a_login(client, db, route):
    assert client.get(reverse(route)).status_code == 302


def test_the_pages_query_counts_stay_bounded(
    client_as, manager, db, cohorts, django_assert_max_num_queries
):
    run = done_run()
    for n in range(40):
        make_value(f"V{n:02}", run, quadrant="partners", p_alive=0.1 if n % 2 else 0.9)
    client = client_as(manager)
    for url in [
        reverse("value:segments"),
        reverse("value:segments") + "?quadrant=partners",
        reverse("value:retention") + "?start=2026-01-01&end=2026-03-31",
        reverse("value:refit_status"),
    ]:
        with django_assert_max_num_queries(16):
            assert client.get(url).status_code == 200
