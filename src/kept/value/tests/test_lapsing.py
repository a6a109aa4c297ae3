# ruff: noqa: F811 (the imported fixtures are used as fixtures here)
"""The lapsing customers' call list (SPEC 2.5): who is on it and in which order, staff
starting with their own customers, no money figure for anyone, and who may see it."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kept.customers.models import Customer
from kept.value.models import CustomerValue
from kept.value.tests.test_retention_pages import done_run, history, make_value  # noqa: F401

CLV, SPEND = Decimal("98765.43"), Decimal("4321.09")


@pytest.fixture
def call_list(db, staff, manager):
    """Six scored customers: two overdue and likely alive (one is the clerk's), one refilled by
    the rounds, one churned, one not yet due, one no longer a customer."""
    today = timezone.localdate()
    run = done_run()
    money = {"clv": CLV, "average_spend": SPEND, "expected_spend": SPEND}
    make_value("MINE", run, owner=staff, overdue_on=today - timedelta(days=3), p_alive=0.62,
               **money)  # fmt: skip
    make_value("LONG", run, owner=manager, overdue_on=today - timedelta(days=40), p_alive=0.81,
               last_purchase=date(2026, 1, 2), expected_next_purchase=date(2026, 2, 3))  # fmt: skip
    make_value("JAR", run, owner=staff, overdue_on=today - timedelta(days=50),
               is_consumable_buyer=True)  # fmt: skip
    make_value("CHURN", run, owner=staff, overdue_on=today - timedelta(days=90), p_alive=0.1)
    make_value("LATER", run, owner=staff, overdue_on=today + timedelta(days=5))
    gone = make_value("GONE", run, owner=staff, overdue_on=today - timedelta(days=9))
    Customer.objects.filter(pk=gone.pk).update(is_active=False)
    Customer.objects.filter(code="MINE").update(phone="+86 138 0000 1111")
    return today


def _listed(body: str) -> list[str]:
    return re.findall(r'<tr data-customer="(\w+)">', body)


def test_staff_see_their_own_overdue_customers_by_default(client_as, staff, call_list):
    client = client_as(staff)
    body = client.get(reverse("value:lapsing")).content.decode()
    assert _listed(body) == ["MINE"]
    assert 'value="mine" selected' in body
    # everyone's: the longest overdue first; never the refilled, churned, not due or gone
    body = client.get(reverse("value:lapsing") + "?who=everyone").content.decode()
    assert _listed(body) == ["LONG", "MINE"]


def test_a_row_says_whom_to_call_and_why(client_as, manager, call_list):
    body = client_as(manager).get(reverse("value:lapsing")).content.decode()
    assert _listed(body) == ["LONG", "MINE"]  # managers start with everyone
    row = re.search(r'<tr data-customer="LONG">(.*?)</tr>', body, re.S).group(1)
    cells = [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]
    assert cells == ["Customer LONG LONG", "—", "boss", "2026-01-02", "2026-02-03", "40", "81 %"]
    assert reverse("customers:notebook", args=["LONG"]) in row
    assert 'href="tel:+86%20138%200000%201111"' in body


def test_one_owners_customers(client_as, manager, staff, call_list):
    url = reverse("value:lapsing") + f"?who={manager.pk}"
    assert _listed(client_as(staff).get(url).content.decode()) == ["LONG"]
    unknown = client_as(staff).get(reverse("value:lapsing") + "?who=99999")
    assert unknown.status_code == 200 and _listed(unknown.content.decode()) == ["MINE"]


@pytest.mark.parametrize("role", ["staff", "viewer", "manager"])
def test_no_money_figure_on_the_call_list(client_as, make_user, role, call_list):
    body = client_as(make_user(role)).get(reverse("value:lapsing") + "?who=everyone")
    text = body.content.decode()
    assert body.status_code == 200 and "MINE" in _listed(text)
    for figure in ("98765", "98,765", "4321", "4,321", "CLV", "spend"):
        assert figure not in text


def test_warehouse_may_not_see_it(client_as, warehouse, call_list):
    assert client_as(warehouse).get(reverse("value:lapsing")).status_code == 403


def test_empty_before_any_refit_and_when_nobody_is_overdue(client_as, staff, manager, db):
    body = client_as(staff).get(reverse("value:lapsing")).content.decode()
    assert "has not been computed" in body and "Ask a manager to run it." in body
    make_value("FINE", done_run(), owner=staff, overdue_on=timezone.localdate() + timedelta(1))
    body = client_as(staff).get(reverse("value:lapsing")).content.decode()
    assert "has not been computed" not in body and "None of these customers is overdue" in body
    body = client_as(manager).get(reverse("value:lapsing")).content.decode()
    assert "Nobody is overdue" in body


@pytest.mark.django_db
def test_a_customer_with_a_container_never_lapses(history):
    from kept.catalog.models import Product
    from kept.replenishment.models import Subscription
    from kept.value import queries, tasks

    # given two customers buying alike, one of them with a rice jar the rounds refill
    customers = history(30)
    twin, jar_owner = customers[1], customers[2]
    rice = Product.objects.create(sku="RICE", name="Rice", unit="kg", price=5, cost=4)
    Subscription.objects.create(customer=jar_owner, product=rice, capacity=15, people=3)
    # when the values are refitted and a long time has passed
    as_of = date(2026, 6, 30)
    tasks.run_refit(as_of)
    later = queries.lapsing(as_of + timedelta(days=365))
    # then the one without a jar is overdue, the jar's owner never is
    values = CustomerValue.objects.in_bulk([twin.pk, jar_owner.pk])
    assert values[jar_owner.pk].is_consumable_buyer and not values[twin.pk].is_consumable_buyer
    listed = {v.customer_id for v in later}
    assert twin.pk in listed and jar_owner.pk not in listed


def test_the_call_list_queries_stay_bounded(
    client_as, staff, call_list, django_assert_max_num_queries
):
    run = CustomerValue.objects.first().run
    for n in range(40):
        make_value(f"X{n:02}", run, owner=staff, overdue_on=call_list - timedelta(days=n + 1))
    client = client_as(staff)
    with django_assert_max_num_queries(14):
        body = client.get(reverse("value:lapsing")).content.decode()
    assert len(_listed(body)) == 41
