"""/api/v1/value: the P&L of a period, a customer's value, the lapsing list and the refit,
each pinned to figures worked by hand."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kept.value.models import CustomerValue, ValueRun, ValueSettings

URL = "/api/v1/value"
PRICE, COST = Decimal("1234.56"), Decimal("987.65")  # one unit sold: margin 246.91
PER_ORDER, PER_DELIVERY = Decimal("13.57"), Decimal("24.68")  # cost-to-serve 38.25
PROFIT = Decimal("208.66")
CLV = Decimal("43210.98")


def sell_one(customer, *, sku="GOLD", actor=None):
    """One unit of a product priced 1234.56 and costing 987.65, promised and delivered
    today: revenue 1234.56, cost of goods 987.65, one order and one drop."""
    from kept.catalog import actions as catalog
    from kept.catalog.models import Product
    from kept.fulfilment.actions import record_delivery
    from kept.promising.actions import promise_order
    from kept.promising.engine import LineInput

    product = Product.objects.filter(sku=sku).first() or catalog.create_product(
        {"sku": sku, "name": "Gold rice", "unit": "bag", "price": PRICE, "cost": COST}
    )
    catalog.record_movement(product, Decimal("1"), "opening")
    order, _evaluation = promise_order(
        customer, [LineInput(product, Decimal("1"), timezone.localdate())], actor=actor
    )
    record_delivery(order.lines.get(), Decimal("1"), actor=actor)
    return order


def set_rates() -> None:
    ValueSettings.objects.update_or_create(
        pk=1, defaults={"per_order": PER_ORDER, "per_delivery": PER_DELIVERY}
    )


def score(customer, **fields) -> CustomerValue:
    """A refit's result for the customer: CLV 43210.98, overdue since ten days ago."""
    today = timezone.localdate()
    run = ValueRun.objects.create(
        as_of=today - timedelta(days=1),
        status="done",
        finished_at=timezone.now(),
        fit={"horizon_months": 18},
    )
    values = {
        "run": run,
        "first_purchase": today - timedelta(days=400),
        "last_purchase": today - timedelta(days=100),
        "frequency": 4,
        "recency_weeks": 42.9,
        "age_weeks": 57.1,
        "average_spend": Decimal("321.00"),
        "p_alive": 0.87,
        "expected_purchases": 3.25,
        "expected_spend": Decimal("310.50"),
        "clv": CLV,
        "expected_next_purchase": today - timedelta(days=40),
        "overdue_on": today - timedelta(days=10),
        "recency_score": 4,
        "frequency_score": 5,
        "monetary_score": 3,
        "quadrant": "partners",
        **fields,
    }
    return CustomerValue.objects.create(customer=customer, **values)


@pytest.fixture
def customer(db, staff):
    from kept.customers.actions import create_customer

    found = create_customer({"code": "H1", "name": "王芳", "phone": "13800000001"}, actor=staff)
    found.owner = staff
    found.save(update_fields=["owner"])
    return found


def test_profit_of_the_period_per_customer_and_in_total(api_as, manager, customer):
    set_rates()
    sell_one(customer, actor=manager)

    body = api_as(manager).get(f"{URL}/profit").json()

    assert body["count"] == 1
    row = body["items"][0]
    assert row["code"] == "H1" and row["name"] == "王芳"
    assert row["revenue"] == "1234.56" and row["cost_of_goods"] == "987.65"
    assert row["gross_margin"] == "246.91" and row["cost_to_serve"] == "38.25"
    assert row["profit"] == str(PROFIT)
    assert row["drivers"]["orders"] == "13.57" and row["drivers"]["deliveries"] == "24.68"
    assert body["totals"]["profit"] == str(PROFIT)
    assert body["totals"]["drivers"]["deliveries"] == "24.68"
    assert body["end"] == timezone.localdate().isoformat()


def test_profit_pages_keep_the_totals_of_every_customer(api_as, manager, customer):
    from kept.customers.actions import create_customer

    other = create_customer({"code": "H2", "name": "李"}, actor=manager)
    sell_one(customer, actor=manager)
    sell_one(other, actor=manager)

    body = api_as(manager).get(f"{URL}/profit", {"limit": 1, "offset": 1}).json()

    assert body["count"] == 2 and len(body["items"]) == 1
    assert body["totals"]["revenue"] == "2469.12"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "2026-03-01", "end": "2026-02-01"}, "start"),
        ({"start": "2020-01-01", "end": "2024-01-01"}, "start"),
        ({"start": "0001-01-01", "end": "0001-12-31"}, "end"),
        ({"end": "9999-12-31"}, "end"),
    ],
)
def test_a_bad_or_too_long_period_is_422(api_as, manager, query, field):
    response = api_as(manager).get(f"{URL}/profit", query)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid" and field in response.json()["details"]


