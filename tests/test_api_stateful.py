"""R3: schemathesis follows the spec's OpenAPI links (core/api_links.py) through sequences of
calls: create a customer, then read, change and archive it; promise an order, then read it,
accept its counter-offer, cancel it; open a ticket, then reply; create a lead, then move, win
or lose it. No answer may be a 5xx, and every answer must be one the spec documents, in the
documented shape. In-process through the WSGI app, as a manager; bounded to stay short."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
import schemathesis
from django.db import transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kept.api import api
from kept.core.api_links import LINKS
from kept.core.api_testing import wsgi_keeps_connection
from kept.wsgi import application

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
# valid requests, to get deep into the sequences; tests/test_api_fuzz.py sends invalid ones too
schema.config.generation.update(modes=["positive"])
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SEED_CUSTOMER, SEED_SKU = "C1", "RICE5"


@pytest.fixture
def manager_token(db, make_user):
    from kept.catalog import actions as catalog
    from kept.core.actions import create_token
    from kept.customers import actions as customers

    manager = make_user("manager", "stateful-manager")
    customers.create_customer({"code": SEED_CUSTOMER, "name": "客户"}, actor=manager)
    product = catalog.create_product(
        {"sku": SEED_SKU, "name": "Rice", "unit": "bag", "price": Decimal(40), "cost": Decimal(30)}
    )
    catalog.record_movement(product, Decimal(3), "opening")
    catalog.schedule_receipt(product, Decimal(5), date.today() + timedelta(days=2))
    return create_token(manager)[1]


def test_the_links_name_real_operations_and_parameters():
    """add_links raises for a stale link; here, the spec carries every declared link."""
    spec = api.get_openapi_schema()
    documented = {
        operation["operationId"]: operation
        for item in spec["paths"].values()
        for operation in item.values()
    }
    for source, (status, targets) in LINKS.items():
        links = documented[source]["responses"][status]["links"]
        assert {link["operationId"] for link in links.values()} == set(targets)


def test_follow_the_links_without_a_server_error_or_a_schema_violation(manager_token):
    class Workflow(schema.as_state_machine()):
        def setup(self):
            # each scenario starts from the seeded data: Hypothesis replays scenarios while
            # it shrinks one, and a replay must meet the same answers
            self.scenario = transaction.atomic()
            self.scenario.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self.scenario.__exit__(None, None, None)

        def before_call(self, case):
            # Orders name a customer and products: point a generated order at the seeded
            # ones, so that orders get made and the links after them (read, accept a
            # counter-offer, change, cancel) are followed. Unknown references are the plain
            # fuzz test's business (tests/test_api_fuzz.py).
            if case.operation.label == "POST /api/v1/orders" and isinstance(case.body, dict):
                case.body["customer"] = SEED_CUSTOMER
                case.body["dry_run"] = False
                for line in case.body.get("lines") or []:
                    if isinstance(line, dict):
                        line["sku"] = SEED_SKU

        def after_call(self, response, case):
            answers[case.operation.label, response.status_code] += 1

        def get_call_kwargs(self, case):
            return {"app": application, "headers": {"Authorization": f"Bearer {manager_token}"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS)

    answers = Counter()
    with wsgi_keeps_connection():
        Workflow.run(
            settings=settings(
                max_examples=40,
                stateful_step_count=8,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
        )
    # not vacuous: calls on a created resource (through a link) succeeded
    followed = {label for (label, status), _n in answers.items() if status < 300 and "{" in label}
    assert len(followed) >= 3, sorted(answers.items())
