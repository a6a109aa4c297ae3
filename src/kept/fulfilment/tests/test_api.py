"""/api/v1/deliveries and /api/v1/service-level."""

from datetime import timedelta
from decimal import Decimal

import pytest

from kept.catalog.models import StockLevel
from kept.promising.models import Commitment

pytestmark = pytest.mark.django_db


@pytest.fixture
def promised(make_product, customer, line):
    from kept.promising import actions

    rice = make_product("RICE", on_hand="50")
    order, _ = actions.promise_order(customer, [line(rice, "10", 1), line(rice, "4", 2)])
    return order


def test_record_a_partial_delivery_then_the_rest(api, promised):
    api = api("warehouse")
    reference = f"{promised.number}/1"
    first = api.post("/api/v1/deliveries", {"line": reference, "quantity": "6"})
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["line"] == reference and body["quantity"] == "6.000" and body["quality_ok"]
    stock = StockLevel.objects.get(product__sku="RICE")
    assert stock.on_hand == Decimal(44)  # the goods left the warehouse
    open_held = sum(
        c.quantity
        for c in Commitment.objects.filter(line__order=promised, line__number=1, is_open=True)
    )
    assert open_held == Decimal(4)  # only what is still to come stays committed
    rest = api.post(
        "/api/v1/deliveries",
        {"line": reference, "quantity": "4", "quality_ok": False, "defect": "damaged"},
    )
    assert rest.status_code == 201 and rest.json()["defect"] == "damaged"
    listed = api.get(f"/api/v1/deliveries?order={promised.number}").json()
    assert listed["count"] == 2


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"quantity": "11"}, "quantity"),  # more than promised
        ({"quantity": "-1"}, "quantity"),
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "1", "quality_ok": False}, "defect"),  # not OK needs a reason
        ({"quantity": "1", "defect": "damaged"}, "defect"),  # OK cannot have a defect
        ({"quantity": "1", "delivered_at": "2099-01-01T10:00:00Z"}, "delivered_at"),
    ],
)
def test_bad_deliveries_are_refused_with_the_field(api, promised, payload, field):
    response = api("warehouse").post(
        "/api/v1/deliveries", {"line": f"{promised.number}/1", **payload}
    )
    assert response.status_code == 422, response.content
    assert field in str(response.json()["details"])
    assert StockLevel.objects.get(product__sku="RICE").on_hand == Decimal(50)  # nothing written


def test_over_delivery_across_two_deliveries(api, promised):
    api = api("warehouse")
    assert (
        api.post(
            "/api/v1/deliveries", {"line": f"{promised.number}/2", "quantity": "3"}
        ).status_code
        == 201
    )
    second = api.post("/api/v1/deliveries", {"line": f"{promised.number}/2", "quantity": "2"})
    assert second.status_code == 422 and "1.000" in second.json()["message"]


def test_cancelled_and_unknown_lines(api, promised):
    from kept.promising.actions import cancel_order

    cancel_order(promised, by="customer")
    api = api("warehouse")
    cancelled = api.post("/api/v1/deliveries", {"line": f"{promised.number}/1", "quantity": "1"})
    assert cancelled.status_code == 422 and "cancelled" in cancelled.json()["message"]
    unknown = api.post("/api/v1/deliveries", {"line": "SO-999999/1", "quantity": "1"})
    assert unknown.status_code == 422


def test_staff_cannot_record_deliveries(api, promised):
    response = api("staff").post(
        "/api/v1/deliveries", {"line": f"{promised.number}/1", "quantity": "1"}
    )
    assert response.status_code == 403


def test_service_level_shape(api, promised, today):
    from django.utils import timezone

    from kept.fulfilment.actions import record_delivery

    first = promised.lines.get(number=1)
    record_delivery(first, Decimal(10), delivered_at=timezone.now())  # a day early
    start, end = today - timedelta(days=5), today + timedelta(days=5)
    response = api("viewer").get(
        f"/api/v1/service-level?from={start}&to={end}&by=day&against=promise"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["from"] == str(start) and body["by"] == "day" and body["against"] == "promise"
    total = body["total"]
    assert total["lines"] == 1 and total["pending_lines"] == 1  # line 2 is still due
    assert total["on_time"] == 0.0 and total["in_full"] == 1.0  # early: in full, not on time
    assert set(total) >= {
        "key",
        "orders",
        "lines",
        "perfect_order_rate",
        "otif",
        "on_time",
        "in_full",
        "quality",
        "unit_fill_rate",
        "line_fill_rate",
        "order_fill_rate",
    }
    failures = api("viewer").get(f"/api/v1/service-level/failures?from={start}&to={end}")
    assert failures.json()[0]["failed"] == ["on_time"]


def test_service_level_refuses_a_reversed_period(api):
    response = api("viewer").get("/api/v1/service-level?from=2026-05-01&to=2026-04-01")
    assert response.status_code == 422


def test_cli_report_json_and_csv(promised, today, capsys):
    import json

    from kept.cli import main

    start, end = today - timedelta(days=5), today + timedelta(days=5)
    args = ["report", "service-level", "--from", str(start), "--to", str(end), "--by", "day"]
    with pytest.raises(SystemExit) as done:
        main([*args, "--format", "json"])
    assert done.value.code == 0
    body = json.loads(capsys.readouterr().out)
    assert body["against"] == "promise" and body["total"]["pending_lines"] == 2
    with pytest.raises(SystemExit):
        main([*args, "--against", "request", "--format", "csv"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("key,orders,lines,pending_lines,perfect_order_rate")
    assert lines[-1].startswith("total,0,0,2")


def test_cli_report_refuses_bad_dates(capsys):
    from kept.cli import main

    with pytest.raises(SystemExit) as done:
        main(["report", "service-level", "--from", "2026-13-01"])
    assert done.value.code == 2 and "YYYY-MM-DD" in capsys.readouterr().err


def test_cli_rescore_clears_the_queue_and_scores_everything_again(promised, capsys):
    from kept.cli import main
    from kept.fulfilment.models import ScoredLine, ScoreQueue

    assert ScoreQueue.objects.exists()  # the promises marked their orders
    with pytest.raises(SystemExit) as done:
        main(["rescore"])
    assert done.value.code == 0 and "queued order changes" in capsys.readouterr().out
    assert not ScoreQueue.objects.exists()
    scored = ScoredLine.objects.count()
    ScoredLine.objects.all().delete()
    with pytest.raises(SystemExit):
        main(["rescore", "--all"])
    assert "every line" in capsys.readouterr().out
    assert ScoredLine.objects.count() == scored > 0