def test_a_customer_value_with_the_last_twelve_months(api_as, manager, customer):
    set_rates()
    sell_one(customer, actor=manager)
    score(customer)

    body = api_as(manager).get(f"{URL}/customers/H1").json()

    value = body["value"]
    assert value["clv"] == "43210.98" and value["horizon_months"] == 18
    assert value["p_alive"] == 0.87 and value["expected_purchases"] == 3.25
    assert value["rfm"] == {"recency": 4, "frequency": 5, "monetary": 3, "code": "453"}
    assert value["quadrant"]["key"] == "partners" and value["quadrant"]["name"] == "Partners"
    assert value["quadrant"]["strategy"].startswith("Keep and grow")
    assert value["refit_as_of"] == (timezone.localdate() - timedelta(days=1)).isoformat()
    assert body["pnl"]["profit"] == str(PROFIT)
    assert body["pnl"]["end"] == timezone.localdate().isoformat()
    assert date.fromisoformat(body["pnl"]["start"]) == timezone.localdate() - timedelta(days=364)


def test_a_renamed_quadrant_is_named_as_the_business_calls_it(api_as, manager, customer):
    from kept.value.models import QuadrantStrategy

    QuadrantStrategy.objects.create(key="partners", name="老朋友", strategy="每周拜访")
    score(customer)

    quadrant = api_as(manager).get(f"{URL}/customers/H1").json()["value"]["quadrant"]

    assert quadrant == {"key": "partners", "name": "老朋友", "strategy": "每周拜访"}


def test_before_a_refit_the_value_is_null_and_the_pnl_zero(api_as, manager, customer):
    body = api_as(manager).get(f"{URL}/customers/H1").json()

    assert body["value"] is None
    assert body["pnl"]["revenue"] == "0.00" and body["pnl"]["profit"] == "0.00"


def test_an_unknown_customer_is_404(api_as, manager, db):
    response = api_as(manager).get(f"{URL}/customers/NOPE")

    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_lapsing_lists_overdue_customers_without_money(api_as, staff, customer):
    score(customer)

    body = api_as(staff).get(f"{URL}/lapsing").json()

    assert body["count"] == 1
    row = body["items"][0]
    assert row["code"] == "H1" and row["owner"] == staff.get_username()
    assert row["days_overdue"] == 10 and row["purchases"] == 5 and row["p_alive"] == 0.87
    assert row["phone"] == "13800000001"
    money = {"clv", "expected_spend", "average_spend", "revenue", "profit", "cost_to_serve"}
    assert money.isdisjoint(row)


def test_lapsing_for_me_all_or_one_owner(api_as, make_user, staff, customer):
    score(customer)
    other = make_user("staff")
    client = api_as(other)

    mine = client.get(f"{URL}/lapsing", {"owner": "me"}).json()
    everyone = client.get(f"{URL}/lapsing", {"owner": "all"}).json()
    theirs = client.get(f"{URL}/lapsing", {"owner": str(staff.pk)}).json()
    wrong = client.get(f"{URL}/lapsing", {"owner": "someone"})

    assert mine["count"] == 0 and everyone["count"] == 1 and theirs["count"] == 1
    assert wrong.status_code == 422 and wrong.json()["code"] == "invalid"


def test_lapsing_leaves_out_the_not_yet_overdue_and_the_churned(api_as, staff, customer):
    from kept.customers.actions import create_customer

    score(customer, overdue_on=timezone.localdate() + timedelta(days=3))
    gone = create_customer({"code": "H2", "name": "走了"}, actor=staff)
    score(gone, p_alive=0.05)

    assert api_as(staff).get(f"{URL}/lapsing").json()["count"] == 0


def test_refit_is_queued_and_answers_the_run(
    api_as, manager, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        response = api_as(manager).post(f"{URL}/refit")

    assert response.status_code == 202
    body = response.json()
    run = ValueRun.objects.get(pk=body["run"])
    assert body["status"] == "queued" and run.requested_by == manager
    assert body["as_of"] == (timezone.localdate() - timedelta(days=1)).isoformat()


def test_refit_twice_answers_the_run_already_waiting(api_as, manager, db):
    client = api_as(manager)

    first = client.post(f"{URL}/refit").json()
    second = client.post(f"{URL}/refit").json()

    assert first["run"] == second["run"]


@pytest.mark.parametrize("role", ["staff", "warehouse", "viewer"])
def test_money_is_for_managers_only(api_as, make_user, customer, role):
    client = api_as(make_user(role))

    for response in (
        client.get(f"{URL}/profit"),
        client.get(f"{URL}/customers/H1"),
        client.post(f"{URL}/refit"),
    ):
        assert response.status_code == 403 and response.json()["code"] == "forbidden"
