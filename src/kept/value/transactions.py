"""Reading a transaction file for the CLV models: CSV with a header, or the raw whitespace
layout of the CDNOW data (no header, columns by position).

No Django. Errors are ``TransactionFileError`` with a message fit for the command line.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

_DATE_CELL = re.compile(r"^(\d{8}|\d{4}-\d{2}-\d{2})$")


class TransactionFileError(ValueError):
    """The file cannot give (customer, date, value) rows; the message says why."""


@dataclass(frozen=True)
class Transactions:
    customer: np.ndarray
    when: np.ndarray  # datetime64[D]
    value: np.ndarray | None


def read_transactions(
    path: str | Path,
    *,
    customer_column: str | None = None,
    date_column: str | None = None,
    value_column: str | None = None,
) -> Transactions:
    """The transactions in ``path``.

    A file whose first line has a non-numeric cell besides a date is CSV with a header
    (comma, semicolon or tab), its columns named. Otherwise it is the raw layout: cells
    separated by white space, columns given by 1-based position; without positions the
    date is the first ``YYYYMMDD`` cell, the customer the cell before it and the value the
    last cell (CDNOW: ``master_id customer_id date cds_bought dollar_value`` gives 2, 3, 5).
    Dates are ``YYYY-MM-DD`` or ``YYYYMMDD``.
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise TransactionFileError(f"cannot read {path}: {error}") from None
    numbered = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    numbers, lines = [n for n, _ in numbered], [line for _, line in numbered]
    if not lines:
        raise TransactionFileError(f"{path} is empty: no transactions")
    if _has_header(lines[0]):
        header, rows = _csv_rows(lines)
        numbers = numbers[1:]
        customer_at = _named(header, customer_column, "--customer-col")
        date_at = _named(header, date_column, "--date-col")
        value_at = None if value_column is None else _named(header, value_column, "--value-col")
    else:
        rows = _plain_rows(lines)
        customer_at, date_at, value_at = _positions(
            rows[0], customer_column, date_column, value_column
        )
    if not rows:
        raise TransactionFileError(f"{path} has a header but no transactions")
    return _parse(rows, numbers, customer_at, date_at, value_at)


def _has_header(line: str) -> bool:
    cells = re.split(r"[,;\t]", line) if re.search(r"[,;\t]", line) else line.split()
    return any(not _numeric(cell.strip()) for cell in cells)


def _numeric(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return bool(re.match(r"^\d{4}-\d{2}-\d{2}", cell))  # a date is data, not a header
    return True


def _csv_rows(lines: list[str]) -> tuple[list[str], list[list[str]]]:
    header, *rows = _csv_split(lines)
    return [cell.strip() for cell in header], rows


def _csv_split(lines: list[str]) -> list[list[str]]:
    try:
        dialect = csv.Sniffer().sniff(lines[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(lines, dialect))


def _plain_rows(lines: list[str]) -> list[list[str]]:
    if re.search(r"[,;\t]", lines[0].strip()):
        return _csv_split(lines)
    return [line.split() for line in lines]


def _named(header: list[str], name: str | None, flag: str) -> int:
    if name is None:
        raise TransactionFileError(f"the file has a header: name the column with {flag}")
    if name not in header:
        raise TransactionFileError(f"no column {name!r} ({flag}); the columns are {header}")
    return header.index(name)


def _positions(first: list[str], customer, day, value) -> tuple[int, int, int | None]:
    def position(given, flag):
        if not given.isdigit() or not 1 <= int(given) <= len(first):
            raise TransactionFileError(
                f"{flag} {given!r}: the file has no header, so give a column position "
                f"from 1 to {len(first)}"
            )
        return int(given) - 1

    if day is None:
        found = [i for i, cell in enumerate(first) if _DATE_CELL.match(cell)]
        if not found:
            raise TransactionFileError(
                "no date (YYYYMMDD or YYYY-MM-DD) in the first row: give --date-col"
            )
        date_at = found[0]
    else:
        date_at = position(day, "--date-col")
    if customer is None:
        if date_at == 0:
            raise TransactionFileError("the date is the first column: give --customer-col")
        customer_at = date_at - 1
    else:
        customer_at = position(customer, "--customer-col")
    if value is not None:
        value_at = position(value, "--value-col")
    else:
        value_at = len(first) - 1 if len(first) - 1 > date_at + 1 else None
    return customer_at, date_at, value_at


def _parse(rows, numbers, customer_at, date_at, value_at) -> Transactions:
    width = max(customer_at, date_at, -1 if value_at is None else value_at) + 1
    for number, row in zip(numbers, rows, strict=True):
        if len(row) < width:
            raise TransactionFileError(f"line {number}: {len(row)} cells, expected {width}")
    days = {}
    for number, row in zip(numbers, rows, strict=True):
        cell = row[date_at].strip()
        if cell not in days:
            days[cell] = _day(cell, number)
    when = np.array([days[row[date_at].strip()] for row in rows], dtype="datetime64[D]")
    customer = np.array([row[customer_at].strip() for row in rows])
    value = None if value_at is None else _values(rows, value_at, numbers)
    return Transactions(customer=customer, when=when, value=value)


def _day(cell: str, number: int) -> date:
    text = cell[:10] if len(cell) > 10 and cell[10] in "T " else cell
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise TransactionFileError(
            f"line {number}: bad date {cell!r} (use YYYY-MM-DD or YYYYMMDD)"
        ) from None


def _values(rows, value_at: int, numbers: list[int]) -> np.ndarray:
    values = np.empty(len(rows))
    for index, (number, row) in enumerate(zip(numbers, rows, strict=True)):
        try:
            values[index] = float(row[value_at])
        except ValueError:
            raise TransactionFileError(
                f"line {number}: bad value {row[value_at]!r} (a number)"
            ) from None
    if not np.all(np.isfinite(values)):
        raise TransactionFileError("values must be finite numbers")
    return values
