"""Today's plan core: which subscriptions are due, most urgent first, how much to bring.

Pure numpy, no Django (SPEC 2.5 "Today's plan"; grouping by route and the customer's
preferred window is the caller's). For a plan day ``D``, a delivery lead of ``ℓ`` days, a
buffer of ``b`` days and a risk ``p``, with ``t_p`` each subscription's run-out day at risk
``p`` (``forecast.runout_day_at_risk``)::

    delivery day  = D + ℓ
    due           ⇔  t_p < D + ℓ + b
    urgency       ascending t_p, the order given breaking ties
    quantity      fill to capacity:  capacity − E[level on the delivery day], to the step
                  fixed quantity:    the subscription's fixed quantity

"To the step": the nearest multiple of ``step``, or the multiple below when the nearest
would overfill the container.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kept.replenishment.forecast import RateBelief, level_today, runout_day_at_risk
from kept.replenishment.history import FillPolicy


@dataclass(frozen=True)
class Plan:
    """``due`` per subscription; ``order``: indices of the due ones, most urgent first."""

    due: np.ndarray
    order: np.ndarray
    risk_day: np.ndarray
    delivery_day: float
    quantity: np.ndarray


def refill_quantity(capacity, expected_level, step: float = 1.0) -> np.ndarray:
    """``capacity − expected_level`` to the step (module docstring), never below 0."""
    if step <= 0:
        raise ValueError(f"step must be positive, not {step}")
    capacity = np.asarray(capacity, dtype=float)
    room = np.clip(capacity - np.asarray(expected_level, dtype=float), 0.0, capacity)
    nearest = step * np.round(room / step)
    return np.where(nearest > capacity, step * np.floor(capacity / step), nearest)


def plan(
    belief: RateBelief,
    level,
    day,
    capacity,
    *,
    today: float,
    lead_days: float,
    buffer_days: float,
    risk: float,
    fill_policy=None,
    fixed_quantity=None,
    step: float = 1.0,
) -> Plan:
    """The plan for ``today`` (module docstring) over subscriptions with last known
    ``level`` on ``day``. ``fill_policy`` (``FillPolicy`` values, default all to capacity)
    and ``fixed_quantity`` are per subscription."""
    if lead_days < 0 or buffer_days < 0:
        raise ValueError("lead and buffer days cannot be negative")
    capacity = np.asarray(capacity, dtype=float)
    if np.any(capacity <= 0):
        raise ValueError("capacity must be positive")
    risk_day = runout_day_at_risk(belief, level, day, risk)
    delivery_day = float(today) + lead_days
    due = risk_day < delivery_day + buffer_days
    due_index = np.flatnonzero(due)
    order = due_index[np.argsort(risk_day[due_index], kind="stable")]
    expected = level_today(belief, level, day, delivery_day)
    quantity = refill_quantity(capacity, expected, step)
    if fill_policy is not None:
        fixed = np.asarray(fill_policy) == FillPolicy.FIXED_QUANTITY
        if np.any(fixed) and fixed_quantity is None:
            raise ValueError("a fixed quantity policy needs its fixed_quantity")
        quantity = np.where(fixed, np.asarray(fixed_quantity, dtype=float), quantity)
    return Plan(due, order, risk_day, delivery_day, np.broadcast_to(quantity, due.shape))
