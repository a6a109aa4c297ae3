"""R3/R4: the OpenAPI spec documents the refusals the API gives (400, 401, 403, 429) with the
one error schema, and a real 429 (too many unknown tokens from an address) conforms to it."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.conf import settings
from django.core.cache import caches
from django.test import Client

from kept.api import api
from kept.core.api_testing import wsgi_keeps_connection
from kept.wsgi import application

SPEC = json.loads(json.dumps(api.get_openapi_schema()))  # as a client reads it
schema = schemathesis.openapi.from_dict(SPEC)
OPERATIONS = [
    (path, method)
    for path, item in SPEC["paths"].items()
    for method in item
    if method in {"get", "post", "put", "patch", "delete"}
]
ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorOut"}


@pytest.fixture(autouse=True)
def empty_counts():
    counts = caches[settings.KEPT_RATE_LIMIT_CACHE]
    counts.clear()
    yield
    counts.clear()


def test_the_error_schema_is_the_one_the_api_sends():
    error = SPEC["components"]["schemas"]["ErrorOut"]
    assert set(error["properties"]) == {"code", "message", "details"}
    assert set(error["required"]) == {"code", "message"}


@pytest.mark.parametrize("status", ["400", "401", "403", "429"])
def test_every_operation_documents_the_refusal(status):
    """Every operation authenticates (Bearer token or session) and checks a permission, so
    each may answer 401, 403, and 429 when its address is refused for guessing tokens."""
    undocumented = [
        f"{method.upper()} {path}"
        for path, method in OPERATIONS
        if SPEC["paths"][path][method]["responses"].get(status, {}).get("content")
        != {"application/json": {"schema": ERROR_SCHEMA}}
    ]
    assert OPERATIONS and not undocumented


def _refused(path: str, method: str, parameters: dict, limit: int):
    """``limit`` unknown tokens from one address, then one more request: through WSGI."""
    operation = schema[path][method]
    with wsgi_keeps_connection():
        for n in range(limit):
            case = operation.Case(path_parameters=parameters)
            guess = case.call(app=application, headers={"Authorization": f"Bearer kept_{n}"})
            assert guess.status_code == 401
        case = operation.Case(path_parameters=parameters)
        return case, case.call(app=application, headers={"Authorization": "Bearer kept_more"})


@pytest.mark.parametrize(
    ("path", "method", "parameters"),
    [
        ("/api/v1/customers", "GET", {}),
        ("/api/v1/orders", "POST", {}),
        ("/api/v1/leads/{lead_id}/move", "POST", {"lead_id": 1}),
    ],
)
def test_a_real_429_conforms_to_the_documented_response(db, settings, path, method, parameters):
    settings.KEPT_API_TOKEN_FAILURE_LIMIT = (3, 600)

    case, response = _refused(path, method, parameters, limit=3)

    assert response.status_code == 429 and response.headers["retry-after"] == ["600"]
    assert response.json()["code"] == "too_many_requests"
    assert case.operation.responses.find_by_status_code(429) is not None
    case.operation.validate_response(response, case=case)  # raises when off the schema


def test_the_validation_would_notice_a_429_off_the_schema(db, settings):
    """The check above can fail: a 429 without the fields the schema requires does not pass."""
    from schemathesis.core import NOT_SET
    from schemathesis.core.failures import Failure, FailureGroup

    settings.KEPT_API_TOKEN_FAILURE_LIMIT = (1, 600)
    case, response = _refused("/api/v1/customers", "GET", {}, limit=1)
    assert response.status_code == 429
    response.content = b'{"detail": "slow down"}'
    response._deserialized = NOT_SET

    with pytest.raises((Failure, FailureGroup), match="required property"):
        case.operation.validate_response(response, case=case)


def test_a_write_with_an_unknown_token_is_401_not_a_csrf_403(db):
    """No session, so no CSRF token is due: the answer is "unauthenticated", as for a read."""
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="10.9.9.7")
    body = {"code": "C9", "name": "Test"}
    for headers in ({"HTTP_AUTHORIZATION": "Bearer kept_revoked"}, {}):
        response = client.post(
            "/api/v1/customers", body, content_type="application/json", **headers
        )
        assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
