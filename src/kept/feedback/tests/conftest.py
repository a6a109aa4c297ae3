# ruff: noqa: F811 (the imported fixtures are used as fixtures here)
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

# the promising fixtures (today, make_product, customer, line) serve here too
from kept.promising.tests.conftest import customer, line, make_product, today  # noqa: F401


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Each test starts with no request counted against any address."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_customer(db):
    from kept.customers.models import Customer

    def make(code: str, name: str = "", **extra) -> Customer:
        values = {"name": name or f"Customer {code}", "email": f"{code.lower()}@example.com"}
        return Customer.objects.create(code=code, **{**values, **extra})

    return make


@pytest.fixture
def zhang(make_customer, staff):
    """A household that reads Chinese, looked after by the staff member."""
    return make_customer("H9", "张伟家", language="zh-hans", owner=staff)


@pytest.fixture
def smith(make_customer):
    return make_customer("R1", "Smith's Kitchen", language="en")


@pytest.fixture
def sent():
    """sent(customer, **kw) → (survey, raw token), sent by hand."""
    from kept.feedback.actions import send_survey

    def make(customer, **extra):
        extra.setdefault("trigger", "manual")
        result = send_survey(customer, **extra)
        assert result is not None, "the quiet period or a switch stopped the survey"
        return result

    return make


@pytest.fixture
def answered(db):
    """answered(customer, csat, nps, comment="", at=…, staff=None) → a survey answered
    then, written straight to the table (a hand-built set of answers)."""
    from kept.feedback.models import Survey

    counter = {"n": 0}

    def make(customer, csat=None, nps=None, comment="", at=None, staff=None, trigger="manual"):
        counter["n"] += 1
        at = at or timezone.now() - timedelta(days=1)
        return Survey.objects.create(
            customer=customer,
            trigger=trigger,
            staff=staff,
            language=customer.language,
            token_digest=f"{counter['n']:064x}",
            sent_at=at,
            expires_at=at + timedelta(days=14),
            answered_at=at if csat is not None or nps is not None else None,
            csat=csat,
            nps=nps,
            comment=comment,
        )

    return make
