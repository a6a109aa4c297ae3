"""``kept plan`` and ``kept backtest replenishment``: the plan of a day and the backtest over
the database's history, as JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from datetime import date

import numpy as np

from kept.replenishment import backtest, history, queries

PLAN_COLUMNS = [
    "subscription",
    "customer",
    "customer_name",
    "region",
    "route",
    "window",
    "sku",
    "plan_date",
    "delivery_date",
    "quantity",
    "level_today",
    "expected_runout",
    "risk_date",
]
RISKS = (0.05, 0.1, 0.2, 0.3)


def proposed_row(proposed) -> dict:
    """One proposal of the plan as the API and the CLI give it (dates as dates)."""
    subscription, customer = proposed.subscription, proposed.customer
    return {
        "subscription": subscription.pk,
        "customer": customer.code,
        "customer_name": customer.name,
        "region": customer.region.name if customer.region_id else "",
        "route": customer.route,
        "window": subscription.window,
        "sku": subscription.product.sku,
        "plan_date": proposed.plan_date,
        "delivery_date": proposed.delivery_date,
        "quantity": proposed.quantity,
        "level_today": round(proposed.level_today, 3),
        "expected_runout": proposed.expected_runout,
        "risk_date": proposed.risk_date,
    }


def plan_rows(day: date) -> list[dict]:
    """The plan's rows for a file: dates in ISO format (blank when none), quantities to 3
    places."""
    rows = []
    for proposed in queries.todays_plan(day):
        row = proposed_row(proposed)
        for name, value in row.items():
            if name.endswith(("_date", "_runout")):
                row[name] = value.isoformat() if value else ""
        row["quantity"] = round(row["quantity"], 3)
        rows.append(row)
    return rows


def plan_report(day: date, fmt: str = "json") -> str:
    rows = plan_rows(day)
    if fmt == "json":
        return (
            json.dumps({"date": day.isoformat(), "proposals": rows}, ensure_ascii=False, indent=2)
            + "\n"
        )
    if fmt != "csv":
        raise ValueError(f"unknown format {fmt!r}")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=PLAN_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _concat(replays: list[backtest.Replay]) -> backtest.Replay:
    """Several replays as one (to score them together)."""
    from kept.replenishment.forecast import RateBelief

    def join(name):
        return np.concatenate([getattr(r, name) for r in replays])

    belief = RateBelief(
        *(
            np.concatenate([np.asarray(getattr(r.belief, part)) for r in replays])
            for part in ("shape", "rate", "dispersion")
        )
    )
    return backtest.Replay(
        join("start_day"),
        join("level"),
        join("actual"),
        join("run_out_seen"),
        belief,
        join("by_mean_interval"),
        join("by_last_interval"),
        sum(r.subscriptions for r in replays),
    )


def _prior(subscriptions: list[backtest.ReplaySubscription]):
    intervals = [history.intervals(s.events, s.capacity, s.fill_policy) for s in subscriptions]
    people = np.array([s.people for s in subscriptions], dtype=float)
    capacity = np.array([s.capacity for s in subscriptions], dtype=float)
    return queries.prior_of(history.Exposure.of(intervals), people, capacity)


def replay_book(today: date) -> backtest.Replay | None:
    """Every subscription's history replayed. Two folds per product: each half is replayed
    from the prior fitted on the other half, so no replay sees its own future."""
    rows, events = queries.rows_and_events(today)
    by_product: dict[int, list] = {}
    for pk, product, capacity, people, policy, _fixed in rows:
        by_product.setdefault(product, []).append(
            backtest.ReplaySubscription(
                events[pk],
                float(capacity),
                float(people),
                queries.policy_of(policy),
                step=queries.UNIT_OF_SALE,
            )
        )
    replays = []
    for subscriptions in by_product.values():
        folds = [subscriptions[0::2], subscriptions[1::2]]
        for mine, other in (folds, folds[::-1]):
            if not mine or not other:
                continue
            try:
                replays.append(backtest.replay(mine, _prior(other)))
            except ValueError:  # no fill with a fill before and after it
                continue
    return _concat(replays) if replays else None


def at_equal_waste(replayed: backtest.Replay, waste: float) -> backtest.BacktestReport:
    """The model at the risk whose days of cover left equal ``waste`` (a baseline's): a
    lower risk delivers earlier, so cover left falls as the risk rises (bisection). When even
    a risk of 0.1 % wastes less than ``waste``, that lowest risk."""
    low, high = 0.001, 0.999
    for _ in range(40):
        middle = (low + high) / 2
        if backtest.score(replayed, middle).model.cover_left_days > waste:
            low = middle
        else:
            high = middle
    return backtest.score(replayed, high)


def backtest_report(today: date, risks=RISKS, fmt: str = "json") -> str:
    replayed = replay_book(today)
    reports = [backtest.score(replayed, risk) for risk in risks] if replayed else []
    equal = {}
    for name in ("mean_interval", "last_interval") if reports else ():
        baseline = getattr(reports[0], name)
        matched = at_equal_waste(replayed, baseline.cover_left_days)
        equal[name] = {"risk": round(matched.risk, 4), **asdict(matched.model)}
    body = {
        "date": today.isoformat(),
        "subscriptions": replayed.subscriptions if replayed else 0,
        "predictions": reports[0].predictions if reports else 0,
        "run_outs_seen": reports[0].run_outs_seen if reports else 0,
        "baselines": {
            name: asdict(getattr(reports[0], name)) for name in ("mean_interval", "last_interval")
        }
        if reports
        else {},
        "model": [{"risk": r.risk, **asdict(r.model)} for r in reports],
        # the model at the waste of each baseline: does it meet more run-outs?
        "model_at_equal_waste": equal,
    }
    if fmt == "json":
        return json.dumps(body, indent=2) + "\n"
    if fmt != "csv":
        raise ValueError(f"unknown format {fmt!r}")
    out = io.StringIO()
    fields = [
        "method",
        "risk",
        "anticipation",
        "cover_left_days",
        "interval_mae_days",
        "interval_bias_days",
    ]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in body["model"]:
        writer.writerow(row)
    for name, row in body["model_at_equal_waste"].items():
        writer.writerow({**row, "method": f"model at the waste of {name}"})
    for name, row in body["baselines"].items():
        writer.writerow({**row, "method": name, "risk": ""})
    return out.getvalue()
