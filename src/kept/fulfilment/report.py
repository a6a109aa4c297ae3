"""The service-level report as JSON or CSV (the CLI's ``kept report service-level``)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from kept.fulfilment import metrics

COLUMNS = [
    "key",
    "orders",
    "lines",
    "pending_lines",
    "perfect_order_rate",
    "otif",
    "on_time",
    "in_full",
    "quality",
    "unit_fill_rate",
    "line_fill_rate",
    "order_fill_rate",
]


def as_dict(row: metrics.Row) -> dict:
    return {
        "key": row.key,
        "orders": row.orders,
        "lines": row.lines,
        "pending_lines": row.pending_lines,
        **row.rates(),
    }


def service_level_report(
    start: date, end: date, *, by: str, against: str, today: date, fmt: str = "json"
) -> str:
    rows, total = metrics.service_level(start, end, by=by, against=against, today=today)
    if fmt == "json":
        body = {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "by": by,
            "against": against,
            "groups": [as_dict(r) for r in rows],
            "total": as_dict(total),
        }
        return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
    if fmt != "csv":
        raise ValueError(f"unknown format {fmt!r}")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in [*rows, total]:
        writer.writerow({k: ("" if v is None else v) for k, v in as_dict(row).items()})
    return out.getvalue()
