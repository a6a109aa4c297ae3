"""The pure core: bucket boundaries and DSO, computed by hand."""

from datetime import date
from decimal import Decimal

import pytest

from kept.receivables import ageing


@pytest.mark.parametrize(
    ("days_overdue", "expected"),
    [
        (-30, "current"),
        (-1, "current"),
        (0, "current"),  # due today: not yet overdue
        (1, "0-30"),
        (30, "0-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, ">90"),
        (3650, ">90"),
    ],
)
def test_bucket_boundaries(days_overdue, expected):
    assert ageing.bucket(days_overdue) == expected


def test_buckets_cover_every_day_exactly_once():
    for days in range(-400, 400):
        assert sum(b.holds(days) for b in ageing.BUCKETS) == 1, days


def test_days_overdue_counts_from_the_due_date():
    due = date(2025, 1, 31)

    assert ageing.days_overdue(due, date(2025, 1, 31)) == 0
    assert ageing.days_overdue(due, date(2025, 3, 17)) == 45  # 28 days of Feb + 17
    assert ageing.days_overdue(due, date(2025, 1, 1)) == -30


def test_dso_by_hand():
    # 3,000 still open after 9,000 of credit sales in 90 days: a third of the period, 30 days.
    assert ageing.dso(Decimal("3000"), Decimal("9000"), 90) == Decimal("30")
    # 12,500 open, 45,000 sold in 365 days: 12,500 × 365 / 45,000 = 101.388…
    value = ageing.dso(Decimal("12500"), Decimal("45000"), 365)
    assert value.quantize(Decimal("0.001")) == Decimal("101.389")
    assert ageing.dso(Decimal("0"), Decimal("100"), 30) == 0


def test_dso_without_credit_sales_is_undefined():
    assert ageing.dso(Decimal("500"), Decimal("0"), 90) is None


def test_dso_needs_a_period():
    with pytest.raises(ValueError):
        ageing.dso(Decimal("1"), Decimal("1"), 0)


def test_core_imports_no_django():
    import ast
    from pathlib import Path

    tree = ast.parse(Path(ageing.__file__).read_text())
    names = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ] + [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert not [name for name in names if name.startswith("django") or name.startswith("kept")]


def test_docstring_examples_hold():
    import doctest

    assert doctest.testmod(ageing).failed == 0
