"""Cell parsing and file reading, without a database."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest

from kept.core.transfer.reading import decode, read_sheet
from kept.core.transfer.report import FileProblem
from kept.core.transfer.widgets import (
    BooleanWidget,
    escape_formula,
    parse_date,
    parse_decimal,
    parse_time,
    unescape_formula,
)

pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.parametrize(
    ("cell", "number"),
    [
        ("12.50", Decimal("12.50")),
        (" -3 ", Decimal("-3")),
        ("1,234.5", Decimal("1234.5")),
        ("１２．５", Decimal("12.5")),  # typed with a Chinese input method
        (7, Decimal("7")),
        (0.1 + 0.2, Decimal("0.3")),  # what Excel shows, not binary noise
        (".5", Decimal("0.5")),
    ],
)
def test_numbers(cell, number):
    assert parse_decimal(cell) == number


@pytest.mark.parametrize("cell", ["abc", "1,2,3", "1.2.3", "NaN", "Infinity", "1e5", True, "12元"])
def test_not_numbers(cell):
    with pytest.raises(ValueError, match="is not a number"):
        parse_decimal(cell)


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        ("2025-03-31", date(2025, 3, 31)),
        ("2025/3/1", date(2025, 3, 1)),
        ("2025年3月1日", date(2025, 3, 1)),
        ("2025-03-31 00:00:00", date(2025, 3, 31)),
        (datetime(2025, 3, 31, 8, 0), date(2025, 3, 31)),
        (date(2025, 3, 31), date(2025, 3, 31)),
        (45747, date(2025, 3, 31)),  # an Excel day number
        ("45747", date(2025, 3, 31)),
    ],
)
def test_dates(cell, day):
    assert parse_date(cell) == day


@pytest.mark.parametrize("cell", ["31/03/2025", "2025-02-29", "tomorrow", "2025-3", "123"])
def test_not_dates(cell):
    with pytest.raises(ValueError, match="is not a date"):
        parse_date(cell)


@pytest.mark.parametrize(
    ("cell", "moment"),
    [
        ("9:30", time(9, 30)),
        ("18:05:09", time(18, 5, 9)),
        (0.375, time(9, 0)),
        (time(7, 0), time(7, 0)),
    ],
)
def test_times(cell, moment):
    assert parse_time(cell) == moment


@pytest.mark.parametrize("cell", ["24:00", "9.30", "noon", "12:60"])
def test_not_times(cell):
    with pytest.raises(ValueError, match="is not a time of day"):
        parse_time(cell)


@pytest.mark.parametrize(
    ("cell", "value"),
    [("yes", True), ("是", True), ("TRUE", True), (1, True), ("否", False), ("0", False)],
)
def test_yes_and_no(cell, value):
    assert BooleanWidget().clean(cell) is value


def test_neither_yes_nor_no():
    with pytest.raises(ValueError, match="is not yes or no"):
        BooleanWidget().clean("maybe")


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("@cmd", "'@cmd"),
        ("-bad", "'-bad"),
        ("+86 138 0000 0000", "+86 138 0000 0000"),
        ("-12.50", "-12.50"),
        ("张三", "张三"),
    ],
)
def test_formula_escaping_round_trips(text, escaped):
    assert escape_formula(text) == escaped
    assert unescape_formula(escape_formula(text)) == text


def test_decoding_prefers_utf8_then_gbk():
    assert decode("代码".encode()) == "代码"
    assert decode("\ufeff代码".encode()) == "代码"
    assert decode("代码".encode("gbk")) == "代码"
    with pytest.raises(FileProblem, match="neither UTF-8 nor GBK"):
        decode("代码".encode("utf-16"))


def test_reading_skips_blank_rows_but_keeps_their_numbers(settings):
    sheet = read_sheet(b"\r\ncode,name\r\nC1,a\r\n,\r\n\r\nC2,b\r\n", "x.csv")

    assert sheet.header_row == 2
    assert sheet.row_numbers == [3, 6]
    assert sheet.rows == [["C1", "a"], ["C2", "b"]]


def test_unnamed_empty_columns_are_dropped_but_unnamed_data_is_not():
    assert read_sheet(b"code,,name,\r\nC1,,a,\r\n", "x.csv").headers == ["code", "name"]
    with pytest.raises(FileProblem, match="Column 2 has data but no name"):
        read_sheet(b"code,,name\r\nC1,?,a\r\n", "x.csv")


def test_multiline_cells_count_as_one_spreadsheet_row():
    sheet = read_sheet(b'code,address\r\nC1,"line 1\r\nline 2"\r\nC2,x\r\n', "x.csv")

    assert sheet.row_numbers == [2, 3]
    assert sheet.rows[0][1] == "line 1\nline 2"
