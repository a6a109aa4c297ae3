"""Service level in SQL equals the pure core on the same generated book (SQLite and
PostgreSQL), for every grouping, against the promise and against the request."""

from datetime import timedelta

import pytest

from kept.fulfilment import metrics
from kept.fulfilment.choices import GroupBy
from kept.fulfilment.tests import generated
from kept.promising.queries import business_today

pytestmark = pytest.mark.django_db

FIELDS = [
    "orders",
    "lines",
    "pending_lines",
    "perfect_orders",
    "filled_orders",
    "otif_lines",
    "on_time_lines",
    "in_full_lines",
    "quality_lines",
    "filled_lines",
    "fill_units",
    "target_units",
]


def _as_dict(row) -> dict:
    return {name: getattr(row, name) for name in FIELDS}


@pytest.fixture
def book():
    today = business_today()
    generated.build(seed=7, today=today)
    return today


@pytest.mark.parametrize("against", ["promise", "request"])
@pytest.mark.parametrize("by", [*GroupBy.values])
def test_sql_equals_the_pure_core(book, by, against):
    today = book
    start, end = today - timedelta(days=60), today + timedelta(days=5)
    rows, total = metrics.service_level(start, end, by=by, against=against, today=today)
    expected = generated.pure(start, end, by, against, today)
    assert {row.key: _as_dict(row) for row in rows} == {
        key: _as_dict(m) for key, m in expected.items()
    }
    [overall] = generated.pure(start, end, "total", against, today).values()
    assert _as_dict(total) == _as_dict(overall)
    assert total.lines > 100 and total.pending_lines > 0  # the book covers the cases
    if against == "promise":  # deliveries are generated around the promise
        assert 0 < total.perfect_orders < total.orders
    assert total.rates()["otif"] == overall.rates()["otif"]


@pytest.mark.parametrize("against", ["promise", "request"])
def test_failures_are_the_failed_lines_with_their_components(book, against):
    today = book
    start, end = today - timedelta(days=60), today + timedelta(days=5)
    failed = metrics.failures(start, end, today=today, against=against, limit=10_000)
    expected = {
        score.line_id: tuple(score.failed())
        for _key, score in generated.scores(start, end, "month", against, today)
        if score.status == "scored" and not score.perfect
    }
    assert {f.line_id: f.failed for f in failed} == expected
    assert len(expected) > 10
    month = failed[0].key
    only = metrics.failures(start, end, today=today, against=against, key=month, limit=10_000)
    assert only and {f.key for f in only} == {month}
