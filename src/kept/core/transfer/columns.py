"""Checks on the shape of a file: its column names, and keys that repeat.

Unknown columns are an error, not a warning: a misspelt optional column
("phone_no") would otherwise be skipped without a word and a whole column of data
lost, while the person believes it was imported. The message lists the columns
that are understood, so the fix (rename or delete the column) is obvious.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from kept.core.transfer.reading import Sheet
from kept.core.transfer.registry import Entity
from kept.core.transfer.report import FileProblem, RowError
from kept.core.transfer.resource import KeptResource
from kept.core.transfer.widgets import as_text


def normal_name(header: str) -> str:
    return header.strip().lower().replace(" ", "_")


def match_columns(entity: Entity, resource: KeptResource, sheet: Sheet, *, financials: bool):
    """The resource column for each column of the file; raise FileProblem listing every problem."""
    known = resource.columns(financials=True, readonly=True)
    names = [normal_name(header) for header in sheet.headers]
    errors = [
        *_unknown(sheet, names, known),
        *_repeated(sheet, names),
        *_forbidden(sheet, names, resource, financials),
        *_missing(sheet, names, entity, resource, financials),
    ]
    if errors:
        raise FileProblem(errors)
    return names


def _unknown(sheet: Sheet, names: list[str], known: list[str]) -> list[RowError]:
    return [
        RowError(
            sheet.header_row,
            header,
            _("Unknown column. The columns understood are: %(known)s.")
            % {"known": ", ".join(known)},
        )
        for header, name in zip(sheet.headers, names, strict=True)
        if name not in known
    ]


def _repeated(sheet: Sheet, names: list[str]) -> list[RowError]:
    seen = set()
    errors = []
    for header, name in zip(sheet.headers, names, strict=True):
        if name in seen:
            errors.append(RowError(sheet.header_row, header, _("This column appears twice.")))
        seen.add(name)
    return errors


def _forbidden(sheet, names, resource, financials: bool) -> list[RowError]:
    if financials:
        return []
    return [
        RowError(sheet.header_row, name, _("You may not import this column; remove it."))
        for name in names
        if name in resource.financial_columns
    ]


def _missing(sheet, names, entity: Entity, resource, financials: bool) -> list[RowError]:
    required = [
        name for name in entity.required if financials or name not in resource.financial_columns
    ]
    missing = [name for name in required if name not in names]
    if not missing:
        return []
    return [
        RowError(
            sheet.header_row,
            "",
            _("Missing columns: %(columns)s. Add them to the first row.")
            % {"columns": ", ".join(missing)},
        )
    ]


def find_repeated_keys(entity: Entity, columns: list[str], sheet: Sheet) -> list[RowError]:
    """Each record may appear once: report every row of a repeated key, naming the others."""
    if not entity.key:
        return []
    positions = [columns.index(name) for name in entity.key]
    rows_by_key = defaultdict(list)
    for number, values in zip(sheet.row_numbers, sheet.rows, strict=True):
        key = tuple(as_text(values[position]) for position in positions)
        if all(key):
            rows_by_key[key].append(number)
    errors = []
    for key, numbers in rows_by_key.items():
        if len(numbers) > 1:
            errors.extend(_repeated_key_errors(entity, " / ".join(key), numbers))
    return errors


def _repeated_key_errors(entity: Entity, value: str, numbers: list[int]) -> list[RowError]:
    problem = _("'%(value)s' appears in rows %(rows)s; each %(key)s may appear only once.") % {
        "value": value,
        "rows": ", ".join(str(number) for number in numbers),
        "key": " + ".join(entity.key),
    }
    return [RowError(number, entity.key[-1], problem) for number in numbers]


@dataclass(frozen=True)
class ColumnHelp:
    name: str
    hint: str
    required: bool
    key: bool
    readonly: bool


def column_guide(entity: Entity, *, financials: bool) -> list[ColumnHelp]:
    """What to write in each column, for the upload page."""
    resource = entity.resource()
    return [
        ColumnHelp(
            name=name,
            hint=resource.fields[name].widget.hint(),
            required=name in entity.required,
            key=name in entity.key,
            readonly=name in resource.readonly_columns,
        )
        for name in resource.columns(financials=financials, readonly=True)
    ]
