"""The notebook's value section: managers see the quadrant, CLV and the last 12 months' P&L;
no one else sees it or pays its queries."""

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kept.value.tests.test_api import customer, score, sell_one, set_rates  # noqa: F401

# the section's own queries: the value with its run, the quadrant names, the settings, and
# one aggregate per kind of activity for the P&L (deliveries, orders, ticket time, remedies,
# reminders, VIP) and the customer's kind
SECTION_QUERIES = 10
NOTEBOOK = reverse("customers:notebook", args=["H1"])


def _notebook(client) -> str:
    response = client.get(NOTEBOOK)
    assert response.status_code == 200
    return response.content.decode()


def test_a_manager_sees_quadrant_value_and_pnl(client_as, manager, customer):  # noqa: F811
    set_rates()
    sell_one(customer, actor=manager)
    score(customer)

    body = _notebook(client_as(manager))

    section = body[body.index('id="value"') :]
    for text in [
        "Partners",
        "Keep and grow",
        "Lifetime value (CLV), next 18 months",
        "¥43,210.98",
        "87 %",
        "3.3",  # expected purchases (3.25)
        "453",  # RFM
        "overdue since",
        "¥1,234.56",  # revenue
        "¥246.91",  # gross margin
        "Orders taken",
        "−¥13.57",
        "Deliveries",
        "−¥24.68",
        "−¥38.25",  # cost-to-serve
        "¥208.66",  # profit
        f'href="{reverse("value:profit")}"',
    ]:
        assert text in section, text


def test_before_the_first_refit_an_empty_state_and_the_pnl(client_as, manager, customer):  # noqa: F811
    sell_one(customer, actor=manager)

    body = _notebook(client_as(manager))

    assert 'id="value-empty"' in body and "Not scored yet" in body
    assert "¥1,234.56" in body and 'id="value-facts"' not in body


@pytest.mark.parametrize("role", ["staff", "warehouse", "viewer"])
def test_no_one_else_gets_the_section_nor_pays_its_queries(make_user, customer, role):  # noqa: F811
    score(customer)
    request = RequestFactory().get(NOTEBOOK)
    request.user = make_user(role)
    template = Template("{% load value_notebook %}{% customer_value customer %}")
    request.user.has_perm("core.view_financials")  # the permissions are cached by then

    with CaptureQueriesContext(connection) as queries:
        html = template.render(Context({"customer": customer, "user": request.user}))

    assert html.strip() == "" and len(queries) == 0


def test_the_section_costs_a_fixed_number_of_queries(client_as, manager, customer):  # noqa: F811
    set_rates()
    score(customer)
    for _ in range(3):
        sell_one(customer, actor=manager)
    template = Template("{% load value_notebook %}{% customer_value customer %}")
    manager.has_perm("core.view_financials")

    with CaptureQueriesContext(connection) as queries:
        html = template.render(Context({"customer": customer, "user": manager}))

    assert 'id="value"' in html and len(queries) <= SECTION_QUERIES


def test_a_manager_notebook_costs_the_staff_one_and_the_section(
    client_as,
    manager,
    staff,
    customer,  # noqa: F811
):
    from kept.customers import actions
    from kept.servicedesk.actions import open_ticket

    set_rates()  # the settings row exists after the first look at any value page
    sell_one(customer, actor=manager)
    score(customer)
    for i in range(5):
        actions.save_contact(customer, {"name": f"c{i}"})
        actions.log_interaction(customer, "note", f"n{i}", actor=manager)
    for i in range(3):
        open_ticket(customer, subject=f"t{i}", actor=manager)
    client_as(staff).get(NOTEBOOK)  # the service level scores the new delivery once

    counts = {}
    for user in (staff, manager):
        client = client_as(user)
        with CaptureQueriesContext(connection) as queries:
            _notebook(client)
        counts[user.get_username()] = len(queries)

    assert counts["boss"] - counts["clerk"] <= SECTION_QUERIES, counts
