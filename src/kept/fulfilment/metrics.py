"""Service-level metrics in SQL (SPEC 2.4): the stored scores of ``kept.fulfilment.scores``
summed in the database. No per-row Python: the answer is one row per group.

One statement per report, over ``ScoredOrder`` (per order, target date and basis) or, by
product, over ``ScoredLine``. Its steps: ``rows`` in the period with their group key and
whether they are settled (completed, or past the window's end: a line not completed while
today ≤ window end is pending); ``per_order`` per (key, order) and per order overall —
pending, perfect, filled; then the sums per key and in total (PostgreSQL computes both in one
pass with GROUPING SETS).

Table and column names come from the models; every value is a parameter; the grouping
expression is chosen from a fixed table, never from user input.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection

from kept.fulfilment import scores, scoring
from kept.fulfilment.choices import Against, GroupBy

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
_CUSTOMER = "JOIN customers_customer c ON c.id = s.customer_id"
_KEYS = {  # key expression, joins
    GroupBy.CUSTOMER: ("c.code", _CUSTOMER),
    GroupBy.GROUP: (
        "COALESCE(g.name, '')",
        _CUSTOMER + " LEFT JOIN customers_customergroup g ON g.id = c.group_id",
    ),
    GroupBy.PRODUCT: ("p.sku", "JOIN catalog_product p ON p.id = s.product_id"),
    GroupBy.REGION: (
        "COALESCE(r.name, '')",
        _CUSTOMER + " LEFT JOIN customers_region r ON r.id = c.region_id",
    ),
    GroupBy.OWNER: (
        "COALESCE(u.username, '')",
        _CUSTOMER + " LEFT JOIN auth_user u ON u.id = c.owner_id",
    ),
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


def _key(by: str) -> tuple[str, str]:
    """(key expression, joins) of a grouping, over the scored rows ``s``."""
    if by in _PERIOD["sqlite"]:
        return _PERIOD[scores.vendor()][GroupBy(by)].format("s.target_date"), ""
    return _KEYS[GroupBy(by)]


# a product splits orders, so by product the rows are lines; otherwise orders
_FROM_ORDERS = """
    SELECT {key} AS key, s.order_id, s.lines, s.otif, s.on_time, s.in_full, s.quality_ok,
           s.filled, s.perfect, s.fill_units, s.target_units,
           CASE WHEN s.open = 1 AND s.window_end >= %(today)s THEN 0 ELSE 1 END AS settled
      FROM fulfilment_scoredorder s {joins}
     WHERE s.basis = %(basis)s AND s.target_date BETWEEN %(start)s AND %(end)s {where}"""
_FROM_LINES = """
    SELECT {key} AS key, s.order_id, 1 AS lines, s.on_time * s.in_full AS otif, s.on_time,
           s.in_full, s.quality_ok, s.filled, s.on_time * s.in_full * s.quality_ok AS perfect,
           s.fill_units, s.target_quantity AS target_units,
           CASE WHEN s.completed = 0 AND s.window_end >= %(today)s THEN 0 ELSE 1 END AS settled
      FROM fulfilment_scoredline s {joins}
     WHERE s.basis = %(basis)s AND s.target_date BETWEEN %(start)s AND %(end)s {where}"""
# per (key, order): an order counts when none of its lines there is pending; it is perfect
# (filled) when every counted line is
_PER_ORDER = """
    SELECT {columns}, MIN(settled) AS settled,
           SUM(settled * lines) AS lines, SUM((1 - settled) * lines) AS pending_lines,
           CASE WHEN SUM(settled * perfect) = SUM(settled * lines) THEN 1 ELSE 0 END
               AS perfect_order,
           CASE WHEN SUM(settled * filled) = SUM(settled * lines) THEN 1 ELSE 0 END
               AS filled_order,
           SUM(settled * otif) AS otif, SUM(settled * on_time) AS on_time,
           SUM(settled * in_full) AS in_full, SUM(settled * quality_ok) AS quality_ok,
           SUM(settled * filled) AS filled, SUM(settled * fill_units) AS fill_units,
           SUM(settled * target_units) AS target_units
      FROM rows GROUP BY {grouping}"""
_SUMS = """SUM(settled), SUM(lines), SUM(pending_lines), SUM(settled * perfect_order),
           SUM(settled * filled_order), SUM(otif), SUM(on_time), SUM(in_full),
           SUM(quality_ok), SUM(filled), SUM(fill_units), SUM(target_units)"""
_REPORT = {
    # one pass: per (key, order) and per order together
    "postgresql": f"""
    WITH rows AS ({{rows}}),
    per_order AS ({
        _PER_ORDER.format(
            columns="GROUPING(key) AS overall, key, order_id",
            grouping="GROUPING SETS ((key, order_id), (order_id))",
        )
    })
    SELECT overall, key, {_SUMS}
      FROM per_order GROUP BY overall, key ORDER BY overall, key""",  # noqa: S608 (fixed text)
    "sqlite": f"""
    WITH rows AS ({{rows}}),
    per_order AS ({_PER_ORDER.format(columns="key, order_id", grouping="key, order_id")}),
    per_order_total AS ({_PER_ORDER.format(columns="order_id", grouping="order_id")})
    SELECT 0, key, {_SUMS} FROM per_order GROUP BY key
    UNION ALL
    SELECT 1, NULL, {_SUMS} FROM per_order_total
    ORDER BY 1, 2""",  # noqa: S608 (fixed text)
}


def _rows_sql(by: str, where: str) -> str:
    key, joins = _key(by)
    source = _FROM_LINES if by == GroupBy.PRODUCT else _FROM_ORDERS
    return source.format(key=key, joins=joins, where=where)


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
    scores.refresh(customer_id)
    params, where = _params(start, end, today, against, customer_id)
    sql = _REPORT[scores.vendor()].format(rows=_rows_sql(by, where))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    groups = [_row(key, numbers) for overall, key, *numbers in found if not overall]
    total = [_row(TOTAL, numbers) for overall, _key, *numbers in found if overall]
    return groups, (total[0] if total else EMPTY)


@dataclass(frozen=True)
class Failure:
    line_id: int
    key: str
    failed: tuple[str, ...]  # on_time, in_full, quality


_FAILURES = """
    SELECT s.line_id, {key}, s.on_time, s.in_full, s.quality_ok
      FROM fulfilment_scoredline s {joins}
     WHERE s.basis = %(basis)s AND s.target_date BETWEEN %(start)s AND %(end)s {where}
       AND NOT (s.completed = 0 AND s.window_end >= %(today)s)
       AND s.on_time * s.in_full * s.quality_ok = 0
     ORDER BY s.order_id DESC, s.line_id
     LIMIT %(limit)s"""


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
    scores.refresh(customer_id)
    params, where = _params(start, end, today, against, customer_id)
    params["limit"] = limit
    expression, joins = _key(by)
    if key is not None:
        params["key"] = key
        where += f" AND {expression} = %(key)s"
    with connection.cursor() as cursor:
        cursor.execute(_FAILURES.format(key=expression, joins=joins, where=where), params)
        rows = cursor.fetchall()
    names = ("on_time", "in_full", "quality")
    return [
        Failure(line_id, str(group), tuple(n for n, ok in zip(names, flags, strict=True) if not ok))
        for line_id, group, *flags in rows
    ]


def _params(start, end, today, against, customer_id) -> tuple[dict, str]:
    params = {"start": start, "end": end, "today": today, "basis": str(against)}
    if customer_id is None:
        return params, ""
    params["customer"] = customer_id
    return params, "AND s.customer_id = %(customer)s"


def _row(key, numbers) -> Row:
    return Row(
        str(key),
        *(int(v or 0) for v in numbers[:10]),
        _number(numbers[10]),
        _number(numbers[11]),
    )
