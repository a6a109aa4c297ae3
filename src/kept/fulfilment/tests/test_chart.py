from kept.fulfilment import chart


def test_series_leaves_gaps_where_nothing_was_measured():
    keys = ["2026-01", "2026-02", "2026-03", "2026-04"]
    line = chart.series("promise", keys, [1.0, None, 0.5, 0.25])
    assert len(line.segments) == 2 and len(line.points) == 3
    first, second, third = line.points
    assert first.x == chart.LEFT and third.x == chart.WIDTH - chart.RIGHT
    assert first.y == chart.TOP  # 100 % at the top
    assert second.y == round(chart.TOP + (chart.HEIGHT - chart.TOP - chart.BOTTOM) / 2, 1)


def test_single_period_is_centred_and_ticks_are_thinned():
    [point] = chart.series("request", ["2026-01"], [0.0]).points
    assert point.x == round(chart.LEFT + (chart.WIDTH - chart.LEFT - chart.RIGHT) / 2, 1)
    assert point.y == chart.HEIGHT - chart.BOTTOM
    keys = [f"k{n}" for n in range(30)]
    assert len(chart.x_ticks(keys)) <= 8 and chart.x_ticks(keys)[0].label == "k0"
    assert [t.label for t in chart.y_ticks()] == ["0 %", "25 %", "50 %", "75 %", "100 %"]
