"""The stock targets report, its page and GET /api/v1/stock/targets, on a hand-built history."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kept.catalog.choices import ReceiptStatus
from kept.catalog.safety_stock import Verdict
from kept.catalog.stock_targets import (
    TargetSettings,
    daily_demand,
    stock_target_rows,
    target_products,
)

END = date(2026, 3, 10)
WINDOW = TargetSettings(window_days=5, review_days=1, end=END)  # 6 to 10 March

# Demand on 6…10 March: 4, 2 + 4, none, 5, 5 → [4, 6, 0, 5, 5]
# mean = 20 / 5 = 4; deviations 0, 2, −4, 1, 1; squares sum to 22; σ = √(22 / 4) = 2.345208
# L = 3, R = 1: μ_LR = 4 · 4 = 16; σ_LR = 2.345208 · √4 = 4.690416
# α = 95 %: ss = 1.644854 · 4.690416 = 7.715049; S = 16 + 7.715049 = 23.715049
# s = 4 · 3 + 7.715049 = 19.715049
SIGMA = math.sqrt(22 / 4)
SAFETY_STOCK = 1.6448536269514722 * SIGMA * 2
HISTORY = [
    (date(2026, 3, 6), "4"),
    (date(2026, 3, 7), "2"),
    (date(2026, 3, 7), "4"),
    (date(2026, 3, 9), "5"),
    (date(2026, 3, 10), "5"),
]
NOT_DEMAND = [
    (date(2026, 3, 8), "100", "cancelled"),  # cancelled lines are no demand
    (date(2026, 3, 5), "50", "promised"),  # before the window
    (date(2026, 3, 11), "50", "promised"),  # after it
]


@pytest.fixture
def customer(db):
    from kept.customers.actions import create_customer

    return create_customer({"code": "C-ST", "name": "Stock target customer"})


@pytest.fixture
def order_lines(customer):
    """order_lines(product, [(date, quantity[, status])]) → the lines, in one new order."""
    from kept.promising.models import Order, OrderLine

    counter = {"n": 0}

    def make(product, lines):
        counter["n"] += 1
        order = Order.objects.create(
            number=f"ST-{counter['n']}", customer=customer, decision="commit"
        )
        return [
            OrderLine.objects.create(
                order=order,
                number=number,
                product=product,
                requested_quantity=Decimal(quantity),
                requested_date=day,
                unit_price=product.price,
                unit_cost=product.cost,
                decision="commit",
                status=status[0] if status else "promised",
            )
            for number, (day, quantity, *status) in enumerate(lines, start=1)
        ]

    return make


@pytest.fixture
def commit(order_lines):
    """commit(product, quantity, to_procure=False, is_open=True): a commitment on a new line."""
    from kept.promising.models import Commitment, PromiseVersion

    def make(product, quantity: str, *, to_procure=False, is_open=True):
        line = order_lines(product, [(END + timedelta(days=30), quantity)])[0]
        version = PromiseVersion.objects.create(
            line=line,
            number=1,
            kind="initial",
            quantity=line.requested_quantity,
            date=END,
            parts=[],
        )
        return Commitment.objects.create(
            line=line,
            version=version,
            product=product,
            date=END + timedelta(days=30),
            quantity=Decimal(quantity),
            to_procure=to_procure,
            is_open=is_open,
        )

    return make


@pytest.fixture
def flour(make_product, make_receipt, order_lines, commit):
    """Known demand (above), L = 3, 30 on hand, 10 incoming, 5 committed from stock."""
    from kept.catalog import actions

    product = make_product("FLOUR", on_hand="30", replenishment_lead_days=3)
    make_receipt(product, "10")
    actions.cancel_receipt(make_receipt(product, "50"), reason="not coming")
    order_lines(product, HISTORY + NOT_DEMAND)
    commit(product, "5")
    commit(product, "7", to_procure=True)  # will be bought for the customer: not from stock
    commit(product, "9", is_open=False)  # delivered or cancelled
    return product


def _row(product, settings=WINDOW):
    return stock_target_rows(list(target_products().filter(pk=product.pk)), settings)[0]


# The report ---------------------------------------------------------------------------------


def test_daily_demand_sums_per_day_and_counts_empty_days_as_zero(flour):
    demand = daily_demand([flour.pk], date(2026, 3, 6), END)

    assert demand.tolist() == [[4, 6, 0, 5, 5]]


def test_report_for_a_known_history(flour):
    row = _row(flour)

    assert row.mean_daily_demand == pytest.approx(4)
    assert row.std_dev_daily_demand == pytest.approx(SIGMA)  # 2.345208
    assert (row.lead_days, row.review_days, row.lead_days_missing) == (3, 1, False)
    assert row.safety_stock == Decimal("7.715")
    assert row.needed == Decimal("23.715")  # S = 16 + 7.715
    assert row.reorder_point == Decimal("19.715")  # s = 12 + 7.715
    assert (row.on_hand, row.incoming, row.committed) == (Decimal(30), Decimal(10), Decimal(5))
    assert row.position == Decimal(35)  # 30 + 10 − 5


def test_over_serving_is_costed_per_year(flour):
    row = _row(flour)

    # excess = 35 − 23.715049 = 11.284951; × cost 7.25 × 25 % a year = 20.45
    assert row.verdict == Verdict.OVER_SERVING
    assert row.excess == Decimal("11.285")
    assert row.excess_holding_cost == Decimal("20.45")
    assert row.shortfall == 0


def test_short_when_position_is_below_the_reorder_point(flour, commit):
    commit(flour, "20")  # position 35 − 20 = 15 < s = 19.715

    row = _row(flour)

    assert row.verdict == Verdict.SHORT
    assert row.shortfall == Decimal("8.715")  # 23.715 − 15: the order that meets the target
    assert row.excess_holding_cost == 0


def test_on_target_between_reorder_point_and_order_up_to(flour, commit):
    commit(flour, "13")  # position 22, between s = 19.7 and S = 23.7

    assert _row(flour).verdict == Verdict.ON_TARGET


def test_fill_rate_target(flour):
    # Q = 7 days · 4 = 28; G(k) = (1 − 0.98) · 28 / 4.690416 = 0.119392
    # G(0.80) = 0.289692 − 0.80 · 0.211855 = 0.120207; G(0.81) = 0.287369 − 0.81 · 0.208970
    # = 0.118103; interpolated k = 0.80 + 0.01 · 0.000815 / 0.002104 = 0.80387
    # ss = 0.80387 · 4.690416 = 3.770
    row = _row(flour, TargetSettings(window_days=5, review_days=1, end=END, fill_rate=0.98))

    assert row.target_kind == "fill_rate" and row.target_level == Decimal("98.00")
    assert row.order_quantity == Decimal("28.000")
    assert float(row.safety_stock) == pytest.approx(3.770, abs=1e-3)


def test_levels_table(flour):
    levels = _row(flour).levels

    assert [level.level for level in levels] == [
        Decimal("90.00"),
        Decimal("95.00"),
        Decimal("98.00"),
        Decimal("99.00"),
        Decimal("99.50"),
    ]
    # 99 %: z = 2.326348 · 4.690416 = 10.912; costs 10.912 · 7.25 · 25 % = 19.78 a year
    assert levels[3].cycle_service_safety_stock == Decimal("10.912")
    assert levels[3].holding_cost == Decimal("19.78")
    assert levels[1].cycle_service_safety_stock == Decimal("7.715")


def test_missing_lead_time_counts_as_zero_and_no_demand_is_all_excess(make_product):
    idle = make_product("IDLE", on_hand="12", replenishment_lead_days=None)

    row = _row(idle)

    assert (row.lead_days, row.lead_days_missing) == (0, True)
    assert row.needed == 0
    assert row.verdict == Verdict.OVER_SERVING
    assert row.excess == Decimal(12)
    assert row.excess_holding_cost == Decimal("21.75")  # 12 · 7.25 · 25 %


def test_window_ends_yesterday_by_default():
    settings = TargetSettings()

    assert settings.last_day == timezone.localdate() - timedelta(days=1)
    assert (settings.last_day - settings.first_day).days == 89


@pytest.mark.parametrize(
    "values",
    [
        {"cycle_service_level": 1},
        {"fill_rate": 0},
        {"window_days": 1},
        {"review_days": -1},
        {"order_days": 0},
        {"holding_rate_per_year": -0.1},
    ],
)
def test_settings_refuse_nonsense(values):
    with pytest.raises(ValueError):
        TargetSettings(**values)


def test_report_reads_in_two_queries(make_product, order_lines, django_assert_num_queries):
    products = [make_product(on_hand="5") for _ in range(20)]
    for product in products:
        order_lines(product, HISTORY)

    with django_assert_num_queries(2):  # the products with their stock, the demand
        rows = stock_target_rows(list(target_products()), WINDOW)

    assert len(rows) == 20


# The page -----------------------------------------------------------------------------------


def _recent(product, order_lines):
    yesterday = timezone.localdate() - timedelta(days=1)
    order_lines(product, [(yesterday - timedelta(days=n), q) for n, q in ((0, "4"), (1, "6"))])


def test_page_shows_needed_stock_verdict_and_cost_to_a_manager(client_as, manager, flour):
    response = client_as(manager).get(
        reverse("catalog:stock-targets"), {"window_days": 5, "review_days": 1}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-sku="FLOUR" data-verdict="over_serving"' in html
    assert "Over-serving" in html
    report = html.split('id="targets"')[1]
    assert "<svg" in report and "<script" not in report  # a drawing, not a library
    assert "costs" in html and "a year" in html
    assert 'name="holding_rate"' in html


def test_page_hides_cost_from_the_warehouse(client_as, warehouse, make_product):
    make_product("IDLE", on_hand="12")

    html = client_as(warehouse).get(reverse("catalog:stock-targets")).content.decode()

    assert 'data-sku="IDLE" data-verdict="over_serving"' in html
    assert "21.75" not in html and "a year" not in html
    assert 'name="holding_rate"' not in html


def test_page_numbers_follow_the_query(client_as, manager, make_product, order_lines):
    product = make_product("OIL", replenishment_lead_days=2)
    _recent(product, order_lines)  # 4 and 6 on the last two days: mean 5, σ = √2
    client = client_as(manager)
    url = reverse("catalog:stock-targets")

    # L + R = 2 + 0: μ_LR = 10; σ_LR = √2 · √2 = 2; S = 10 + 2 · z
    at_90 = client.get(url, {"window_days": 2, "review_days": 0, "cycle_service_level": 90})
    at_99 = client.get(url, {"window_days": 2, "review_days": 0, "cycle_service_level": 99})

    assert "<strong>12.563</strong>" in at_90.content.decode()  # 10 + 2 · 1.281552
    assert "<strong>14.653</strong>" in at_99.content.decode()  # 10 + 2 · 2.326348
    assert "Target: cycle service level 99 %" in at_99.content.decode()


def test_page_shows_errors_and_keeps_defaults(client_as, manager, make_product):
    make_product("IDLE", on_hand="1")

    response = client_as(manager).get(
        reverse("catalog:stock-targets"), {"cycle_service_level": "100", "window_days": "x"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Target: cycle service level 95 %" in html
    assert "errorlist" in html


@pytest.mark.parametrize("role", ["staff", "viewer"])
def test_page_is_for_managers_and_warehouse(client_as, make_user, role):
    response = client_as(make_user(role)).get(reverse("catalog:stock-targets"))

    assert response.status_code == 403


def test_page_has_no_n_plus_one(client_as, manager, make_product, django_assert_max_num_queries):
    for _ in range(60):
        make_product(on_hand="5")
    client = client_as(manager)
    client.get(reverse("catalog:stock-targets"))  # warm the session and permission caches

    with django_assert_max_num_queries(8):
        html = client.get(reverse("catalog:stock-targets")).content.decode()

    assert html.count("data-verdict=") == 50


# The API ------------------------------------------------------------------------------------


def test_api_rows_for_a_manager(api_as, manager, make_product, order_lines):
    product = make_product("OIL", on_hand="20", replenishment_lead_days=2)
    _recent(product, order_lines)

    response = api_as(manager).get(
        "/api/v1/stock/targets", {"window_days": 2, "review_days": 0, "q": "OIL"}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 1
    assert body["last_day"] == (timezone.localdate() - timedelta(days=1)).isoformat()
    item = body["items"][0]
    assert item["sku"] == "OIL"
    assert item["mean_daily_demand"] == "5.000"
    assert item["std_dev_daily_demand"] == "1.414"
    assert item["target_kind"] == "cycle_service" and item["target_level"] == "95.00"
    assert item["needed"] == "13.290"  # 10 + 2 · 1.644854
    assert item["position"] == "20.000"
    assert item["verdict"] == "over_serving"
    assert item["excess"] == "6.710"
    assert item["excess_holding_cost"] == "12.16"  # 6.710 · 7.25 · 25 %
    assert [level["level"] for level in item["levels"]] == [
        "90.00",
        "95.00",
        "98.00",
        "99.00",
        "99.50",
    ]
    assert "holding_cost" in item["levels"][0]


def test_api_hides_money_from_the_warehouse(api_as, warehouse, make_product):
    make_product("IDLE", on_hand="12")

    item = api_as(warehouse).get("/api/v1/stock/targets").json()["items"][0]

    assert item["verdict"] == "over_serving"
    assert "excess_holding_cost" not in item
    assert all("holding_cost" not in level for level in item["levels"])


def test_api_fill_rate_target(api_as, manager, make_product, order_lines):
    product = make_product("OIL", replenishment_lead_days=2)
    _recent(product, order_lines)

    item = (
        api_as(manager)
        .get("/api/v1/stock/targets", {"window_days": 2, "review_days": 0, "fill_rate": "99"})
        .json()["items"][0]
    )

    # Q = 7 · 5 = 35; G(k) = 0.01 · 35 / 2 = 0.175; G(0.57) = 0.177051, G(0.58) = 0.174225
    # k = 0.57 + 0.01 · 0.002051 / 0.002826 = 0.57726; S = 10 + 2 · 0.57726 = 11.155
    assert item["target_kind"] == "fill_rate" and item["target_level"] == "99.00"
    assert item["order_quantity"] == "35.000"
    assert float(item["needed"]) == pytest.approx(11.155, abs=1e-3)
    assert item["verdict"] == "short"


@pytest.mark.parametrize(
    "query",
    [{"cycle_service_level": "100"}, {"fill_rate": "10"}, {"window_days": 1}, {"limit": 0}],
)
def test_api_refuses_bad_queries(api_as, manager, query):
    response = api_as(manager).get("/api/v1/stock/targets", query)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_api_is_forbidden_to_staff(api_as, staff):
    response = api_as(staff).get("/api/v1/stock/targets")

    assert response.status_code == 403


def test_cancelled_receipts_are_not_pipeline(flour):
    from kept.catalog.models import Receipt

    assert Receipt.objects.filter(product=flour, status=ReceiptStatus.CANCELLED).exists()
    assert _row(flour).incoming == Decimal(10)
