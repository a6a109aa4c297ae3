"""Turn the bytes of an uploaded CSV or XLSX file into a header and rows.

Row numbers are the ones a person sees in the spreadsheet: the header is row 1.
Blank rows are skipped but still counted, so the numbers stay true.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

import openpyxl
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from kept.core.transfer.report import FileProblem, RowError

MAX_ROWS = 50_000
MAX_CELL_CHARACTERS = 10_000
# A workbook is a zip; refuse one that unpacks to far more than any honest sheet would.
MAX_UNPACKED_RATIO = 25
_ZIP = b"PK\x03\x04"
_OLD_EXCEL = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DELIMITERS = (",", ";", "\t")


@dataclass
class Sheet:
    headers: list[str]
    header_row: int = 1
    rows: list[list] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def read_sheet(data: bytes, filename: str) -> Sheet:
    """Read the first sheet of an XLSX file, or a CSV file; raise FileProblem if unusable."""
    _check_size(data)
    numbered_rows = _xlsx_rows(data) if _is_workbook(data, filename) else _csv_rows(decode(data))
    return _collect(numbered_rows)


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GB18030, a superset of GBK and GB2312."""
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if "\x00" not in text:
                return text.lstrip("\ufeff")
    raise FileProblem.whole_file(
        _(
            "The file's text is neither UTF-8 nor GBK. In Excel, save it as "
            "“CSV UTF-8” or as an Excel workbook (.xlsx) and try again."
        )
    )


def _check_size(data: bytes) -> None:
    limit = settings.KEPT_IMPORT_MAX_BYTES
    if not data.strip():
        raise FileProblem.whole_file(_("The file is empty."))
    if len(data) > limit:
        raise FileProblem.whole_file(
            _("The file is %(size)s; the most allowed is %(limit)s. Split it into smaller files.")
            % {"size": filesizeformat(len(data)), "limit": filesizeformat(limit)}
        )


def _is_workbook(data: bytes, filename: str) -> bool:
    if data.startswith(_ZIP):
        return True
    if data.startswith(_OLD_EXCEL):
        raise FileProblem.whole_file(
            _("Old Excel files (.xls) cannot be read. Save the file as .xlsx or CSV and try again.")
        )
    if os.path.splitext(filename.lower())[1] in {".xlsx", ".xlsm"}:
        raise FileProblem.whole_file(_("This file is named .xlsx but is not an Excel workbook."))
    return False


def _guess_delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    return max(_DELIMITERS, key=first_line.count) if first_line else ","


def _csv_rows(text: str) -> Iterator[tuple[int, list]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_guess_delimiter(text))
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            yield number, record
    except csv.Error as error:
        # The csv module refuses fields over 131,072 characters before we can see them.
        problem = (
            _("A cell is longer than %(limit)s characters, the most allowed.")
            % {"limit": f"{MAX_CELL_CHARACTERS:,}"}
            if "field limit" in str(error)
            else _("This row cannot be read as CSV (%(error)s).") % {"error": error}
        )
        raise FileProblem([RowError(number + 1, "", problem)]) from error


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list]]:
    _check_unpacked_size(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign zip
        raise FileProblem.whole_file(
            _("This file is not an Excel workbook (.xlsx) that can be read.")
        ) from error
    try:
        for number, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True), 1):
            yield number, list(values)
    finally:
        workbook.close()


def _check_unpacked_size(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise FileProblem.whole_file(
            _("This file is not an Excel workbook (.xlsx) that can be read.")
        ) from error
    if unpacked > MAX_UNPACKED_RATIO * settings.KEPT_IMPORT_MAX_BYTES:
        raise FileProblem.whole_file(_("This workbook is too large when unpacked to import."))


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    return value


def _is_blank(values: list) -> bool:
    return all(value == "" for value in values)


def _collect(numbered_rows: Iterator[tuple[int, list]]) -> Sheet:
    sheet = None
    for number, raw in numbered_rows:
        values = [_cell(value) for value in raw]
        if _is_blank(values):
            continue
        if sheet is None:
            headers = [str(value).lstrip("\ufeff").strip() for value in values]
            sheet = Sheet(headers=headers, header_row=number)
            _check_cells(sheet, number, values)
            continue
        _add_row(sheet, number, values)
    if sheet is None:
        raise FileProblem.whole_file(_("The file is empty."))
    if not sheet.rows:
        raise FileProblem.whole_file(
            _("The file has column names but no rows to import. Add one row per record.")
        )
    _drop_unnamed_columns(sheet)
    return sheet


def _add_row(sheet: Sheet, number: int, values: list) -> None:
    if len(sheet.rows) == MAX_ROWS:
        raise FileProblem.whole_file(
            _("The file has more than %(limit)s rows. Split it into smaller files.")
            % {"limit": f"{MAX_ROWS:,}"}
        )
    width = len(sheet.headers)
    if not _is_blank(values[width:]):
        sheet.errors.append(
            RowError(number, "", _("This row has more cells than the first row has column names."))
        )
    values = values[:width] + [""] * (width - len(values))
    _check_cells(sheet, number, values)
    sheet.rows.append(values)
    sheet.row_numbers.append(number)


def _check_cells(sheet: Sheet, number: int, values: list) -> None:
    for name, value in zip(sheet.headers, values, strict=False):
        if isinstance(value, str) and len(value) > MAX_CELL_CHARACTERS:
            sheet.errors.append(
                RowError(
                    number,
                    name,
                    _("This cell has %(count)s characters; the most allowed is %(limit)s.")
                    % {"count": f"{len(value):,}", "limit": f"{MAX_CELL_CHARACTERS:,}"},
                )
            )


def _drop_unnamed_columns(sheet: Sheet) -> None:
    """Excel often keeps empty columns with no name; drop them, but not if they hold data."""
    keep = []
    for index, name in enumerate(sheet.headers):
        if name:
            keep.append(index)
        elif any(row[index] != "" for row in sheet.rows):
            raise FileProblem(
                [
                    RowError(
                        sheet.header_row,
                        "",
                        _("Column %(number)s has data but no name.") % {"number": index + 1},
                    )
                ]
            )
    sheet.headers = [sheet.headers[index] for index in keep]
    sheet.rows = [[row[index] for index in keep] for row in sheet.rows]
