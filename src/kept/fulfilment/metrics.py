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
from datetime import date, timedelta
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


def _key(by: str, day: str = "s.target_date") -> tuple[str, str]:
    """(key expression, joins) of a grouping, over the scored rows ``s`` (``day``: the
    column of the date)."""
    if by in _PERIOD["sqlite"]:
        return _PERIOD[scores.vendor()][GroupBy(by)].format(day), ""
    return _KEYS[GroupBy(by)]


# Rows of the report: (key, order, settled, line counts…). From ``ScoredOrder`` for whole
# months when grouping by month or by something of the customer; from ``ScoredLine`` for the
# rest (part months at the period's ends; by day, week or product).
_COLUMNS = "lines, otif, on_time, in_full, quality_ok, filled, perfect, fill_units, target_units"
_FROM_ORDERS = f"""
    SELECT {{key}} AS key, s.order_id,
           CASE WHEN s.open = 1 AND s.window_end >= %(today)s THEN 0 ELSE 1 END AS settled,
           {", ".join(f"s.{name}" for name in _COLUMNS.split(", "))}
      FROM fulfilment_scoredorder s {{joins}}
     WHERE s.basis = %(basis)s AND s.month BETWEEN %(month_from)s AND %(month_to)s
       AND s.single = {{single}} {{where}}"""  # noqa: S608 (fixed text)
_ZEROS = ", ".join(f"0 AS {name}" for name in _COLUMNS.split(", "))
_NO_ROWS = f"SELECT '' AS key, 0 AS order_id, 1 AS settled, {_ZEROS} WHERE 1 = 0"  # noqa: S608
_FROM_LINES = """
    SELECT {key} AS key, s.order_id,
           CASE WHEN s.completed = 0 AND s.window_end >= %(today)s THEN 0 ELSE 1 END AS settled,
           1 AS lines, s.on_time * s.in_full AS otif, s.on_time, s.in_full, s.quality_ok,
           s.filled, s.on_time * s.in_full * s.quality_ok AS perfect, s.fill_units,
           s.target_quantity AS target_units
      FROM fulfilment_scoredline s {joins}
     WHERE s.basis = %(basis)s AND ({dates}) {where}"""
# an order with one row: its figures are the row's
_SINGLE_SUMS = """SUM(settled), SUM(settled * lines), SUM((1 - settled) * lines),
           SUM(CASE WHEN settled = 1 AND perfect = lines THEN 1 ELSE 0 END),
           SUM(CASE WHEN settled = 1 AND filled = lines THEN 1 ELSE 0 END),
           SUM(settled * otif), SUM(settled * on_time), SUM(settled * in_full),
           SUM(settled * quality_ok), SUM(settled * filled), SUM(settled * fill_units),
           SUM(settled * target_units)"""
# an order with several rows, per (key, order): it counts when none of its lines there is
# pending; it is perfect (filled) when every counted line is
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
      FROM multi GROUP BY {grouping}"""
_SUMS = """SUM(settled), SUM(lines), SUM(pending_lines), SUM(settled * perfect_order),
           SUM(settled * filled_order), SUM(otif), SUM(on_time), SUM(in_full),
           SUM(quality_ok), SUM(filled), SUM(fill_units), SUM(target_units)"""
_NAMES = [f"c{n}" for n in range(12)]
_NAMED = ", ".join(_NAMES)
_ADD_UP = ", ".join(f"SUM({name})" for name in _NAMES)
_MULTI_GROUPS = {
    # per (key, order) and per order together, in one pass
    "postgresql": f"""
    per_order AS ({
        _PER_ORDER.format(
            columns="GROUPING(key) AS overall, key, order_id",
            grouping="GROUPING SETS ((key, order_id), (order_id))",
        )
    }),
    multi_sums ({_NAMED}, overall, key) AS (
        SELECT {_SUMS}, overall, key FROM per_order GROUP BY overall, key)""",  # noqa: S608
    "sqlite": f"""
    per_order AS ({_PER_ORDER.format(columns="key, order_id", grouping="key, order_id")}),
    per_order_total AS ({_PER_ORDER.format(columns="order_id", grouping="order_id")}),
    multi_sums ({_NAMED}, overall, key) AS (
        SELECT {_SUMS}, 0, key FROM per_order GROUP BY key
        UNION ALL
        SELECT {_SUMS}, 1, NULL FROM per_order_total)""",  # noqa: S608
}
_REPORT = f"""
    WITH multi AS ({{multi}}),
    {{multi_groups}},
    single_sums ({_NAMED}, key) AS (SELECT {_SINGLE_SUMS}, key FROM ({{single}}) s GROUP BY key),
    parts AS (
        SELECT {_NAMED}, overall, key FROM multi_sums
        UNION ALL SELECT {_NAMED}, 0, key FROM single_sums
        UNION ALL SELECT {_ADD_UP}, 1, NULL FROM single_sums
    )
    SELECT overall, key, {_ADD_UP} FROM parts
     WHERE c0 IS NOT NULL OR c2 IS NOT NULL
     GROUP BY overall, key ORDER BY overall, key"""  # noqa: S608 (fixed text)
_ORDER_KEYS = {GroupBy.MONTH, GroupBy.CUSTOMER, GroupBy.GROUP, GroupBy.REGION, GroupBy.OWNER}


def _months(start: date, end: date) -> tuple[date, date]:
    """The first days of the first and the last whole month in [start, end] (the first after
    the last when there is none)."""
    first = start if start.day == 1 else (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    after = end + timedelta(days=1)
    last = (after.replace(day=1) - timedelta(days=1)).replace(day=1)
    return first, last


def _report_sql(by: str, where: str, params: dict) -> str:
    """The report's statement; adds the month bounds to ``params``."""
    key, joins = _key(by, "s.target_date")
    start, end = params["start"], params["end"]
    if by in _ORDER_KEYS:
        month_from, month_to = _months(start, end)
    else:
        month_from, month_to = end, start  # none: every row from the lines
    params["month_from"], params["month_to"] = month_from, month_to
    if month_from <= month_to:
        month_end = (month_to.replace(day=28) + timedelta(days=4)).replace(day=1)
        params["head_end"] = month_from - timedelta(days=1)
        params["tail_start"] = month_end
        dates = (
            "s.target_date BETWEEN %(start)s AND %(head_end)s"
            " OR s.target_date BETWEEN %(tail_start)s AND %(end)s"
        )
    else:
        dates = "s.target_date BETWEEN %(start)s AND %(end)s"
    lines = _FROM_LINES.format(key=key, joins=joins, dates=dates, where=where)
    if by not in _ORDER_KEYS:
        return _REPORT.format(
            multi=lines, multi_groups=_MULTI_GROUPS[scores.vendor()], single=_NO_ROWS
        )
    order_key, _joins = _key(by, "s.month")
    orders = [
        _FROM_ORDERS.format(key=order_key, joins=joins, single=single, where=where)
        for single in (0, 1)
    ]
    return _REPORT.format(
        multi=f"{orders[0]} UNION ALL {lines}",
        multi_groups=_MULTI_GROUPS[scores.vendor()],
        single=orders[1],
    )


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
    sql = _report_sql(by, where, params)
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
