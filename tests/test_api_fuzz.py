"""R3: schemathesis generates requests for every operation of the OpenAPI spec; none may
answer with a 5xx, nor with a status or a body the spec does not document. Runs in-process
through the WSGI app, as a manager (widest access). The sequences of calls that the spec's
links describe are tests/test_api_stateful.py's."""

from __future__ import annotations

import os
from datetime import date, timedelta
from decimal import Decimal

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kept.api import api
from kept.wsgi import application

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def keep_test_connection():
    """Calling the WSGI app directly would close the test's database connection at the end
    of each request (Django's test client prevents the same way)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def manager_token(db, make_user, keep_test_connection):
    from kept.catalog import actions as catalog
    from kept.core.actions import create_token
    from kept.customers import actions as customers

    manager = make_user("manager", "fuzz-manager")
    customer = customers.create_customer({"code": "C1", "name": "客户"}, actor=manager)
    customers.save_contact(customer, {"name": "联系人"})
    product = catalog.create_product(
        {
            "sku": "RICE5",
            "name": "Rice",
            "unit": "bag",
            "price": Decimal("40"),
            "cost": Decimal("30"),
        }
    )
    catalog.schedule_receipt(product, Decimal("5"), date.today() + timedelta(days=2))
    return create_token(manager)[1]


@schema.parametrize()
@settings(
    max_examples=50,
    deadline=None,
    # CI asks the same examples every run, so a red run is reproducible and never chance;
    # KEPT_FUZZ_RANDOM=1 explores new ones (and found the year-1 bugs this way).
    derandomize=not os.environ.get("KEPT_FUZZ_RANDOM"),
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_no_server_errors(case, manager_token):
    response = case.call(app=application, headers={"Authorization": f"Bearer {manager_token}"})
    case.validate_response(response, checks=CHECKS)
