"""Service-level metrics in SQL (SPEC 2.4): the rules of ``scoring`` over every line at
once, grouped in the database. No per-row Python: the answer is one row per group.

One statement per report. Its steps (common table expressions):

``lines``     the lines in scope with their target (governing promise or request), the
              tolerances of the customer's group, and the group key;
``running``   their deliveries with the running total per line, in time order;
``per_line``  per line: the day the running total reached the required quantity, the
              quantity delivered by the window's end and inside it, any quality failure;
``flags``     pending / on time / in full / quality / filled / fill units per line;
``orders``    per (key, order) and per order overall: pending, perfect, filled.

Dates are compared as day numbers (days since 2000-01-01), which both PostgreSQL and
SQLite compute exactly. Table and column names come from the models; every value is a
parameter; the grouping expression is chosen from a fixed table, never from user input.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection

from kept.fulfilment import scoring
from kept.fulfilment.choices import Against, GroupBy
from kept.fulfilment.scoring import PROMISE

EPOCH = date(2000, 1, 1)
SHORT_EPSILON = "0.0000001"  # quantities have 3 places; SQLite compares floats

_DAYNUM = {
    "postgresql": "({0} - DATE '2000-01-01')",
    "sqlite": "CAST(julianday({0}) - 2451544.5 AS INTEGER)",
}
_PERIOD = {
    "postgresql": {
        GroupBy.DAY: "to_char({0}, 'YYYY-MM-DD')",
        GroupBy.WEEK: "to_char(date_trunc('week', {0}), 'YYYY-MM-DD')",
        GroupBy.MONTH: "to_char({0}, 'YYYY-MM')",
    },
    "sqlite": {
        GroupBy.DAY: "date({0})",
        # the Monday of the week: %w is 0 on Sunday
        GroupBy.WEEK: "date({0}, '-' || ((CAST(strftime('%%w', {0}) AS INTEGER) + 6) %% 7)"
        " || ' days')",
        GroupBy.MONTH: "strftime('%%Y-%%m', {0})",
    },
}
_KEYS = {
    GroupBy.CUSTOMER: "c.code",
    GroupBy.GROUP: "COALESCE(g.name, '')",
    GroupBy.PRODUCT: "p.sku",
    GroupBy.REGION: "COALESCE(r.name, '')",
    GroupBy.OWNER: "COALESCE(u.username, '')",
}
TOTAL = "total"


@dataclass(frozen=True)
class Row:
    key: str
    orders: int
    lines: int
    pending_lines: int
    perfect_orders: int
    filled_orders: int
    otif_lines: int
    on_time_lines: int
    in_full_lines: int
    quality_lines: int
    filled_lines: int
    fill_units: Decimal
    target_units: Decimal

    def rates(self) -> dict[str, float | None]:
        return scoring.rates(self)


EMPTY = Row(TOTAL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Decimal(0), Decimal(0))


def _vendor() -> str:
    vendor = connection.vendor
    if vendor not in _DAYNUM:
        raise NotImplementedError(
            f"service level in SQL is written for PostgreSQL and SQLite, not {vendor}"
        )
    return vendor


def _key_expression(by: str, target_date: str) -> str:
    if by == TOTAL:
        return "'total'"
    if by in _PERIOD["sqlite"]:
        return _PERIOD[_vendor()][GroupBy(by)].format(target_date)
    return _KEYS[GroupBy(by)]


def _ctes(by: str, against: str, extra_where: str = "") -> str:
    day = _DAYNUM[_vendor()]
    quantity, target = (
        ("l.governing_quantity", "l.governing_date")
        if against == PROMISE
        else ("l.requested_quantity", "l.requested_date")
    )
    return f"""
    WITH lines AS (
        SELECT l.id AS line_id, l.order_id, {_key_expression(by, target)} AS key,
               {quantity} AS q, {day.format(target)} AS d,
               COALESCE(tg.early_days, td.early_days, 0) AS early,
               COALESCE(tg.late_days, td.late_days, 0) AS late,
               {quantity} * (1 - COALESCE(tg.short_percent, td.short_percent, 0) / 100.0)
                   AS required
          FROM promising_orderline l
          JOIN promising_order o ON o.id = l.order_id
          JOIN customers_customer c ON c.id = o.customer_id
          JOIN catalog_product p ON p.id = l.product_id
          LEFT JOIN customers_customergroup g ON g.id = c.group_id
          LEFT JOIN customers_region r ON r.id = c.region_id
          LEFT JOIN auth_user u ON u.id = c.owner_id
          LEFT JOIN fulfilment_servicetolerance tg ON tg.group_id = c.group_id
          LEFT JOIN fulfilment_servicetolerance td ON td.group_id IS NULL
         WHERE l.governing_date IS NOT NULL
           AND o.cancelled_by <> 'customer'
           AND {target} BETWEEN %(start)s AND %(end)s {extra_where}
    ),
    running AS (
        SELECT d.line_id, {day.format("d.delivered_on")} AS day, d.quantity, d.quality_ok,
               SUM(d.quantity) OVER (PARTITION BY d.line_id ORDER BY d.delivered_on, d.id)
                   AS total
          FROM fulfilment_delivery d
         WHERE d.line_id IN (SELECT line_id FROM lines)
    ),
    per_line AS (
        SELECT lines.line_id,
               MIN(CASE WHEN running.total >= lines.required - {SHORT_EPSILON}
                        THEN running.day END) AS completed,
               SUM(CASE WHEN running.day <= lines.d + lines.late
                        THEN running.quantity ELSE 0 END) AS by_end,
               SUM(CASE WHEN running.day BETWEEN lines.d - lines.early AND lines.d + lines.late
                        THEN running.quantity ELSE 0 END) AS inside,
               MIN(CASE WHEN running.quality_ok THEN 1 ELSE 0 END) AS quality
          FROM lines JOIN running ON running.line_id = lines.line_id
         GROUP BY lines.line_id
    ),
    flags AS (
        SELECT lines.line_id, lines.order_id, lines.key, lines.q,
               CASE WHEN per_line.completed IS NULL AND lines.d + lines.late >= %(today)s
                    THEN 1 ELSE 0 END AS pending,
               CASE WHEN per_line.completed BETWEEN lines.d - lines.early
                                                AND lines.d + lines.late
                    THEN 1 ELSE 0 END AS on_time,
               CASE WHEN COALESCE(per_line.by_end, 0) >= lines.required - {SHORT_EPSILON}
                    THEN 1 ELSE 0 END AS in_full,
               COALESCE(per_line.quality, 1) AS quality,
               CASE WHEN COALESCE(per_line.inside, 0) >= lines.required - {SHORT_EPSILON}
                    THEN 1 ELSE 0 END AS filled,
               CASE WHEN COALESCE(per_line.inside, 0) < lines.q
                    THEN COALESCE(per_line.inside, 0) ELSE lines.q END AS fill_units
          FROM lines LEFT JOIN per_line ON per_line.line_id = lines.line_id
    ),
    orders AS (
        SELECT key, order_id, MAX(pending) AS pending,
               MIN(on_time * in_full * quality) AS perfect, MIN(filled) AS filled
          FROM flags GROUP BY key, order_id
    )
    """  # noqa: S608 (fixed fragments only; values are parameters)


_SUMMARY = """,
    by_lines AS (
        SELECT key,
               SUM(1 - pending) AS lines, SUM(pending) AS pending_lines,
               SUM(CASE WHEN pending = 0 THEN on_time * in_full ELSE 0 END) AS otif,
               SUM(CASE WHEN pending = 0 THEN on_time ELSE 0 END) AS on_time,
               SUM(CASE WHEN pending = 0 THEN in_full ELSE 0 END) AS in_full,
               SUM(CASE WHEN pending = 0 THEN quality ELSE 0 END) AS quality,
               SUM(CASE WHEN pending = 0 THEN filled ELSE 0 END) AS filled,
               SUM(CASE WHEN pending = 0 THEN fill_units ELSE 0 END) AS fill_units,
               SUM(CASE WHEN pending = 0 THEN q ELSE 0 END) AS target_units
          FROM flags GROUP BY key
    ),
    by_orders AS (
        SELECT key, COUNT(*) AS orders, SUM(perfect) AS perfect, SUM(filled) AS filled
          FROM orders WHERE pending = 0 GROUP BY key
    )
    SELECT by_lines.key, COALESCE(by_orders.orders, 0), by_lines.lines,
           by_lines.pending_lines, COALESCE(by_orders.perfect, 0),
           COALESCE(by_orders.filled, 0), by_lines.otif, by_lines.on_time, by_lines.in_full,
           by_lines.quality, by_lines.filled, by_lines.fill_units, by_lines.target_units
      FROM by_lines LEFT JOIN by_orders ON by_orders.key = by_lines.key
     ORDER BY by_lines.key
