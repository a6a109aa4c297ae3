from datetime import date, timedelta

from kept.replenishment import chart


def _rows(levels):
    start = date(2026, 11, 25)
    return [(start + timedelta(days=i), *level) for i, level in enumerate(levels)]


def test_band_polygon_median_and_risk_line():
    rows = _rows([(8, 10, 12), (6, 8, 11), (3, 6, 9), (0, 4, 7), (0, 2, 5)])
    drawn = chart.band(rows, 15, date(2026, 11, 28))
    assert len(drawn.area.split()) == 10 and len(drawn.middle.split()) == 5
    assert drawn.risk_x == drawn.right - (drawn.right - drawn.left) / 4  # day 3 of 4
    assert drawn.capacity_y < drawn.zero_y  # full is drawn above empty


def test_the_flat_tail_after_the_jar_is_surely_empty_is_cut():
    rows = _rows([(5, 6, 7), (2, 3, 4), (0, 0, 0)] + [(0, 0, 0)] * 40)
    assert len(chart.band(rows, 15, None).middle.split()) == 8


def test_nothing_to_draw():
    assert chart.band(_rows([(1, 1, 1)]), 15, None) is None
    assert chart.band(_rows([(1, 1, 1), (0, 0, 0)]), 0, None) is None
