"""Import a file, all or nothing.

The whole file runs inside one transaction: every row is validated and written
(each in its own savepoint, so one bad row cannot hide the next one's problems),
then the transaction is rolled back if anything was wrong or this is a dry run.
A dry run therefore sees exactly what a real import would: new versus update,
references created earlier in the same file, and the running stock balance.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time

import tablib
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.utils.translation import gettext as _

from kept.core import audit
from kept.core.transfer.columns import find_repeated_keys, match_columns
from kept.core.transfer.reading import Sheet, read_sheet
from kept.core.transfer.registry import check_may_import, get_entity
from kept.core.transfer.report import (
    PREVIEW_ROWS,
    FileProblem,
    ImportReport,
    PreviewCell,
    PreviewRow,
    RowError,
)
from kept.core.transfer.resource import KeptResource, may_see_financials

PREVIEW_CELL_CHARACTERS = 200


def import_file(entity: str, data: bytes, filename: str, *, dry_run: bool, actor) -> ImportReport:
    """Check and import ``data`` (CSV or XLSX bytes) as ``entity``; see ImportReport.

    ``actor`` is the user importing, or ``None`` for the system (the command line).
    Raises PermissionDenied if the actor may not import this entity, ValueError for
    an unknown entity. Problems with the file itself are reported, never raised.
    """
    spec = get_entity(entity)
    check_may_import(actor, spec)
    report = ImportReport(entity=entity, filename=filename, dry_run=dry_run)
    resource = spec.resource(actor=actor)
    try:
        sheet = read_sheet(data, filename)
        columns = match_columns(spec, resource, sheet, financials=may_see_financials(actor))
    except FileProblem as problem:
        report.errors = problem.errors
        return report
    report.rows_total = len(sheet.rows)
    report.columns = [name for name in columns if name not in resource.readonly_columns]
    errors = sheet.errors + find_repeated_keys(spec, columns, sheet)
    with transaction.atomic():
        result = resource.import_data(tablib.Dataset(*sheet.rows, headers=columns))
        errors += _row_errors(result, resource, sheet, already=errors)
        _finish(report, resource, sheet, columns, result, errors)
        if report.written:
            audit.record(actor, f"import.{entity}", changes=_summary(report))
        else:
            transaction.set_rollback(True)
    return report


def _finish(report: ImportReport, resource, sheet: Sheet, columns, result, errors) -> None:
    report.errors = sorted(errors, key=lambda error: (error.row or 0, error.column))
    report.preview = _preview(report, resource, sheet, columns, result)
    if report.ok:
        report.created = sum(1 for row in result.rows if row.is_new())
        report.updated = sum(1 for row in result.rows if row.is_update())


def _summary(report: ImportReport) -> dict:
    return {
        "file": report.filename,
        "rows": report.rows_total,
        "created": report.created,
        "updated": report.updated,
    }


def _row_errors(result, resource: KeptResource, sheet: Sheet, *, already) -> list[RowError]:
    """Every row's problems, except in cells already reported (a cell too long, say)."""
    errors = []
    for row_result in result.rows:
        number = sheet.row_numbers[row_result.number - 1]
        if row_result.validation_error is not None:
            errors += _validation_errors(number, row_result.validation_error, resource)
        for error in row_result.errors:
            problem = _("This row could not be saved (%(error)s).") % {"error": error.error}
            errors.append(RowError(number, "", problem))
    for error in result.base_errors:
        errors.append(
            RowError(None, "", _("The import failed (%(error)s).") % {"error": error.error})
        )
    reported = {(error.row, error.column) for error in already}
    return [error for error in errors if (error.row, error.column) not in reported]


def _validation_errors(number: int, error, resource: KeptResource) -> list[RowError]:
    messages = (
        error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    )
    return [
        RowError(number, resource.column_of(attribute), message)
        for attribute, problems in messages.items()
        for message in problems
    ]


def _preview(report: ImportReport, resource, sheet: Sheet, columns, result) -> list[PreviewRow]:
    """The first rows as they would be written; a row with a problem shows what the file says."""
    bad_columns = defaultdict(set)
    for error in report.errors:
        bad_columns[error.row].add(error.column)
    preview = []
    for row_result in result.rows[:PREVIEW_ROWS]:
        index = row_result.number - 1
        number = sheet.row_numbers[index]
        if number in bad_columns or not row_result.is_valid():
            values = dict(zip(columns, sheet.rows[index], strict=True))
            cells = _file_cells(values, report.columns, bad_columns[number])
            preview.append(PreviewRow(number, "error", cells))
        else:
            cells = _written_cells(resource, row_result.instance, report.columns)
            preview.append(PreviewRow(number, row_result.import_type, cells))
    return preview


def _file_cells(values: dict, names: list[str], bad: set[str]) -> list[PreviewCell]:
    return [PreviewCell(_shown(values[name]), name in bad) for name in names]


def _written_cells(resource, instance, names: list[str]) -> list[PreviewCell]:
    return [PreviewCell(_shown(resource.fields[name].export(instance))) for name in names]


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    text = str(value)
    if len(text) > PREVIEW_CELL_CHARACTERS:
        return text[: PREVIEW_CELL_CHARACTERS - 1] + "…"
    return text
