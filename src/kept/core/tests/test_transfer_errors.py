"""Broken files: every problem is reported at its row and column, and nothing is written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kept.catalog.models import StockLevel
from kept.core.transfer import RowError, import_file
from kept.customers.models import Customer

pytestmark = pytest.mark.usefixtures("english")
CUSTOMER_HEADER = ["code", "name", "group", "credit_limit"]


def good_customers(count: int) -> list[list[str]]:
    return [[f"C{number:04d}", f"客户{number}", "RETAIL", "1000"] for number in range(count)]


def rejected(entity, data, actor, census, filename="data.csv"):
    """Import for real; assert nothing was written; return the errors."""
    before = census()
    report = import_file(entity, data, filename, dry_run=False, actor=actor)
    assert not report.ok
    assert (report.created, report.updated) == (0, 0)
    assert census() == before, "a failed import must write nothing"
    return report.errors


def test_missing_columns_are_listed(manager, census, make_csv):
    data = make_csv([["sku", "name", "price"], ["RICE5", "大米", "40"]])

    errors = rejected("products", data, manager, census)

    assert errors == [
        RowError(1, "", "Missing columns: unit, cost. Add them to the first row."),
    ]


def test_unknown_column_is_an_error_naming_the_known_ones(manager, lookups, census, make_csv):
    data = make_csv([["code", "name", "phone_no"], ["C1", "张三", "138"]])

    errors = rejected("customers", data, manager, census)

    assert [(error.row, error.column) for error in errors] == [(1, "phone_no")]
    assert "phone" in errors[0].problem and "Unknown column" in errors[0].problem


def test_duplicate_codes_report_both_rows(manager, lookups, census, make_csv):
    rows = good_customers(4)
    rows[3][0] = rows[1][0]  # rows 3 and 5 of the sheet share a code
    data = make_csv([CUSTOMER_HEADER, *rows])

    errors = rejected("customers", data, manager, census)

    problem = "'C0001' appears in rows 3, 5; each code may appear only once."
    assert errors == [RowError(3, "code", problem), RowError(5, "code", problem)]


def test_duplicate_contacts_are_keyed_by_customer_and_name(staff, census, make_csv, lookups):
    Customer.objects.create(code="C1", name="张三")
    data = make_csv([["customer", "name"], ["C1", "王经理"], ["C1", "小李"], ["C1", "王经理"]])

    errors = rejected("contacts", data, staff, census)

    assert [(error.row, error.column) for error in errors] == [(2, "name"), (4, "name")]


@pytest.mark.parametrize(
    ("price", "problem"),
    [
        ("abc", "'abc' is not a number."),
        ("12.345", "Ensure that there are no more than 2 decimal places."),
        ("-1", "Ensure this value is greater than or equal to 0."),
        ("NaN", "'NaN' is not a number."),
    ],
)
def test_bad_numbers(manager, census, make_csv, price, problem):
    data = make_csv(
        [
            ["sku", "name", "unit", "price", "cost"],
            ["RICE5", "大米", "bag", "40", "30"],
            ["OIL1", "油", "bottle", price, "20"],
        ]
    )

    errors = rejected("products", data, manager, census)

    assert errors == [RowError(3, "price", problem)]


def test_bad_whole_number(manager, lookups, census, make_csv):
    data = make_csv([["code", "name", "payment_terms_days"], ["C1", "张三", "7.5"]])

    errors = rejected("customers", data, manager, census)

    assert errors == [RowError(2, "payment_terms_days", "'7.5' is not a whole number.")]


@pytest.mark.parametrize("bad_date", ["2025-13-01", "2025-02-30", "next week", "31/12/2025"])
def test_bad_dates(warehouse, rice, census, make_csv, soon, bad_date):
    data = make_csv(
        [
            ["product", "quantity", "expected_date"],
            ["RICE5", "10", soon.isoformat()],
            ["RICE5", "10", bad_date],
        ]
    )

    errors = rejected("receipts", data, warehouse, census)

    problem = f"'{bad_date}' is not a date; write it as YYYY-MM-DD, e.g. 2025-03-31."
    assert errors == [RowError(3, "expected_date", problem)]


def test_bad_date_in_a_workbook(warehouse, rice, census, make_xlsx, soon):
    data = make_xlsx(
        [["product", "quantity", "expected_date"], ["RICE5", 10, soon], ["RICE5", 5, "soon"]]
    )

    errors = rejected("receipts", data, warehouse, census, filename="receipts.xlsx")

    assert [(error.row, error.column) for error in errors] == [(3, "expected_date")]


def test_receipt_in_the_past_is_refused_by_the_action(warehouse, rice, census, make_csv):
    data = make_csv([["product", "quantity", "expected_date"], ["RICE5", "10", "2020-01-01"]])

    errors = rejected("receipts", data, warehouse, census)

    assert errors == [RowError(2, "expected_date", "The expected date cannot be in the past.")]


def test_empty_file(manager, census):
    for data in (b"", b"\r\n \r\n", b"\xef\xbb\xbf"):
        assert rejected("customers", data, manager, census) == [
            RowError(None, "", "The file is empty.")
        ]


def test_header_only(manager, census, make_csv, make_xlsx):
    problem = "The file has column names but no rows to import. Add one row per record."
    csv_data = make_csv([["code", "name"], [], ["", ""]])
    xlsx_data = make_xlsx([["code", "name"]])

    assert rejected("customers", csv_data, manager, census) == [RowError(None, "", problem)]
    assert rejected("customers", xlsx_data, manager, census, "c.xlsx") == [
        RowError(None, "", problem)
    ]


def test_cell_over_ten_thousand_characters(manager, lookups, census, make_csv):
    rows = good_customers(3)
    rows[1][1] = "米" * 10_001
    data = make_csv([CUSTOMER_HEADER, *rows])

    errors = rejected("customers", data, manager, census)

    problem = "This cell has 10,001 characters; the most allowed is 10,000."
    assert errors == [RowError(3, "name", problem)], "one message per cell, not two"


def test_cell_beyond_what_the_csv_module_reads(manager, lookups, census, make_csv):
    rows = good_customers(3)
    rows[2][1] = "x" * 200_000  # Python's csv refuses fields over 131,072 characters
    data = make_csv([CUSTOMER_HEADER, *rows])

    errors = rejected("customers", data, manager, census)

    assert errors == [RowError(4, "", "A cell is longer than 10,000 characters, the most allowed.")]


def test_unknown_product_sku(warehouse, rice, census, make_csv):
    data = make_csv(
        [
            ["product", "quantity", "reason", "note"],
            ["RICE5", "5", "opening", ""],
            ["NOPE", "5", "opening", ""],
        ]
    )

    errors = rejected("stock_movements", data, warehouse, census)

    assert errors == [RowError(3, "product", "There is no product with SKU 'NOPE'.")]


def test_unknown_references_of_a_customer(manager, lookups, census, make_csv):
    data = make_csv(
        [
            ["code", "name", "group", "region", "owner"],
            ["C1", "张三", "RETAIL", "EAST", "boss"],
            ["C2", "李四", "WHOLESALE", "WEST", "nobody"],
        ]
    )

    errors = rejected("customers", data, manager, census)

    assert errors == [
        RowError(3, "group", "There is no customer group with code 'WHOLESALE'."),
        RowError(3, "owner", "There is no user with username 'nobody'."),
        RowError(3, "region", "There is no region with code 'WEST'."),
    ]


def test_contact_of_an_unknown_customer(staff, census, make_csv):
    data = make_csv([["customer", "name"], ["C404", "王经理"]])

    errors = rejected("contacts", data, staff, census)

    assert errors == [RowError(2, "customer", "There is no customer with code 'C404'.")]


def test_movement_that_would_make_stock_negative(warehouse, rice, census, make_csv):
    # 10 bags on hand: the first two rows take 8, the third would leave -2.
    data = make_csv(
        [
            ["product", "quantity", "reason", "note"],
            ["RICE5", "-4", "damage", "破袋"],
            ["RICE5", "-4", "write_off", "过期"],
            ["RICE5", "-4", "adjustment", ""],
            ["RICE5", "3", "return", ""],
        ]
    )

    errors = rejected("stock_movements", data, warehouse, census)

    assert errors == [RowError(4, "quantity", "Only 2.000 bag on hand; cannot take out 4.")]
    assert StockLevel.objects.get(product=rice).on_hand == Decimal("10")


def test_bad_last_row_after_many_good_rows_writes_nothing(manager, lookups, census, make_csv):
    rows = good_customers(300)
    rows.append(["C9999", "最后一行", "RETAIL", "lots"])
    data = make_csv([CUSTOMER_HEADER, *rows])

    errors = rejected("customers", data, manager, census)

    assert errors == [RowError(302, "credit_limit", "'lots' is not a number.")]
    assert Customer.objects.count() == 0


def test_negative_stock_on_the_last_of_many_movements_writes_nothing(
    warehouse, rice, census, make_csv
):
    rows = [["RICE5", "1", "adjustment", ""] for _ in range(100)]
    rows.append(["RICE5", "-500", "write_off", "丢失"])
    data = make_csv([["product", "quantity", "reason", "note"], *rows])

    errors = rejected("stock_movements", data, warehouse, census)

    assert [(error.row, error.column) for error in errors] == [(102, "quantity")]


def test_model_validation_runs_on_every_row(manager, lookups, census, make_csv):
    data = make_csv(
        [
            ["code", "name", "email", "is_blocked", "window_start", "window_end"],
            ["bad code!", "张三", "not-an-email", "no", "", ""],
            ["C2", "", "", "yes", "18:00", "09:00"],
        ]
    )

    errors = rejected("customers", data, manager, census)

    assert [(error.row, error.column) for error in errors] == [
        (2, "code"),
        (2, "email"),
        (3, ""),
        (3, ""),
        (3, "name"),
    ]
    assert RowError(3, "name", "This cell is empty, but a value is required.") in errors
    problems = {error.problem for error in errors if error.row == 3 and not error.column}
    assert problems == {
        "Give the reason for blocking this customer.",
        "The delivery window must end after it starts.",
    }


def test_every_row_error_is_reported_not_only_the_first(manager, lookups, census, make_csv):
    rows = good_customers(5)
    for row in rows[1::2]:
        row[3] = "x"
    data = make_csv([CUSTOMER_HEADER, *rows])

    errors = rejected("customers", data, manager, census)

    assert [(error.row, error.column) for error in errors] == [
        (3, "credit_limit"),
        (5, "credit_limit"),
    ]


def test_too_many_rows(manager, lookups, census, make_csv, monkeypatch):
    monkeypatch.setattr("kept.core.transfer.reading.MAX_ROWS", 5)
    data = make_csv([CUSTOMER_HEADER, *good_customers(6)])

    errors = rejected("customers", data, manager, census)

    assert errors == [
        RowError(None, "", "The file has more than 5 rows. Split it into smaller files.")
    ]


def test_file_over_the_size_limit(manager, lookups, census, make_csv, settings):
    settings.KEPT_IMPORT_MAX_BYTES = 1000
    data = make_csv([CUSTOMER_HEADER, *good_customers(50)])

    errors = rejected("customers", data, manager, census)

    assert len(errors) == 1 and errors[0].row is None
    assert "the most allowed is 1000" in errors[0].problem.replace("\xa0", " ")


def test_text_that_is_neither_utf8_nor_gbk(manager, census):
    data = "code,name\r\nC1,Zoë\r\n".encode("utf-16")

    errors = rejected("customers", data, manager, census)

    assert len(errors) == 1 and errors[0].row is None
    assert "neither UTF-8 nor GBK" in errors[0].problem


def test_old_excel_file(manager, census):
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600

    errors = rejected("customers", data, manager, census, filename="old.xls")

    assert errors == [
        RowError(
            None,
            "",
            "Old Excel files (.xls) cannot be read. Save the file as .xlsx or CSV and try again.",
        )
    ]


def test_file_named_xlsx_that_is_not_a_workbook(manager, census, make_csv):
    errors = rejected("customers", make_csv([["code"], ["C1"]]), manager, census, "c.xlsx")

    assert errors == [RowError(None, "", "This file is named .xlsx but is not an Excel workbook.")]


def test_movement_reasons_are_the_manual_ones(warehouse, rice, census, make_csv):
    data = make_csv([["product", "quantity", "reason"], ["RICE5", "5", "delivery"]])

    errors = rejected("stock_movements", data, warehouse, census)

    assert errors == [
        RowError(
            2,
            "reason",
            "'delivery' is not one of: opening, return, count, damage, write_off, adjustment.",
        )
    ]


@pytest.mark.parametrize(
    ("quantity", "reason", "note", "column", "problem"),
    [
        (
            "5",
            "damage",
            "破袋",
            "quantity",
            "Damaged takes stock out; write the quantity as negative, e.g. -5.",
        ),
        (
            "-5",
            "opening",
            "",
            "quantity",
            "Opening balance brings stock in; the quantity must be positive.",
        ),
        (
            "0",
            "adjustment",
            "",
            "quantity",
            "A movement must change the stock; the quantity is zero.",
        ),
        (
            "-1",
            "write_off",
            "",
            "note",
            "Say why: a note is required for write-offs, damage and count corrections.",
        ),
    ],
)
def test_movement_direction_and_note(
    warehouse, rice, census, make_csv, quantity, reason, note, column, problem
):
    data = make_csv([["product", "quantity", "reason", "note"], ["RICE5", quantity, reason, note]])

    errors = rejected("stock_movements", data, warehouse, census)

    assert errors == [RowError(2, column, problem)]


def test_an_empty_required_cell_is_named_plainly(warehouse, rice, census, make_csv):
    data = make_csv([["product", "quantity", "reason"], ["", "5", ""]])

    errors = rejected("stock_movements", data, warehouse, census)

    empty = "This cell is empty, but a value is required."
    assert errors == [RowError(2, "product", empty), RowError(2, "reason", empty)]


def test_receipt_cannot_be_imported_as_received(warehouse, rice, census, make_csv, soon):
    data = make_csv(
        [["product", "quantity", "expected_date", "status"], ["RICE5", "5", soon, "received"]]
    )

    errors = rejected("receipts", data, warehouse, census)

    assert [(error.row, error.column) for error in errors] == [(2, "status")]


def test_row_with_more_cells_than_column_names(manager, lookups, census, make_csv):
    data = make_csv([["code", "name"], ["C1", "张三"], ["C2", "李四", "extra"]])

    errors = rejected("customers", data, manager, census)

    assert errors == [
        RowError(3, "", "This row has more cells than the first row has column names.")
    ]


def test_error_row_numbers_count_blank_lines_like_a_spreadsheet(manager, lookups, census, make_csv):
    data = make_csv(
        [CUSTOMER_HEADER, ["C1", "张三", "", ""], [], ["", "", "", ""], ["C2", "李四", "", "?"]]
    )

    errors = rejected("customers", data, manager, census)

    assert errors == [RowError(5, "credit_limit", "'?' is not a number.")]


def test_an_error_reads_as_a_sentence():
    assert str(RowError(7, "price", "'abc' is not a number.")) == (
        "Row 7, column price: 'abc' is not a number."
    )
    assert str(RowError(3, "", "Too long.")) == "Row 3: Too long."
    assert str(RowError(None, "", "The file is empty.")) == "The file is empty."


def test_dates_written_as_excel_day_numbers_are_understood(warehouse, rice, make_xlsx):
    target = date(2099, 1, 31)
    serial = (target - date(1899, 12, 30)).days
    data = make_xlsx([["product", "quantity", "expected_date"], ["RICE5", 1, serial]])

    report = import_file("receipts", data, "r.xlsx", dry_run=False, actor=warehouse)

    assert report.ok, report.errors
    assert rice.receipts.get().expected_date == target
