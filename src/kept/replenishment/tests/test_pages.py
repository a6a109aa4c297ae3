"""Today's rounds on a phone, answering a proposal, and the notebook's containers."""

import pytest
from django.urls import reverse

from kept.replenishment.models import Proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def due(fill, jar):
    for n in range(8, 0, -1):
        fill(jar, n * 10, 10)
    return jar


def test_rounds_show_the_due_container_by_region_with_its_refill(client_as, staff, due):
    body = client_as(staff).get(reverse("replenishment:rounds")).content.decode()
    assert f'id="proposal-{due.pk}"' in body and due.customer.name in body
    assert 'value="accepted"' in body and 'name="still_had"' in body
    assert "No region" in body


def test_ordering_from_the_rounds_swaps_the_card_with_the_promise(client_as, staff, due, today):
    response = client_as(staff).post(
        reverse("replenishment:answer", args=[due.pk]),
        {"date": today.isoformat(), "outcome": "accepted", "quantity": "10"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    order = Proposal.objects.get().order
    assert order.number in body and order.lines.get().requested_quantity == 10
    again = client_as(staff).post(
        reverse("replenishment:answer", args=[due.pk]),
        {"date": today.isoformat(), "outcome": "declined"},
    )
    assert again.status_code == 409


def test_a_bad_answer_is_refused_on_the_card(client_as, staff, due, today):
    response = client_as(staff).post(
        reverse("replenishment:answer", args=[due.pk]),
        {"date": today.isoformat(), "outcome": "still_had"},
    )
    assert (
        response.status_code == 422 and "Say how much was still there" in response.content.decode()
    )
    assert not Proposal.objects.exists()


def test_the_notebook_draws_each_container_with_its_band(client_as, staff, due):
    body = (
        client_as(staff)
        .get(reverse("customers:notebook", args=[due.customer.code]))
        .content.decode()
    )
    assert 'id="container-' in body and "<polygon" in body and "next visit" in body


def test_adding_a_container_from_the_notebook(client_as, staff, customer, make_product):
    oil = make_product("OIL-5")
    client = client_as(staff)
    url = reverse("replenishment:create", args=[customer.code])
    bad = client.post(
        url,
        {
            "product": oil.pk,
            "capacity": "5",
            "people": "2",
            "fill_policy": "fixed",
            "window": "any",
        },
    )
    assert bad.status_code == 200 and "needs its quantity" in bad.content.decode()
    good = client.post(
        url,
        {
            "product": oil.pk,
            "capacity": "5",
            "people": "2",
            "fill_policy": "to_capacity",
            "window": "morning",
            "preferred_days": ["6"],
            "is_active": "on",
        },
    )
    assert good.status_code == 302
    assert customer.subscriptions.get().preferred_days == [6]
