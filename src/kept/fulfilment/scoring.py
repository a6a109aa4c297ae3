"""Service level, line by line and order by order (SPEC 2.4). Pure Python, no Django.

A line is scored against a **target**: its governing promise (``against="promise"``) or
the customer's request (``against="request"``). The governing promise is the latest
version agreed with the customer, else the first promise: a unilateral change never moves
the target, an agreed one does.

With tolerances ``early_days``, ``late_days`` and ``short_percent`` and the target
``(quantity q, date d)``::

    window    = [d − early_days, d + late_days]
    required  = q × (1 − short_percent / 100)
    in_full   = Σ deliveries up to the window's end ≥ required
    on_time   = the delivery that brought the running total to ``required`` (deliveries
                in time order) fell inside the window
    quality   = no delivery of the line was flagged not OK
    perfect   = on_time ∧ in_full ∧ quality
    filled    = Σ deliveries inside the window ≥ required   (line fill)
    fill units = min(Σ deliveries inside the window, q)      (unit fill)

A line whose window has not ended (today ≤ window end) and that is not yet complete is
**pending**: not counted. A line past its window and still short fails. Lines never
promised (declined, held, open offers) are outside service level, and so are all lines of
orders the customer cancelled. An order is perfect when every counted line is; an order
with a pending line is pending.

Groups (by period, customer, product…) hold lines; an order's figures in a group are
judged on its lines in that group. ``kept.fulfilment.metrics`` computes the same in SQL;
the tests compare the two on generated data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

ZERO = Decimal(0)
HUNDRED = Decimal(100)
AGREED, UNILATERAL, INITIAL = "agreed", "unilateral", "initial"
PROMISE, REQUEST = "promise", "request"
SCORED, PENDING, EXCLUDED = "scored", "pending", "excluded"


@dataclass(frozen=True)
class Version:
    """One version of a line's promise (``kind``: initial, agreed or unilateral)."""

    number: int
    kind: str
    quantity: Decimal
    date: date


@dataclass(frozen=True)
class Delivery:
    """``order``: the delivery's position in time (delivered at, then id)."""

    quantity: Decimal
    day: date
    quality_ok: bool = True
    order: int = 0


@dataclass(frozen=True)
class Tolerance:
    early_days: int = 0
    late_days: int = 0
    short_percent: Decimal = ZERO

    def __post_init__(self):
        if self.early_days < 0 or self.late_days < 0:
            raise ValueError("early_days and late_days cannot be negative")
        if not ZERO <= Decimal(self.short_percent) < HUNDRED:
            raise ValueError("short_percent must be in [0, 100)")


@dataclass(frozen=True)
class Line:
    """What scoring needs of an order line. ``versions`` empty: never promised."""

    line_id: int
    order_id: int
    requested_quantity: Decimal
    requested_date: date
    versions: tuple[Version, ...] = ()
    deliveries: tuple[Delivery, ...] = ()
    customer_cancelled: bool = False


@dataclass(frozen=True)
class Target:
    quantity: Decimal
    date: date


@dataclass(frozen=True)
class LineScore:
    line_id: int
    order_id: int
    status: str  # scored, pending or excluded
    target: Target | None = None
    on_time: bool = False
    in_full: bool = False
    quality_ok: bool = True
    filled: bool = False
    fill_units: Decimal = ZERO

    @property
    def perfect(self) -> bool:
        return self.status == SCORED and self.on_time and self.in_full and self.quality_ok

    def failed(self) -> list[str]:
        """The components that failed: ``on_time``, ``in_full``, ``quality``."""
        if self.status != SCORED:
            return []
        flags = (("on_time", self.on_time), ("in_full", self.in_full))
        failed = [name for name, ok in flags if not ok]
        return failed + ([] if self.quality_ok else ["quality"])


def governing(versions: Iterable[Version]) -> Version | None:
    """The latest version agreed with the customer, else the first promise."""
    ordered = sorted(versions, key=lambda v: v.number)
    agreed = [v for v in ordered if v.kind == AGREED]
    if agreed:
        return agreed[-1]
    return ordered[0] if ordered else None


def target_of(line: Line, against: str) -> Target | None:
    """The quantity and date the line is measured against (``None``: never promised)."""
    promise = governing(line.versions)
    if promise is None:
        return None
    if against == PROMISE:
        return Target(promise.quantity, promise.date)
    if against == REQUEST:
        return Target(line.requested_quantity, line.requested_date)
    raise ValueError(f"against must be {PROMISE!r} or {REQUEST!r}")


