"""``kept clv fit``: a CLV model fitted to a transaction file, as a JSON-ready dict."""

from __future__ import annotations

from datetime import date

from kept.value import clv
from kept.value.transactions import read_transactions

MODELS = {"bgnbd": "BG/NBD", "pnbd": "Pareto/NBD", "gg": "Gamma–Gamma"}


def fit_report(
    path: str,
    *,
    model: str,
    unit: str,
    calibration_end: date,
    customer_column: str | None = None,
    date_column: str | None = None,
    value_column: str | None = None,
) -> dict:
    """Read ``path``, summarise it at ``calibration_end`` in ``unit`` and fit ``model``
    (``bgnbd``, ``pnbd`` or ``gg``). Raises ``ValueError`` (a ``TransactionFileError`` for
    the file) with a message for the command line."""
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; use one of {', '.join(MODELS)}")
    rows = read_transactions(
        path, customer_column=customer_column, date_column=date_column, value_column=value_column
    )
    if model == "gg" and rows.value is None:
        raise ValueError("Gamma–Gamma needs the transaction values: give --value-col")
    summary = clv.summarise_transactions(
        rows.customer, rows.when, rows.value, calibration_end=calibration_end, unit=unit
    )
    if not len(summary):
        raise ValueError(f"no customer bought by {calibration_end.isoformat()}")
    if model == "gg":
        fitted = clv.fit_gamma_gamma(summary.frequency, summary.monetary)
    elif model == "pnbd":
        fitted = clv.fit_pareto_nbd(summary.frequency, summary.recency, summary.T, unit=unit)
    else:
        fitted = clv.fit_bgnbd(summary.frequency, summary.recency, summary.T, unit=unit)
    return {
        "model": model,
        "params": fitted.params,
        "log_likelihood": fitted.log_likelihood,
        "customers": int(fitted.customers),
        "unit": unit,
        "calibration_end": calibration_end.isoformat(),
    }