"""

_FAILURES = """
    SELECT flags.line_id, flags.key, flags.on_time, flags.in_full, flags.quality
      FROM flags
     WHERE flags.pending = 0 AND flags.on_time * flags.in_full * flags.quality = 0
     ORDER BY flags.order_id DESC, flags.line_id
     LIMIT %(limit)s
"""


def _number(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.001"))


def service_level(
    start: date,
    end: date,
    *,
    by: str = GroupBy.MONTH,
    against: str = Against.PROMISE,
    today: date,
    customer_id: int | None = None,
) -> tuple[list[Row], Row]:
    """(rows per group, total) of lines whose target date is in [start, end]."""
    if by not in GroupBy.values:
        raise ValueError(f"unknown grouping {by!r}")
    if against not in Against.values:
        raise ValueError(f"unknown basis {against!r}")
    params, extra = _params(start, end, today, customer_id)
    groups = _run(_ctes(by, against, extra) + _SUMMARY, params)
    total = _run(_ctes(TOTAL, against, extra) + _SUMMARY, params)
    return groups, (total[0] if total else EMPTY)


@dataclass(frozen=True)
class Failure:
    line_id: int
    key: str
    failed: tuple[str, ...]  # on_time, in_full, quality


def failures(
    start: date,
    end: date,
    *,
    by: str = GroupBy.MONTH,
    against: str = Against.PROMISE,
    today: date,
    key: str | None = None,
    customer_id: int | None = None,
    limit: int = 200,
) -> list[Failure]:
    """The lines that failed, newest order first, with the components that failed; only
    those of group ``key`` when given."""
    params, extra = _params(start, end, today, customer_id)
    params["limit"] = limit
    sql = _ctes(by, against, extra) + _FAILURES
    if key is not None:
        params["key"] = key
        sql = sql.replace(
            "WHERE flags.pending = 0", "WHERE flags.key = %(key)s AND flags.pending = 0"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    names = ("on_time", "in_full", "quality")
    return [
        Failure(line_id, str(group), tuple(n for n, ok in zip(names, flags, strict=True) if not ok))
        for line_id, group, *flags in rows
    ]


def _params(start, end, today, customer_id) -> tuple[dict, str]:
    params = {"start": start, "end": end, "today": (today - EPOCH).days}
    if customer_id is None:
        return params, ""
    params["customer"] = customer_id
    return params, "AND o.customer_id = %(customer)s"


def _run(sql: str, params: dict) -> list[Row]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            Row(
                str(key),
                *(int(v or 0) for v in numbers[:10]),
                _number(numbers[10]),
                _number(numbers[11]),
            )
            for key, *numbers in cursor.fetchall()
        ]
