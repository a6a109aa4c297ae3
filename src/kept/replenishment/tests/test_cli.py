"""kept plan and kept backtest replenishment."""

import json

import pytest

from kept.cli import main

pytestmark = pytest.mark.django_db


def _run(capsys, *args):
    with pytest.raises(SystemExit) as done:
        main(list(args))
    return done.value.code, capsys.readouterr()


def test_plan_json_and_csv(capsys, fill, jar, today):
    for n in range(8, 0, -1):
        fill(jar, n * 10, 10)
    code, out = _run(capsys, "plan", "--date", today.isoformat())
    body = json.loads(out.out)
    assert code == 0 and [p["subscription"] for p in body["proposals"]] == [jar.pk]
    code, out = _run(capsys, "plan", "--format", "csv")
    lines = out.out.splitlines()
    assert lines[0].startswith("subscription,customer,") and len(lines) == 2
    code, out = _run(capsys, "plan", "--date", "2026-02-30")
    assert code == 2 and "YYYY-MM-DD" in out.err


def test_backtest_replays_two_folds_and_reports_the_baselines(capsys, fill, make_product, today):
    from kept.customers.models import Customer
    from kept.replenishment.actions import save_subscription

    rice = make_product("RICE-5", on_hand="0")
    for n in range(6):
        household = Customer.objects.create(code=f"H{n}", name=f"H{n}")
        jar = save_subscription(household, {"product": rice, "capacity": 15, "people": 2 + n % 3})
        for k in range(10, 0, -1):
            fill(jar, k * (8 + n), 10)
    code, out = _run(capsys, "backtest", "replenishment")
    body = json.loads(out.out)
    assert code == 0 and body["subscriptions"] == 6 and body["predictions"] > 30
    assert set(body["baselines"]) == {"mean_interval", "last_interval"}
    assert [m["risk"] for m in body["model"]] == [0.05, 0.1, 0.2, 0.3]
    for name, baseline in body["baselines"].items():
        matched = body["model_at_equal_waste"][name]
        assert matched["cover_left_days"] <= baseline["cover_left_days"] + 0.05
    code, out = _run(capsys, "backtest", "replenishment", "--format", "csv")
    assert out.out.splitlines()[0].startswith("method,risk,anticipation")
