"""The customer P&L through ``queries_profit.profit_report`` on real rows, every figure worked by
hand, and the whale curve's shape on the same case.

The case, March 2026, at these rates: per order 5, per delivery (a drop: a customer's
deliveries of one day) 8, per ticket hour 30, per complaint remedy 20 (plus the remedy's own
cost), per payment reminder 3, VIP 121.75 a month (4 a day over a mean month of
365.25 / 12 = 30.4375 days). Every line sells at 50 and costs 40.

    W1, the whale: 2 orders of 10, delivered on 2 days
        revenue 1000, cost of goods 800, gross margin 200
        cost-to-serve: orders 2 × 5 = 10, drops 2 × 8 = 16 → 26; profit 200 − 26 = 174
    S1, steady: 1 order of 4, delivered 2 + 2 on one day (one drop)
        revenue 200, cost of goods 160, gross margin 40
        cost-to-serve: order 5, drop 8 → 13; profit 40 − 13 = 27
    D1, the destroyer: 1 order of 6, delivered on one day
        revenue 300, cost of goods 240, gross margin 60
        cost-to-serve: order 5, drop 8, tickets 60 + 30 minutes = 1.5 h × 30 = 45,
        remedy 20 + refund 30 = 50, reminder 1 × 3 = 3, VIP 17–31 March = 15 days × 4 = 60
        → 171; profit 60 − 171 = −111
    Left out: W1's April order, a ticket message and a reminder outside March, a VIP
    service that ended in February, and a department's delivery (departments have no P&L).

    Totals: revenue 1500, cost of goods 1200, gross margin 300, cost-to-serve 210, profit 90.
    Whale curve (ranked 174, 27, −111; total 90): (0, 0), (1/3, 174/90 = 193.3 %),
    (2/3, 201/90 = 223.3 %), (1, 90/90 = 100 %). Peak: 67 % of customers earn 223 %.
"""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from kept.value import chart, queries_profit

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
CENT = Decimal("0.01")
RATES = {
    "per_order": Decimal("5"),
    "per_delivery": Decimal("8"),
    "per_ticket_hour": Decimal("30"),
    "per_complaint_remedy": Decimal("20"),
    "per_collection_reminder": Decimal("3"),
    "vip_per_month": Decimal("121.75"),
}


def _at(month: int, day: int, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(2026, month, day, hour))


def _line(customer, product, quantity: str, *, number: str, month: int, day: int):
    from kept.promising.models import Order, OrderLine

    order = Order.objects.create(
        number=number, customer=customer, decision="commit", created_at=_at(month, day)
    )
    return OrderLine.objects.create(
        order=order,
        number=1,
        product=product,
        requested_quantity=Decimal(quantity),
        requested_date=date(2026, month, day + 1),
        unit_price=Decimal("50"),
        unit_cost=Decimal("40"),
        decision="commit",
        status="promised",
    )


def _deliver(line, quantity: str, *, month: int, day: int, hour: int = 15):
    from kept.fulfilment.models import Delivery

    return Delivery.objects.create(
        line=line,
        quantity=Decimal(quantity),
        delivered_at=_at(month, day, hour),
        delivered_on=date(2026, month, day),
    )


def _service_desk(customer) -> None:
    """90 minutes on a complaint in March (and 45 in February), refunded 30."""
    from kept.servicedesk.models import Complaint, Ticket, TicketMessage

    ticket = Ticket.objects.create(
        customer=customer, kind="complaint", subject="Wet rice", created_at=_at(3, 14)
    )
    for minutes, moment in ((60, _at(3, 14)), (30, _at(3, 15)), (45, _at(2, 27))):
        TicketMessage.objects.create(
            ticket=ticket, body="Called back", minutes_spent=minutes, created_at=moment
        )
    Complaint.objects.create(
        ticket=ticket, what_happened="Wet bag", remedy="refund", remedy_cost=Decimal("30")
    )


def _reminders_and_vip(customer) -> None:
    from kept.customers.models import Interaction
    from kept.value.models import VipService

    for moment in (_at(3, 20), _at(4, 2)):
        Interaction.objects.create(
            customer=customer, kind="reminder", occurred_at=moment, summary="Invoice due"
        )
    VipService.objects.create(
        customer=customer, description="Own driver", started_on=date(2026, 3, 17)
    )
    VipService.objects.create(
        customer=customer,
        description="Free drops",
        started_on=date(2026, 1, 1),
        ended_on=date(2026, 2, 10),
    )


