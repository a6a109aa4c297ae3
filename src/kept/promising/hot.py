"""The reads every promise decision makes, as hand-written SQL.

The promise engine answers hundreds of requests a second (SPEC 5, P1); composing these
reads with the ORM's subqueries cost more CPU than running them. Each is one statement,
parameterised (no user input is ever formatted into the SQL: table and column names come
from the models), and portable between PostgreSQL and SQLite. Results are converted to
the same Python types as the ORM's: SQLite answers decimals as floats and dates as text.
The ORM versions they replace are kept in the tests, which compare both on the same data.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import connection

from kept.catalog.choices import ReceiptStatus
from kept.catalog.models import Receipt, StockLevel
from kept.promising.models import Commitment, Order, OrderLine
from kept.receivables.models import HALF_CENT, Invoice

CENT = Decimal("0.01")
THOUSANDTH = Decimal("0.001")
VALUE = Decimal("0.00001")


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def _quantity(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(THOUSANDTH)


def _date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def credit_facts(customer_id: int, today: date) -> tuple[Decimal, Decimal, date | None, Decimal]:
    """(open balance, overdue amount, due date of the oldest overdue invoice, value of open
    commitments) of one customer. See ``receivables.queries.credit_position`` (the same sums
    through the ORM) and ``queries.open_commitments_value``."""
    sql = f"""
        SELECT inv.open_balance, inv.overdue_amount, inv.oldest_due,
               (SELECT SUM(c.quantity * l.unit_price)
                  FROM {_table(Commitment)} c
                  JOIN {_table(OrderLine)} l ON l.id = c.line_id
                  JOIN {_table(Order)} o ON o.id = l.order_id
                 WHERE o.customer_id = %s AND c.is_open)
          FROM (SELECT SUM(i.amount - i.paid_amount) AS open_balance,
                       SUM(CASE WHEN i.due_date < %s THEN i.amount - i.paid_amount END)
                           AS overdue_amount,
                       MIN(CASE WHEN i.due_date < %s THEN i.due_date END) AS oldest_due
                  FROM {_table(Invoice)} i
                 WHERE i.customer_id = %s AND i.amount - i.paid_amount >= {HALF_CENT}) inv
    """  # noqa: S608 (names from the models, values as parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [customer_id, today, today, customer_id])
        balance, overdue, oldest, committed = cursor.fetchone()
    committed = Decimal(str(committed or 0)).quantize(VALUE)  # quantity (3) × price (2)
    return _money(balance), _money(overdue), _date(oldest), committed


def timeline_rows(product_ids: list[int]) -> tuple[dict, dict, dict]:
    """On hand, open receipts and open commitments (not to procure) of the products:
    ({product: on hand}, {product: [(date, qty)]}, {product: [(date, Σ qty)]}). Commitments
    come summed per date, so the rows read grow with the dates promised, not the promises."""
    marks = ", ".join(["%s"] * len(product_ids))
    sql = f"""
        SELECT 0, product_id, NULL, on_hand FROM {_table(StockLevel)}
         WHERE product_id IN ({marks})
        UNION ALL
        SELECT 1, product_id, expected_date, quantity FROM {_table(Receipt)}
         WHERE product_id IN ({marks}) AND status = %s
        UNION ALL
        SELECT 2, product_id, date, SUM(quantity) FROM {_table(Commitment)}
         WHERE product_id IN ({marks}) AND is_open AND NOT to_procure
         GROUP BY product_id, date
    """  # noqa: S608 (names from the models, values as parameters)
    params = [*product_ids, *product_ids, ReceiptStatus.SCHEDULED, *product_ids]
    on_hand: dict[int, Decimal] = {}
    receipts: dict[int, list] = {pid: [] for pid in product_ids}
    commitments: dict[int, list] = {pid: [] for pid in product_ids}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kind, pid, day, quantity in cursor.fetchall():
            if kind == 0:
                on_hand[pid] = _quantity(quantity)
            else:
                (receipts if kind == 1 else commitments)[pid].append(
                    (_date(day), _quantity(quantity))
                )
    return on_hand, receipts, commitments
