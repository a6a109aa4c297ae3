"""Service level in SQL equals the pure core on the same generated book (SQLite and
PostgreSQL), for every grouping, against the promise and against the request — with the
stored scores built at once (``rebuild``) and order by order from the queue (``refresh``),
and after the calendar, a customer's group or a tolerance moved on."""

from datetime import timedelta

import pytest

from kept.customers.models import Customer, CustomerGroup
from kept.fulfilment import actions, metrics, scores
from kept.fulfilment.choices import GroupBy
from kept.fulfilment.models import ScoredLine, ScoredOrder, ScoreQueue, ServiceTolerance
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
    """The book is written straight to the tables, past the writers' marks: scored at once."""
    today = business_today()
    generated.build(seed=7, today=today)
    scores.rebuild()
    return today


def _same_as_pure(start, end, by, against, today) -> None:
    rows, total = metrics.service_level(start, end, by=by, against=against, today=today)
    expected = generated.pure(start, end, by, against, today)
    assert {row.key: _as_dict(row) for row in rows} == {
        key: _as_dict(m) for key, m in expected.items()
    }
    [overall] = generated.pure(start, end, "total", against, today).values()
    assert _as_dict(total) == _as_dict(overall)


@pytest.mark.parametrize("against", ["promise", "request"])
@pytest.mark.parametrize("by", [*GroupBy.values])
@pytest.mark.parametrize("path", ["rebuild", "queue"])
def test_sql_equals_the_pure_core(book, by, against, path):
    today = book
    if path == "queue":  # every order scored again in batches by the report's refresh
        ScoredLine.objects.all().delete()
        ScoredOrder.objects.all().delete()
        scores.mark_all()
        assert ScoreQueue.objects.count() > scores.BATCH / 5
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


@pytest.mark.parametrize("against", ["promise", "request"])
def test_pending_lines_fail_as_the_calendar_moves_on_without_scoring_again(book, against):
    start, end = book - timedelta(days=60), book + timedelta(days=5)
    later = book + timedelta(days=20)
    _same_as_pure(start, end, "month", against, later)
    assert not ScoreQueue.objects.exists()
    _rows, total = metrics.service_level(start, end, against=against, today=later)
    assert total.pending_lines == 0


def test_a_customer_moved_to_another_group_is_scored_with_its_tolerances(book):
    start, end = book - timedelta(days=60), book + timedelta(days=5)
    strict = CustomerGroup.objects.create(code="STRICT", name="strict")
    ServiceTolerance.objects.create(group=strict, short_percent=0, late_days=0, early_days=0)
    lenient = CustomerGroup.objects.get(code="G0")
    before, _total = metrics.service_level(start, end, by="customer", today=book)
    Customer.objects.filter(group=lenient).update(group=strict)  # not through any action
    _same_as_pure(start, end, "customer", "promise", book)
    after, _total = metrics.service_level(start, end, by="customer", today=book)
    assert before != after


def test_a_tolerance_changed_is_scored_again(book):
    start, end = book - timedelta(days=60), book + timedelta(days=5)
    _rows, before = metrics.service_level(start, end, by="region", today=book)
    actions.save_tolerance(None, {"late_days": 3, "early_days": 2})
    _same_as_pure(start, end, "region", "promise", book)
    _rows, after = metrics.service_level(start, end, by="region", today=book)
    assert after.on_time_lines > before.on_time_lines


@pytest.mark.parametrize(
    "first, last",
    [(-75, 15), (-46, -40), (-200, 200)],  # whole months in between; none; the whole book
)
@pytest.mark.parametrize("by", ["month", "customer", "owner"])
def test_periods_of_whole_and_part_months(book, by, first, last):
    """Whole months are read from the order sums, part months at the ends from the lines."""
    start, end = book + timedelta(days=first), book + timedelta(days=last)
    for day in (start, start.replace(day=1)):  # also from a first of the month
        _same_as_pure(day, end, by, "promise", book)


def test_whole_months_of_a_period():
    from datetime import date

    assert metrics._months(date(2026, 1, 1), date(2026, 3, 31)) == (
        date(2026, 1, 1),
        date(2026, 3, 1),
    )
    assert metrics._months(date(2026, 1, 2), date(2026, 3, 30)) == (
        date(2026, 2, 1),
        date(2026, 2, 1),
    )
    first, last = metrics._months(date(2026, 1, 2), date(2026, 1, 30))
    assert first > last  # none
    assert metrics._months(date(2025, 12, 15), date(2026, 2, 28)) == (
        date(2026, 1, 1),
        date(2026, 2, 1),
    )