def score_line(line: Line, tolerance: Tolerance, today: date, against: str = PROMISE):
    """The line's score against its promise or its request (see the module docstring)."""
    target = target_of(line, against)
    if target is None or line.customer_cancelled:
        return LineScore(line.line_id, line.order_id, EXCLUDED)
    start = target.date - timedelta(days=tolerance.early_days)
    end = target.date + timedelta(days=tolerance.late_days)
    required = target.quantity * (1 - Decimal(tolerance.short_percent) / HUNDRED)
    deliveries = sorted(line.deliveries, key=lambda d: (d.day, d.order))
    completed_on, running = None, ZERO
    for delivery in deliveries:
        running += delivery.quantity
        if running >= required:
            completed_on = delivery.day
            break
    if completed_on is None and today <= end:
        return LineScore(line.line_id, line.order_id, PENDING, target)
    by_end = sum((d.quantity for d in deliveries if d.day <= end), ZERO)
    inside = sum((d.quantity for d in deliveries if start <= d.day <= end), ZERO)
    return LineScore(
        line.line_id,
        line.order_id,
        SCORED,
        target,
        on_time=completed_on is not None and start <= completed_on <= end,
        in_full=by_end >= required,
        quality_ok=all(d.quality_ok for d in deliveries),
        filled=inside >= required,
        fill_units=min(inside, target.quantity),
    )


@dataclass
class Metrics:
    """Service level of a set of lines. Rates are ``None`` when nothing was counted."""

    orders: int = 0
    lines: int = 0
    pending_lines: int = 0
    perfect_orders: int = 0
    filled_orders: int = 0
    otif_lines: int = 0
    on_time_lines: int = 0
    in_full_lines: int = 0
    quality_lines: int = 0
    filled_lines: int = 0
    fill_units: Decimal = ZERO
    target_units: Decimal = ZERO
    _orders: dict = field(default_factory=dict, repr=False)

    def add(self, score: LineScore) -> None:
        if score.status == EXCLUDED:
            return
        perfect, filled, pending = self._orders.get(score.order_id, (True, True, False))
        if score.status == PENDING:
            self.pending_lines += 1
            self._orders[score.order_id] = (perfect, filled, True)
            return
        self.lines += 1
        self.otif_lines += score.on_time and score.in_full
        self.on_time_lines += score.on_time
        self.in_full_lines += score.in_full
        self.quality_lines += score.quality_ok
        self.filled_lines += score.filled
        self.fill_units += score.fill_units
        self.target_units += score.target.quantity
        self._orders[score.order_id] = (perfect and score.perfect, filled and score.filled, pending)

    def close(self) -> Metrics:
        """Count the orders: those with no pending line."""
        counted = [(p, f) for p, f, pending in self._orders.values() if not pending]
        self.orders = len(counted)
        self.perfect_orders = sum(p for p, _f in counted)
        self.filled_orders = sum(f for _p, f in counted)
        return self

    def rates(self) -> dict[str, float | None]:
        return rates(self)


def rates(counts) -> dict[str, float | None]:
    """The rates of SPEC 2.4 from counts (a ``Metrics`` or a row of the SQL report with the
    same names). ``None`` when nothing was counted."""

    def share(part, whole):
        return None if not whole else float(part) / float(whole)

    return {
        "perfect_order_rate": share(counts.perfect_orders, counts.orders),
        "otif": share(counts.otif_lines, counts.lines),
        "on_time": share(counts.on_time_lines, counts.lines),
        "in_full": share(counts.in_full_lines, counts.lines),
        "quality": share(counts.quality_lines, counts.lines),
        "unit_fill_rate": share(counts.fill_units, counts.target_units),
        "line_fill_rate": share(counts.filled_lines, counts.lines),
        "order_fill_rate": share(counts.filled_orders, counts.orders),
    }


def summarise(scores: Sequence[tuple[str, LineScore]]) -> dict[str, Metrics]:
    """Metrics per group key from (key, line score) pairs; pending orders not counted."""
    groups: dict[str, Metrics] = {}
    for key, score in scores:
        groups.setdefault(key, Metrics()).add(score)
    return {key: metrics.close() for key, metrics in groups.items()}