@pytest.fixture
def profit_case(db):
    """The case of the module docstring; returns the customers by code."""
    from kept.catalog.actions import create_product
    from kept.customers.models import Customer
    from kept.value.models import ValueSettings

    ValueSettings.objects.update_or_create(pk=1, defaults=RATES)
    rice = create_product(
        {"sku": "RICE10", "name": "Rice 10 kg", "unit": "bag", "price": 50, "cost": 40}
    )
    whale = Customer.objects.create(code="W1", name="Golden Dragon")
    steady = Customer.objects.create(code="S1", name="Li family")
    destroyer = Customer.objects.create(code="D1", name="Demanding Ltd")
    kitchen = Customer.objects.create(code="KITCHEN", name="Kitchen", kind="internal")
    _deliver(_line(whale, rice, "10", number="O1", month=3, day=2), "10", month=3, day=3)
    _deliver(_line(whale, rice, "10", number="O2", month=3, day=10), "10", month=3, day=11)
    _deliver(_line(whale, rice, "10", number="O5", month=4, day=1), "10", month=4, day=2)
    split = _line(steady, rice, "4", number="O3", month=3, day=5)
    _deliver(split, "2", month=3, day=6, hour=9)
    _deliver(split, "2", month=3, day=6, hour=16)
    _deliver(_line(destroyer, rice, "6", number="O4", month=3, day=12), "6", month=3, day=13)
    _deliver(_line(kitchen, rice, "3", number="O6", month=3, day=12), "3", month=3, day=13)
    _service_desk(destroyer)
    _reminders_and_vip(destroyer)
    return {"W1": whale, "S1": steady, "D1": destroyer}


def _figures(row) -> tuple:
    pnl = row.pnl
    return tuple(
        value.quantize(CENT)
        for value in (
            pnl.revenue,
            pnl.cost_of_goods,
            pnl.gross_margin,
            pnl.cost_to_serve,
            pnl.profit,
        )
    )


def test_the_customer_pnl_of_the_period_is_worked_by_hand(profit_case):
    # given the case of the module docstring
    # when
    report = queries_profit.profit_report(*MARCH)

    # then the customers in order of profit, the department left out
    by_code = {row.customer.code: row for row in report.rows}
    assert [row.customer.code for row in report.rows] == ["W1", "S1", "D1"]
    assert _figures(by_code["W1"]) == (1000, 800, 200, 26, 174)
    assert _figures(by_code["S1"]) == (200, 160, 40, 13, 27)
    assert _figures(by_code["D1"]) == (300, 240, 60, 171, -111)


def test_the_destroyer_cost_drivers_are_each_activity_priced(profit_case):
    report = queries_profit.profit_report(*MARCH)

    destroyer = report.destroyers
    drivers = {key: value.quantize(CENT) for key, value in destroyer[0].pnl.drivers.items()}
    assert [row.customer.code for row in destroyer] == ["D1"]
    assert drivers == {
        "orders": 5,
        "deliveries": 8,
        "tickets": 45,
        "remedies": 50,
        "reminders": 3,
        "vip": 60,
    }
    assert [name for name, _amount in destroyer[0].drivers] == ["vip", "remedies", "tickets"]


def test_the_totals_add_up_the_customers(profit_case):
    report = queries_profit.profit_report(*MARCH)

    assert report.revenue == 1500
    assert report.gross_margin == 300
    assert report.cost_to_serve.quantize(CENT) == 210
    assert report.profit.quantize(CENT) == 90


def test_the_whale_curve_rises_above_the_total_and_falls_back_to_it(profit_case):
    report = queries_profit.profit_report(*MARCH)

    customers = [p.customers_share for p in report.whale]
    profit = [p.profit_share for p in report.whale]
    assert customers == pytest.approx([0, 1 / 3, 2 / 3, 1])
    assert profit == pytest.approx([0, 174 / 90, 201 / 90, 1])
    assert report.peak.customers_share == pytest.approx(2 / 3)
    drawn = chart.whale(report.whale)
    assert (drawn.peak.customers_percent, drawn.peak.profit_percent) == (67, 223)
    # the peak is drawn above the 100 % line, the end on it
    assert drawn.peak.y < drawn.reference_y
    assert drawn.points.split()[-1] == f"{float(drawn.right)},{drawn.reference_y}"


def test_a_period_with_nothing_done_has_no_rows_and_no_curve(profit_case):
    report = queries_profit.profit_report(date(2025, 1, 1), date(2025, 1, 31))

    assert report.rows == [] and report.whale == [] and report.peak is None
    assert report.profit == 0


# The chart's geometry (pure) ---------------------------------------------------------------


def test_a_long_curve_is_thinned_but_keeps_its_ends_and_its_peak():
    from kept.value.costs import WhalePoint

    # given 5,000 customers whose cumulative profit peaks at customer 3,001 (150 %)
    points = [WhalePoint(0.0, 0.0)] + [
        WhalePoint(n / 5000, (n if n <= 3001 else 6002 - n) / 2000.0) for n in range(1, 5001)
    ]

    drawn = chart.whale(points)

    xy = drawn.points.split()
    assert len(xy) <= chart.MOST_POINTS + 3
    assert xy[0] == f"{float(chart.LEFT)},{drawn.zero_y}"
    assert f"{drawn.peak.x},{drawn.peak.y}" in xy
    assert (drawn.peak.customers_percent, drawn.peak.profit_percent) == (60, 150)
    assert [step.customers_percent for step in chart.steps(points)] == list(range(10, 101, 10))


def test_when_everyone_loses_money_no_peak_is_marked():
    from kept.value.costs import WhalePoint

    points = [WhalePoint(0.0, 0.0), WhalePoint(0.5, -0.25), WhalePoint(1.0, -1.0)]

    drawn = chart.whale(points)

    assert drawn.peak is None
    assert drawn.y_ticks[0].label == "-100 %" and drawn.y_ticks[-1].label == "100 %"
    assert drawn.zero_y < drawn.baseline  # the zero line sits above the losses
