"""RFM quintile scores and the four-quadrant map (SPEC 2.7). Pure: numpy, no Django.

Each customer scores 1–5 on **recency** (days since the last purchase; fewer is better),
**frequency** (purchases) and **monetary** value (spend), by quintile among all customers.
Ties share a score: customers with equal values are never split across two quintiles.

The **four-quadrant map** crosses value (high/low, e.g. CLV or profit against the median)
with relationship (high/low, e.g. the RFM recency and frequency scores): the default names
are below; a business renames them and gives each a service strategy.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np


def quintiles(values, *, higher_is_better: bool = True) -> np.ndarray:
    """Scores 1–5 by quintile of ``values`` (5 = best). Each value is placed at its mid-rank
    (the customers worse than it, plus half of those equal), so equal values get equal
    scores and a handful of customers still spreads over the scale."""
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        return np.zeros(0, dtype=int)
    if np.isnan(data).any():
        raise ValueError("RFM values must be numbers (no NaN).")
    keyed = data if higher_is_better else -data
    order = np.sort(keyed)
    worse = np.searchsorted(order, keyed, side="left")  # customers strictly worse
    equal = np.searchsorted(order, keyed, side="right") - worse
    midrank = (worse + equal / 2) / data.size
    return np.clip(np.ceil(5 * midrank), 1, 5).astype(int)


def rfm(recency_days, frequency, monetary) -> np.ndarray:
    """An (n, 3) array of R, F, M scores."""
    return np.column_stack(
        [
            quintiles(recency_days, higher_is_better=False),
            quintiles(frequency),
            quintiles(monetary),
        ]
    )


class Quadrant(StrEnum):
    """Value × relationship; the keys are stable, their names and strategies are settings."""

    PARTNERS = "partners"  # high value, close relationship: keep and grow
    AT_RISK_VALUE = "at_risk_value"  # high value, weak relationship: win the relationship
    LOYAL_SMALL = "loyal_small"  # low value, close relationship: serve efficiently
    TRANSACTIONAL = "transactional"  # low value, weak relationship: serve at lowest cost


def quadrant(value_high: bool, relationship_high: bool) -> Quadrant:
    if value_high:
        return Quadrant.PARTNERS if relationship_high else Quadrant.AT_RISK_VALUE
    return Quadrant.LOYAL_SMALL if relationship_high else Quadrant.TRANSACTIONAL


def quadrants(value, relationship) -> list[Quadrant]:
    """Each customer's quadrant: value and relationship above their medians are high."""
    value, relationship = np.asarray(value, float), np.asarray(relationship, float)
    if value.size == 0:
        return []
    high_value = value > np.median(value)
    high_relationship = relationship > np.median(relationship)
    return [quadrant(v, r) for v, r in zip(high_value, high_relationship, strict=True)]
