"""Service level as stored scores (SPEC 2.4, P2): each promised line scored once, kept up to
date as its order changes, so that a report over a million orders reads small summary rows
instead of scoring three million lines again.

Writers call ``mark_orders`` in the same transaction as their change (a delivery, a promise
version, a cancellation, a quality problem) and ``mark_group``/``mark_all`` when tolerances
change; a customer moved to another group is noticed by ``refresh`` itself. Readers call
``refresh`` first: it scores the queued orders again, a batch at a time, or everything at once
when the queue is long.

Two tables (``kept.fulfilment.models``):

``ScoredLine``   per line and basis (promise or request): the target, the window's end, and
                 the rules of ``kept.fulfilment.scoring`` that do not depend on today —
                 completed, on time, in full, quality, filled, fill units;
``ScoredOrder``  those lines summed per (basis, order, month): the completed ones in one
                 row, the others per window end.

Whether a line is pending depends on today: not completed and today ≤ window end. The
reports (``kept.fulfilment.metrics``) decide it when they read, so nothing goes stale with
the calendar. Dates are compared as day numbers (days since 2000-01-01), which PostgreSQL and
SQLite compute exactly. Table and column names are fixed text; every value is a parameter.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from kept.fulfilment.models import ScoreQueue
from kept.fulfilment.scoring import PROMISE, REQUEST

BATCH = 500  # orders scored again per statement
REBUILD_ABOVE = 20_000  # queued orders from which scoring everything is faster
SHORT_EPSILON = "0.0000001"  # quantities have 3 places; SQLite compares floats
_LOCK = 7_340_001  # PostgreSQL advisory lock: one refresh at a time

_DAYNUM = {
    "postgresql": "({0} - DATE '2000-01-01')",
    "sqlite": "CAST(julianday({0}) - 2451544.5 AS INTEGER)",
}
_PLUS_DAYS = {
    "postgresql": "({0} + {1})",
    "sqlite": "date({0}, '+' || ({1}) || ' days')",
}
_TARGETS = {
    PROMISE: ("l.governing_quantity", "l.governing_date"),
    REQUEST: ("l.requested_quantity", "l.requested_date"),
}


def vendor() -> str:
    name = connection.vendor
    if name not in _DAYNUM:
        raise NotImplementedError(
            f"service level in SQL is written for PostgreSQL and SQLite, not {name}"
        )
    return name


# Writers -------------------------------------------------------------------------------


def mark_orders(order_ids: Iterable[int]) -> None:
    """Score these orders again before the next report (call inside the change's
    transaction, so the mark and the change commit together)."""
    ScoreQueue.objects.bulk_create(ScoreQueue(order_id=pk) for pk in sorted(set(order_ids)))


def mark_group(group_id: int | None) -> None:
    """Every order of the group's customers (``None``: of every customer), after a change of
    tolerances."""
    where, params = ("WHERE c.group_id = %s", [group_id]) if group_id else ("", [])
    sql = (
        "INSERT INTO fulfilment_scorequeue (order_id, queued_at)"  # noqa: S608 (fixed text)
        " SELECT o.id, CURRENT_TIMESTAMP FROM promising_order o"
        f" JOIN customers_customer c ON c.id = o.customer_id {where}"
    )
    _execute(sql, params)


def mark_all() -> None:
    mark_group(None)


# Readers -------------------------------------------------------------------------------


def refresh(customer_id: int | None = None) -> int:
    """Score the queued orders again (and the orders of customers moved to another group);
    returns how many queue entries were cleared. One query when nothing changed; with
    ``customer_id``, only that customer's group is checked (the queue always is)."""
    if not _changed(customer_id):
        return 0
    cleared = 0
    with transaction.atomic():
        _lock()
        _sync_groups()
        while True:
            rows = list(ScoreQueue.objects.order_by("id").values_list("id", "order_id")[:BATCH])
            if not rows:
                return cleared
            if len(rows) == BATCH and ScoreQueue.objects.count() > REBUILD_ABOVE:
                return cleared + _rebuild()
            _rescore(sorted({order for _id, order in rows}))
            ScoreQueue.objects.filter(id__in=[pk for pk, _order in rows]).delete()
            cleared += len(rows)


def rebuild() -> int:
    """Score every line again (after a bulk load); returns the queue entries cleared."""
    with transaction.atomic():
        _lock()
        return _rebuild()


