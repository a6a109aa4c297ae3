import pytest

# the promising fixtures (today, make_product, customer, line) serve here too
from kept.promising.tests.conftest import customer, line, make_product, today  # noqa: F401


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
