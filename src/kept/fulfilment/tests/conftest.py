from datetime import timedelta
from decimal import Decimal

import pytest

from kept.promising.engine import LineInput
from kept.promising.queries import business_today


@pytest.fixture
def today():
    return business_today()


@pytest.fixture
def make_product(db):
    from kept.catalog import actions

    def make(sku="RICE10", on_hand="0", price="50", cost="40", **extra):
        product = actions.create_product(
            {
                "sku": sku,
                "name": sku,
                "unit": "bag",
                "price": Decimal(price),
                "cost": Decimal(cost),
                **extra,
            }
        )
        if Decimal(on_hand):
            actions.record_movement(product, Decimal(on_hand), "opening")
        return product

    return make


@pytest.fixture
def customer(db):
    from kept.customers.models import Customer

    return Customer.objects.create(code="H1", name="王芳")


@pytest.fixture
def line(today):
    def make(product, quantity, days=1, **extra):
        return LineInput(product, Decimal(quantity), today + timedelta(days=days), **extra)

    return make


class JsonApi:
    def __init__(self, client):
        self.client = client

    def post(self, path: str, data: dict):
        return self.client.post(path, data, content_type="application/json")

    def get(self, path: str):
        return self.client.get(path)


@pytest.fixture
def api(api_as, make_user):
    """api(role) → a JSON client with a token of a new user of that role."""
    return lambda role: JsonApi(api_as(make_user(role)))


@pytest.fixture
def page_as(client_as, make_user):
    """page_as(role) → a logged-in test client of a new user of that role."""
    return lambda role: client_as(make_user(role))
