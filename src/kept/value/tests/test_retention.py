"""The cohort table, repurchase rate and the cost ratio, by hand."""

import doctest
from datetime import date
from decimal import Decimal as D

from kept.value import retention
from kept.value.retention import cohort_table, cost_ratio, repurchase_rate


def test_the_cohort_table_by_hand():
    purchases = {
        "a": [date(2026, 1, 3), date(2026, 2, 3), date(2026, 3, 3)],
        "b": [date(2026, 1, 9), date(2026, 3, 1)],
        "c": [date(2026, 1, 20)],
        "d": [date(2026, 2, 14), date(2026, 2, 28), date(2026, 3, 30)],
    }
    table = cohort_table(purchases, until=date(2026, 3, 31))
    jan, feb = table.rows
    assert (jan.cohort, jan.size) == ("2026-01", 3)
    assert jan.retained == [1.0, 1 / 3, 2 / 3]
    assert (feb.cohort, feb.size, feb.retained) == ("2026-02", 1, [1.0, 1.0])
    assert table.months == 3
    assert cohort_table({}).rows == []


def test_repurchase_rate_and_the_cost_ratio():
    assert repurchase_rate({"a", "b", "c", "d"}, {"a", "c", "x"}) == 0.5
    assert repurchase_rate(set(), {"a"}) is None
    ratio = cost_ratio(D("6000"), 20, D("2500"), 50)
    assert ratio.acquisition_per_customer == D(300) and ratio.retention_per_customer == D(50)
    assert ratio.ratio == D(6)
    assert cost_ratio(D("100"), 0, D("10"), 1).ratio is None


def test_the_module_example_holds():
    assert doctest.testmod(retention).failed == 0