def _rebuild() -> int:
    last = ScoreQueue.objects.order_by("-id").values_list("id", flat=True).first()
    if vendor() == "postgresql":  # sorts and hashes over millions of lines
        _execute("SET LOCAL work_mem = '256MB'")
    # DELETE, not TRUNCATE: PostgreSQL refuses TRUNCATE with deferred foreign-key checks due
    for table in ("fulfilment_scoredorder", "fulfilment_scoredline", "fulfilment_scoredcustomer"):
        _execute(f"DELETE FROM {table}")  # noqa: S608 (fixed text)
    _execute(_NOTE_GROUPS.format(where="WHERE 1 = 1"))  # SQLite's upsert needs a WHERE
    for basis in (PROMISE, REQUEST):
        _execute(_line_sql(basis, ""), {"basis": basis})
    _execute(_order_sql(""))
    if vendor() == "postgresql":
        _execute("ANALYZE fulfilment_scoredline, fulfilment_scoredorder")
    cleared, _ = ScoreQueue.objects.filter(id__lte=last or 0).delete()
    return cleared


def _rescore(order_ids: list[int]) -> None:
    marks = ", ".join(["%s"] * len(order_ids))
    for table in ("fulfilment_scoredorder", "fulfilment_scoredline"):
        _execute(f"DELETE FROM {table} WHERE order_id IN ({marks})", order_ids)  # noqa: S608
    # the groups first: a group changed while scoring is then seen by the next refresh
    orders = f"SELECT customer_id FROM promising_order WHERE id IN ({marks})"  # noqa: S608
    _execute(_NOTE_GROUPS.format(where=f"WHERE c.id IN ({orders})"), order_ids)
    in_orders = {f"o{i}": pk for i, pk in enumerate(order_ids)}
    where = "AND o.id IN ({})".format(", ".join(f"%({name})s" for name in in_orders))
    for basis in (PROMISE, REQUEST):
        _execute(_line_sql(basis, where), {"basis": basis, **in_orders})
    _execute(_order_sql(f"WHERE order_id IN ({marks})"), order_ids)


def _lock() -> None:
    if vendor() == "postgresql":
        _execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])


_NOTE_GROUPS = """
    INSERT INTO fulfilment_scoredcustomer (customer_id, group_id)
    SELECT c.id, c.group_id FROM customers_customer c {where}
    ON CONFLICT (customer_id) DO UPDATE SET group_id = excluded.group_id"""
# customers whose lines were scored with another group than theirs now
_GROUP_CHANGED = """
    SELECT s.customer_id FROM fulfilment_scoredcustomer s
      JOIN customers_customer c ON c.id = s.customer_id
     WHERE COALESCE(s.group_id, 0) <> COALESCE(c.group_id, 0)"""


def _changed(customer_id: int | None) -> bool:
    only, params = ("AND c.id = %s", [customer_id]) if customer_id else ("", [])
    sql = (
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM fulfilment_scorequeue)"  # noqa: S608 (fixed)
        f" OR EXISTS ({_GROUP_CHANGED} {only}) THEN 1 ELSE 0 END"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return bool(cursor.fetchone()[0])


def _sync_groups() -> None:
    """Queue the orders of customers whose group (hence tolerances) changed since their
    lines were scored."""
    _execute(  # fixed text only
        "INSERT INTO fulfilment_scorequeue (order_id, queued_at)"  # noqa: S608
        " SELECT o.id, CURRENT_TIMESTAMP FROM promising_order o"
        f" WHERE o.customer_id IN ({_GROUP_CHANGED})"
    )
    _execute(
        "UPDATE fulfilment_scoredcustomer SET group_id = (SELECT c.group_id"  # noqa: S608
        " FROM customers_customer c WHERE c.id = fulfilment_scoredcustomer.customer_id)"
        f" WHERE customer_id IN ({_GROUP_CHANGED})"
    )


