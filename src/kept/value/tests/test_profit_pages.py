"""The manager pages of cost-to-serve: the profit page with the case worked by hand in
``test_profit_queries`` on screen, its CSV, its period form, the settings page, and who may
see them (managers only: SPEC 1)."""

# ruff: noqa: F811 (the imported fixture is used as a fixture here)
import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kept.value.tests.test_profit_queries import profit_case  # noqa: F401

MARCH = {"start": "2026-03-01", "end": "2026-03-31"}
PROFIT, SETTINGS = reverse("value:profit"), reverse("value:settings")


def test_a_manager_sees_the_totals_the_curve_and_the_destroyers(client_as, manager, profit_case):
    # given the hand-worked case; when
    response = client_as(manager).get(PROFIT, MARCH)

    # then the totals: revenue 1500, cost of goods 1200, margin 300, cost-to-serve 210, profit 90
    page = response.content.decode()
    assert response.status_code == 200
    totals = page[page.index('id="profit-totals"') : page.index('id="whale"')]
    for figure in ("1,500.00", "1,200.00", "300.00", "210.00", "90.00"):
        assert figure in totals
    # the whale curve with its peak labelled and a text alternative
    assert "67 % of customers earn 223 % of the profit" in page
    assert '<td class="num">67 %</td><td class="num">223 %</td>' in page
    # the destroyer, linked to the notebook, with the drivers by name
    destroyers = page[page.index('id="destroyers-table"') : page.index('id="pnl"')]
    assert reverse("customers:notebook", args=["D1"]) in destroyers
    assert "-111.00" in destroyers and "W1" not in destroyers
    assert "VIP service 60.00 · Complaint remedies 50.00 · Time on tickets 45.00" in destroyers


def test_the_pnl_table_lists_every_customer_most_profitable_first(client_as, manager, profit_case):
    response = client_as(manager).get(PROFIT, MARCH)

    table = response.content.decode().split('id="pnl-table"')[1]
    assert table.index("W1") < table.index("S1") < table.index("D1")
    assert "KITCHEN" not in table
    assert "174.00" in table and "27.00" in table


def test_the_csv_holds_each_customer_and_each_driver(client_as, manager, profit_case):
    response = client_as(manager).get(PROFIT, {**MARCH, "format": "csv"})

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "customer-pnl-2026-03-01-2026-03-31.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Rank", "Code", "Customer"] and rows[0][-1] == "Profit"
    assert [row[1] for row in rows[1:]] == ["W1", "S1", "D1"]
    destroyer = dict(zip(rows[0], rows[3], strict=True))
    assert destroyer["Cost-to-serve"] == "171.00" and destroyer["Profit"] == "-111.00"
    assert destroyer["VIP service"] == "60.00" and destroyer["Time on tickets"] == "45.00"


def test_a_name_that_looks_like_a_formula_is_escaped_in_the_csv(client_as, manager, profit_case):
    profit_case["W1"].name = "=HYPERLINK(1)"
    profit_case["W1"].save()

    response = client_as(manager).get(PROFIT, {**MARCH, "format": "csv"})

    assert "'=HYPERLINK(1)" in response.content.decode("utf-8-sig")


@pytest.mark.parametrize("role", ["staff", "warehouse", "viewer"])
def test_only_managers_see_profit_and_settings(client_as, make_user, profit_case, role):
    browser = client_as(make_user(role))

    for url, query in ((PROFIT, MARCH), (PROFIT, {**MARCH, "format": "csv"}), (SETTINGS, {})):
        response = browser.get(url, query)
        assert response.status_code == 403
        assert b"1,500.00" not in response.content and b"W1" not in response.content


def test_the_default_period_is_the_last_twelve_months_up_to_yesterday(client_as, manager):
    response = client_as(manager).get(PROFIT)

    yesterday = timezone.localdate() - timedelta(days=1)
    assert response.status_code == 200
    assert response.context["report"].end == yesterday
    assert (yesterday - response.context["report"].start).days in (364, 365)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-03-31", "end": "2026-03-01"}, "The start is after the end."),
        ({"start": "2020-01-01", "end": "2026-03-31"}, "Ask for three years at most."),
        ({"start": "yesterday"}, "Enter a valid date."),
    ],
)
def test_a_bad_period_is_refused_with_a_clear_message(client_as, manager, query, message):
    response = client_as(manager).get(PROFIT, query)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert "report" not in response.context


def test_a_period_with_nothing_delivered_says_so(client_as, manager, profit_case):
    response = client_as(manager).get(PROFIT, {"start": "2025-01-01", "end": "2025-01-31"})

    assert response.status_code == 200
    assert "Nothing was delivered in this period" in response.content.decode()
    assert "whale-curve" not in response.content.decode()


def test_the_pnl_is_paginated_fifty_a_page(client_as, manager, profit_case):
    from kept.customers.models import Customer
    from kept.value.models import VipService

    # 60 more customers with only VIP service (a cost): all on the P&L
    extra = Customer.objects.bulk_create(
        Customer(code=f"V{n:02}", name=f"VIP {n}") for n in range(60)
    )
    VipService.objects.bulk_create(
        VipService(customer=c, description="Tea", started_on=date(2026, 3, 1)) for c in extra
    )
    browser = client_as(manager)

    first = browser.get(PROFIT, MARCH)
    second = browser.get(PROFIT, {**MARCH, "page": 2})

    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 13
    assert "Page 2 of 2" in second.content.decode()


def test_the_profit_page_needs_a_bounded_number_of_queries(
    client_as, manager, profit_case, django_assert_max_num_queries
):
    from kept.customers.models import Customer
    from kept.value.models import VipService

    # given 40 more customers on the P&L (VIP service, a cost): no query per customer
    extra = Customer.objects.bulk_create(
        Customer(code=f"X{n:03}", name=f"X {n}") for n in range(40)
    )
    VipService.objects.bulk_create(
        VipService(customer=c, description="Tea", started_on=date(2026, 3, 1)) for c in extra
    )
    browser = client_as(manager)

    # when, then: the session, the user and their permissions, the rates, one query per
    # kind of activity, the customers
    with django_assert_max_num_queries(16):
        response = browser.get(PROFIT, MARCH)

    assert response.status_code == 200 and len(response.context["page"].object_list) == 43


def test_the_settings_page_shows_each_form_to_a_manager(client_as, manager):
    response = client_as(manager).get(SETTINGS)

    page = response.content.decode()
    assert response.status_code == 200
    for action in ("save_rates", "save_quadrants", "save_spend", "add_vip"):
        assert f'action="{reverse(f"value:{action}")}"' in page
    assert page.count("csrfmiddlewaretoken") >= 4
    assert "High value, weak relationship" in page  # each quadrant's meaning


def test_when_the_customers_lose_money_in_total_the_curve_says_so(client_as, manager, profit_case):
    from kept.value.models import ValueSettings

    ValueSettings.objects.filter(pk=1).update(per_order=200)  # every customer now loses money

    response = client_as(manager).get(PROFIT, MARCH)

    page = response.content.decode()
    assert response.context["report"].profit < 0
    assert "The customers lose money in total" in page
    assert "of customers earn" not in page
    assert "3 customers lost money in this period" in page
