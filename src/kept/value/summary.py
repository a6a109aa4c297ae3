"""From transactions to the customer summary the CLV models read (SPEC 2.7).

Pure numpy, no Django. One row per customer who bought by the end of the calibration
period, in an explicit time unit:

- ``frequency`` (x): repeat transactions, i.e. distinct purchase days after the first;
- ``recency`` (t_x): time of the last purchase since the first;
- ``T``: the customer's age at the end of calibration (end − first purchase);
- ``monetary``: mean value of the repeat transactions (0 without a repeat).

Several purchases of one customer on one day are one transaction with their values summed,
as the literature does for CDNOW (Fader, Hardie & Lee 2005); a day is the finest grain, so
times are whole days divided by the unit's length (a customer who first bought on
1997-01-01 has T = 272 / 7 = 38.857 weeks at 1997-09-30).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

UNIT_DAYS = {"day": 1.0, "week": 7.0, "month": 365.25 / 12, "year": 365.25}
"""Length of each time unit in days (a month is the mean Gregorian month)."""


@dataclass(frozen=True)
class CustomerSummary:
    """Per-customer (x, t_x, T, m) at ``calibration_end``, times in ``unit``."""

    customer: np.ndarray
    frequency: np.ndarray
    recency: np.ndarray
    T: np.ndarray
    monetary: np.ndarray
    unit: str
    calibration_end: date

    def __len__(self) -> int:
        return len(self.customer)


def unit_days(unit: str) -> float:
    """The length of ``unit`` in days; a clear error for an unknown unit."""
    try:
        return UNIT_DAYS[unit]
    except KeyError:
        raise ValueError(f"unknown time unit {unit!r}; use one of {', '.join(UNIT_DAYS)}") from None


def summarise_transactions(
    customer,
    when,
    value=None,
    *,
    calibration_end: date,
    unit: str,
) -> CustomerSummary:
    """The customer summary of the transactions made up to ``calibration_end`` (inclusive).

    ``customer`` is any array of ids, ``when`` dates (``datetime.date``, ISO strings or
    ``datetime64``), ``value`` the amount of each row (``None``: monetary is 0). Rows after
    ``calibration_end`` are ignored, so customers who first bought later are not in the
    summary. Customers come out sorted by id.
    """
    length = unit_days(unit)
    days = np.asarray(when, dtype="datetime64[D]").astype(np.int64)
    ids = np.asarray(customer)
    amounts = np.zeros(len(days)) if value is None else np.asarray(value, dtype=float)
    if not len(ids) == len(days) == len(amounts):
        raise ValueError("customer, when and value must have the same length")
    end = np.datetime64(calibration_end, "D").astype(np.int64)
    kept = days <= end
    codes, index = np.unique(ids[kept], return_inverse=True)
    days, amounts = days[kept], amounts[kept]

    order = np.lexsort((days, index))
    index, days, amounts = index[order], days[order], amounts[order]
    opens = _starts(index, days)  # one transaction per customer and day
    index, days, amounts = index[opens], days[opens], np.add.reduceat(amounts, opens)
    first = _starts(index)
    count = np.diff(np.append(first, len(index)))
    frequency = count - 1
    repeat_total = np.add.reduceat(amounts, first) - amounts[first] if len(first) else amounts
    with np.errstate(invalid="ignore", divide="ignore"):
        monetary = np.where(frequency > 0, repeat_total / np.maximum(frequency, 1), 0.0)
    return CustomerSummary(
        customer=codes[index[first]],
        frequency=frequency,
        recency=(days[first + count - 1] - days[first]) / length,
        T=(end - days[first]) / length,
        monetary=monetary,
        unit=unit,
        calibration_end=calibration_end,
    )


def _starts(*keys: np.ndarray) -> np.ndarray:
    """Positions where any of the sorted ``keys`` changes (the first row of each run)."""
    if not len(keys[0]):
        return np.zeros(0, dtype=np.int64)
    change = np.zeros(len(keys[0]), dtype=bool)
    change[0] = True
    for key in keys:
        change[1:] |= key[1:] != key[:-1]
    return np.flatnonzero(change)