def _execute(sql: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# The rules of ``scoring`` for every line at once ---------------------------------------


def _line_sql(basis: str, where: str) -> str:
    """Score the promised lines of orders not cancelled by the customer (``where``: which
    orders) against ``basis`` and insert them. Steps: ``lines`` with their target and the
    tolerances of the customer's group; ``running``: joined to their deliveries, with the
    running total in time order; ``per_line``: the day the total reached the required
    quantity, the quantity by the window's end and inside it, any quality failure. Each step
    is read once, so PostgreSQL runs them as one plan instead of materialising them."""
    name = vendor()
    day, plus = _DAYNUM[name], _PLUS_DAYS[name]
    quantity, target = _TARGETS[basis]
    late = "COALESCE(tg.late_days, td.late_days, 0)"
    return f"""
    WITH lines AS (
        SELECT l.id AS line_id, l.order_id, o.customer_id, l.product_id,
               {target} AS target_date, {plus.format(target, late)} AS window_end,
               {quantity} AS q, {day.format(target)} AS d,
               COALESCE(tg.early_days, td.early_days, 0) AS early, {late} AS late,
               {quantity} * (1 - COALESCE(tg.short_percent, td.short_percent, 0) / 100.0)
                   AS required
          FROM promising_orderline l
          JOIN promising_order o ON o.id = l.order_id
          JOIN customers_customer c ON c.id = o.customer_id
          LEFT JOIN fulfilment_servicetolerance tg ON tg.group_id = c.group_id
          LEFT JOIN fulfilment_servicetolerance td ON td.group_id IS NULL
         WHERE l.governing_date IS NOT NULL AND o.cancelled_by <> 'customer' {where}
    ),
    running AS (
        SELECT lines.*, {day.format("dl.delivered_on")} AS day, dl.quantity AS dq,
               dl.quality_ok,
               SUM(dl.quantity) OVER (PARTITION BY lines.line_id
                                      ORDER BY dl.delivered_on, dl.id) AS total
          FROM lines LEFT JOIN fulfilment_delivery dl ON dl.line_id = lines.line_id
    ),
    per_line AS (
        SELECT line_id, order_id, customer_id, product_id, target_date, window_end, q, d,
               early, late, required,
               MIN(CASE WHEN total >= required - {SHORT_EPSILON} THEN day END) AS completed,
               SUM(CASE WHEN day <= d + late THEN dq ELSE 0 END) AS by_end,
               SUM(CASE WHEN day BETWEEN d - early AND d + late THEN dq ELSE 0 END) AS inside,
               COALESCE(MIN(CASE WHEN quality_ok THEN 1 WHEN NOT quality_ok THEN 0 END), 1)
                   AS quality
          FROM running
         GROUP BY line_id, order_id, customer_id, product_id, target_date, window_end, q, d,
                  early, late, required
    )
    INSERT INTO fulfilment_scoredline (
        basis, line_id, order_id, customer_id, product_id, target_date, target_quantity,
        window_end, completed, on_time, in_full, quality_ok, filled, fill_units)
    SELECT %(basis)s, line_id, order_id, customer_id, product_id, target_date, q, window_end,
           CASE WHEN completed IS NULL THEN 0 ELSE 1 END,
           CASE WHEN completed BETWEEN d - early AND d + late THEN 1 ELSE 0 END,
           CASE WHEN by_end >= required - {SHORT_EPSILON} THEN 1 ELSE 0 END,
           quality,
           CASE WHEN inside >= required - {SHORT_EPSILON} THEN 1 ELSE 0 END,
           CASE WHEN inside < q THEN inside ELSE q END
      FROM per_line
    """  # noqa: S608 (fixed fragments only; values are parameters)


_MONTH = {
    "postgresql": "CAST(date_trunc('month', target_date) AS date)",
    "sqlite": "date(target_date, 'start of month')",
}


def _order_sql(where: str) -> str:
    """Sum the scored lines of the orders (``where``) per basis, order and month: the
    completed lines in one row, the others per window end."""
    return f"""
    INSERT INTO fulfilment_scoredorder (
        basis, order_id, customer_id, month, window_end, open, single, lines, otif, on_time,
        in_full, quality_ok, filled, perfect, fill_units, target_units)
    SELECT basis, order_id, customer_id, {_MONTH[vendor()]}, MAX(window_end), 1 - completed,
           CASE WHEN COUNT(*) OVER (PARTITION BY basis, order_id) = 1 THEN 1 ELSE 0 END,
           COUNT(*), SUM(on_time * in_full), SUM(on_time), SUM(in_full), SUM(quality_ok),
           SUM(filled), SUM(on_time * in_full * quality_ok), SUM(fill_units),
           SUM(target_quantity)
      FROM fulfilment_scoredline {where}
     GROUP BY basis, order_id, customer_id, {_MONTH[vendor()]}, completed,
              CASE WHEN completed = 1 THEN NULL ELSE window_end END
    """  # noqa: S608 (fixed fragments only; values are parameters)
