"""Export an entity, or an empty template, as CSV or XLSX.

CSV is UTF-8 with a byte-order mark, so Excel shows Chinese text correctly. Text
that a spreadsheet would run as a formula (a name starting with "=", say) is made
inert: in XLSX it is stored as text; in CSV it gets a leading apostrophe, which the
import removes again, so export → import gives back the same text.
"""

from __future__ import annotations

import csv
import io

import tablib
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from kept.core.transfer.registry import check_may_export, check_may_import, get_entity
from kept.core.transfer.resource import may_see_financials
from kept.core.transfer.widgets import escape_formula

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_entity(entity: str, fmt: str, *, user) -> tuple[bytes, str, str]:
    """All records of ``entity`` as (file bytes, content type, file name).

    ``user`` decides the columns: ``cost`` only for those who may see financials.
    ``None`` is the system (the command line). Raises PermissionDenied without the
    view permission, ValueError for an unknown entity or format.
    """
    spec = get_entity(entity)
    _check_format(fmt)
    check_may_export(user, spec)
    resource = spec.resource(actor=user)
    columns = resource.columns(financials=may_see_financials(user), readonly=True)
    dataset = resource.export(
        resource.get_export_queryset(), export_fields=columns, force_native_type=fmt == "xlsx"
    )
    filename = f"{entity}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    return write_dataset(dataset, fmt, title=entity), FORMATS[fmt], filename


def template_file(entity: str, fmt: str, *, user) -> tuple[bytes, str, str]:
    """An empty file with just the columns ``user`` may import, to fill in."""
    spec = get_entity(entity)
    _check_format(fmt)
    check_may_import(user, spec)
    resource = spec.resource(actor=user)
    columns = resource.columns(financials=may_see_financials(user), readonly=False)
    dataset = tablib.Dataset(headers=columns)
    return write_dataset(dataset, fmt, title=entity), FORMATS[fmt], f"{entity}-template.{fmt}"


def write_dataset(dataset: tablib.Dataset, fmt: str, *, title: str) -> bytes:
    if fmt == "xlsx":
        return _write_xlsx(dataset, title)
    return _write_csv(dataset)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(_("Unknown file format %(format)s; use csv or xlsx.") % {"format": fmt})


def _csv_cell(value) -> str:
    return "" if value is None else escape_formula(str(value))


def _write_csv(dataset: tablib.Dataset) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(dataset.headers)
    for row in dataset:
        writer.writerow([_csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_cell(sheet, value):
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # never a formula
        return cell
    return value


def _write_xlsx(dataset: tablib.Dataset, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    for index, header in enumerate(dataset.headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(header) + 4)
    bold = Font(bold=True)
    header_cells = []
    for header in dataset.headers:
        cell = _xlsx_cell(sheet, header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in dataset:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
