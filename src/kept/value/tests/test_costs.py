"""Cost-to-serve and the whale curve on a small case worked by hand."""

from decimal import Decimal as D

import pytest

from kept.value.costs import Activity, Rates, destroyers, pnl, whale_curve

RATES = Rates(
    per_order=D("5"),
    per_delivery=D("8"),
    per_ticket_hour=D("60"),
    per_complaint_remedy=D("20"),
    per_collection_reminder=D("15"),
    vip_per_month=D("300"),
)
# a quiet household, a restaurant that pays late and complains, a VIP canteen
QUIET = Activity("H1", revenue=D("1200"), cost_of_goods=D("900"), orders=10, deliveries=10)
LOUD = Activity(
    "R1", revenue=D("5000"), cost_of_goods=D("4200"), orders=40, deliveries=44,
    ticket_hours=D("6.5"), remedies=3, remedy_cost=D("310"), reminders=4,
)  # fmt: skip
VIP = Activity(
    "C1", revenue=D("9000"), cost_of_goods=D("6300"), orders=24, deliveries=24, vip_months=6
)


def test_the_pnl_of_each_customer_by_hand():
    quiet = pnl(QUIET, RATES)
    # 1200 − 900 − (10×5 + 10×8) = 170
    assert (quiet.gross_margin, quiet.cost_to_serve, quiet.profit) == (D(300), D(130), D(170))
    loud = pnl(LOUD, RATES)
    # 800 − (200 + 352 + 390 + (60 + 310) + 60) = 800 − 1372 = −572
    assert loud.cost_to_serve == D("1372") and loud.profit == D("-572")
    assert loud.main_drivers() == [("tickets", D("390")), ("remedies", D("370")),
                                   ("deliveries", D("352"))]  # fmt: skip
    vip = pnl(VIP, RATES)
    # 2700 − (120 + 192 + 1800) = 588
    assert vip.profit == D("588") and vip.main_drivers(1) == [("vip", D("1800"))]


def test_the_whale_curve_rises_above_the_total_then_falls_back():
    rows = [pnl(a, RATES) for a in (QUIET, LOUD, VIP)]
    total = D(170) + D(-572) + D(588)  # 186
    curve = whale_curve(rows)
    assert [p.customers_share for p in curve] == pytest.approx([0, 1 / 3, 2 / 3, 1])
    assert [p.profit_share for p in curve] == pytest.approx(
        [0, float(588 / total), float(758 / total), 1.0]
    )
    assert max(p.profit_share for p in curve) > 1  # the whale's hump
    assert [p.customer for p in destroyers(rows)] == ["R1"]


def test_negative_rates_are_refused_and_nothing_is_an_empty_curve():
    with pytest.raises(ValueError):
        Rates(per_order=D("-1"))
    assert whale_curve([]) == []


def test_the_module_example_holds():
    import doctest

    from kept.value import costs

    assert doctest.testmod(costs).failed == 0
