"""Every date an API operation takes, at the ends of the calendar (year 1 and 9999), gets a
refusal, never a server error. Schemathesis draws such dates only now and then (it found two
this way, a run apart); this asks each operation for both ends, every run."""

from __future__ import annotations

import pytest
from django.test import Client

from kept.api import api

EXTREMES = ["0001-01-01", "9999-12-31"]


def _date_parameters():
    """(method, path, parameter) for every query parameter and body field of format date in
    operations whose path needs nothing but a known product."""
    schema = api.get_openapi_schema()
    found = []
    for path, operations in schema["paths"].items():
        if "{" in path and path != "/api/v1/availability/{sku}":
            continue
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and _is_date(parameter.get("schema", {})):
                    found.append((method, path, parameter["name"]))
    return sorted(found)


def _is_date(schema: dict) -> bool:
    options = [schema, *schema.get("anyOf", []), *schema.get("allOf", [])]
    return any(option.get("format") == "date" for option in options)


PARAMETERS = _date_parameters()


def test_there_are_date_parameters_to_ask():
    assert len(PARAMETERS) >= 10


@pytest.mark.parametrize(("method", "path", "name"), PARAMETERS)
def test_the_ends_of_the_calendar_are_refused_not_a_server_error(db, manager, method, path, name):
    from kept.catalog.models import Product

    Product.objects.create(sku="RICE", name="Rice", unit="kg", price=5, cost=4)
    client = Client(raise_request_exception=False)
    client.force_login(manager)
    url = path.replace("{sku}", "RICE")
    for value in EXTREMES:
        answer = getattr(client, method)(url, {name: value})
        assert answer.status_code < 500, (url, name, value, answer.content[:300])


def _pages() -> list[str]:
    """Every page whose URL takes no argument, for the manager (who sees them all)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found = []

    def walk(patterns, prefix=""):
        for entry in patterns:
            route = str(entry.pattern)
            if isinstance(entry, URLResolver):
                if not route.startswith(("api/", "admin/")):
                    walk(entry.url_patterns, prefix + route)
            elif isinstance(entry, URLPattern) and "<" not in route and "(" not in route:
                found.append("/" + prefix + route.lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns)
    return sorted(set(found))


DATE_NAMES = ["start", "end", "from", "to", "date", "day", "as_of", "until"]


@pytest.mark.parametrize("path", _pages())
def test_pages_take_the_ends_of_the_calendar_without_a_server_error(db, manager, path):
    client = Client(raise_request_exception=False)
    client.force_login(manager)
    for name in DATE_NAMES:  # one at a time: the others' defaults count from it
        for value in EXTREMES:
            answer = client.get(path, {name: value})
            assert answer.status_code < 500, (path, name, value, answer.content[:300])
