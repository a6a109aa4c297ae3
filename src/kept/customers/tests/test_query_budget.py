"""The notebook and the customer list cost a number of SQL queries that does not grow with
the data (SPEC 5, P5: no N+1): the same count with 3× the rows as with 1×, under a fixed
budget. bench/p5_web.sh measures the same pages at 100 k customers / 1 M orders."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kept.customers import actions
from kept.customers.models import Customer, CustomerGroup, Region
from kept.fulfilment.tests.history import delivered_line

# Measured: manager 40, staff 29, list 10 at most; about 12 of each are the request's own
# (session, user, permissions, notifications, menu).
NOTEBOOK_BUDGET = {"manager": 42, "staff": 31}
LIST_BUDGET = 11
PRICE, COST = Decimal("50"), Decimal("40")


def _queries(client, url: str, data: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, data or {})
    assert response.status_code == 200
    return len(captured)


class Notebook:
    """One customer whose every notebook section has rows: ``grow`` adds another batch of
    contacts, timeline entries, delivered and open orders, container fills, tickets and
    answered surveys."""

    def __init__(self, clerk) -> None:
        from kept.catalog import actions as catalog
        from kept.replenishment.actions import save_subscription
        from kept.value.tests.test_retention_pages import _value, done_run

        self.clerk, self.today, self.batches = clerk, timezone.localdate(), 0
        self.rice = catalog.create_product(
            {"sku": "RICE", "name": "Rice", "unit": "kg", "price": PRICE, "cost": COST}
        )
        self.water = catalog.create_product(
            {"sku": "WATER", "name": "Water", "unit": "jug", "price": PRICE, "cost": COST}
        )
        catalog.record_movement(self.water, Decimal(1000), "opening")
        self.customer = actions.create_customer(
            {"code": "H1", "name": "Household 1"}, actor=clerk, tags=["a", "b"]
        )
        self.jar = save_subscription(
            self.customer, {"product": self.rice, "capacity": 15, "people": 3}
        )
        _value(self.customer, done_run())

    def grow(self) -> Notebook:
        from kept.feedback import actions as feedback
        from kept.promising.actions import promise_order
        from kept.promising.engine import LineInput
        from kept.servicedesk import actions as desk

        n, self.batches = self.batches, self.batches + 1
        for i in range(4):
            actions.save_contact(self.customer, {"name": f"Contact {n}-{i}", "phone": f"{n}{i}"})
        for i in range(12):
            actions.log_interaction(self.customer, "note", f"Note {n}-{i}", actor=self.clerk)
        for i in range(6):  # a fill every ten days, further back with each batch
            day = self.today - timedelta(days=10 * (6 * n + i + 1))
            delivered_line(self.customer, self.rice, day, 10)
        for i in range(3):
            day = self.today + timedelta(days=1 + i)
            promise_order(self.customer, [LineInput(self.water, Decimal(1), day)], actor=self.clerk)
        for i in range(3):
            desk.open_ticket(self.customer, subject=f"Ticket {n}-{i}", actor=self.clerk)
            # a survey a quarter, older with each batch (one per quiet period)
            sent = timezone.now() - timedelta(days=90 * (3 * (3 - n) + 3 - i))
            _survey, token = feedback.send_survey(
                self.customer, trigger="manual", staff=self.clerk, now=sent
            )
            feedback.answer(token, csat=4, comment=f"Fine {n}-{i}", now=sent)
        return self


def _list_batch(n: int, owners: list, groups: list, regions: list) -> None:
    customers = Customer.objects.bulk_create(
        Customer(
            code=f"C{n}-{i:03}",
            name=f"Customer {n}-{i:03}",
            owner=owners[i % len(owners)],
            group=groups[i % len(groups)],
            region=regions[i % len(regions)],
            phone=f"139{n}{i:04}",
        )
        for i in range(60)
    )
    for customer in customers[:10]:
        actions.save_contact(customer, {"name": f"Contact of {customer.code}"})
        customer.tags.add(*_tags())


def _tags():
    from kept.customers.models import Tag

    return [Tag.objects.get_or_create(name=name)[0] for name in ("vip", "elderly")]


@pytest.mark.parametrize("role", ["manager", "staff"])
def test_the_notebook_costs_the_same_queries_with_three_times_the_rows(client, make_user, role):
    clerk = make_user("staff", "clerk")
    user = clerk if role == "staff" else make_user("manager", "boss")
    book = Notebook(clerk).grow()
    client.force_login(user)
    url = reverse("customers:notebook", args=[book.customer.code])
    # the first request after a change does the upkeep it left: the service scores of the
    # new deliveries (kept.fulfilment.scores), the product's prior of the containers
    _queries(client, url)
    once = _queries(client, url)
    book.grow().grow()
    _queries(client, url)
    thrice = _queries(client, url)
    body = client.get(url).content.decode()
    assert "Note 2-11" in body and "Ticket " in body  # the newest rows are on the page
    assert 'id="containers"' in body and 'id="promises"' in body
    assert ('id="value"' in body) == (role == "manager")
    assert thrice == once, f"{once} queries with 1× the rows, {thrice} with 3×"
    assert thrice <= NOTEBOOK_BUDGET[role]


def test_the_customer_list_costs_the_same_queries_with_three_times_the_rows(client, make_user):
    staff = make_user("staff", "clerk")
    owners = [staff, make_user("staff", "other"), make_user("staff", "third")]
    groups = [CustomerGroup.objects.create(code=f"g{i}", name=f"Group {i}") for i in range(3)]
    regions = [Region.objects.create(code=f"r{i}", name=f"Region {i}") for i in range(3)]
    client.force_login(staff)
    url = reverse("customers:list")
    pages = [
        {},
        {"page": "2"},
        {"q": "Customer 0"},
        {"q": "Contact of"},
        {"group": "g1", "region": "r1"},
        {"owner": str(owners[1].pk)},
        {"tag": "vip"},
        {"kind": "external", "page": "2"},
    ]
    _list_batch(0, owners, groups, regions)
    _queries(client, url)
    once = [_queries(client, url, page) for page in pages]
    _list_batch(1, owners, groups, regions)
    _list_batch(2, owners, groups, regions)
    thrice = [_queries(client, url, page) for page in pages]
    assert Customer.objects.count() == 180
    assert thrice == once, f"{once} queries with 1× the rows, {thrice} with 3×"
    assert max(thrice) <= LIST_BUDGET
