"""Import and export of customers, contacts, products, stock movements and receipts.

The public API is plain; django-import-export resources (``customers/resources.py``,
``catalog/resources.py``) do the field mapping underneath::

    report = import_file("customers", data, "customers.xlsx", dry_run=True, actor=user)
    if report.ok:
        report = import_file("customers", data, "customers.xlsx", dry_run=False, actor=user)
    data, content_type, filename = export_entity("products", "xlsx", user=user)

An import is all or nothing: if any row has a problem, nothing is written.
"""

from kept.core.transfer.columns import ColumnHelp, column_guide
from kept.core.transfer.importing import import_file
from kept.core.transfer.reading import MAX_CELL_CHARACTERS, MAX_ROWS
from kept.core.transfer.registry import ENTITIES, Entity, get_entity
from kept.core.transfer.report import ImportReport, PreviewCell, PreviewRow, RowError
from kept.core.transfer.writing import FORMATS, export_entity, template_file

__all__ = [
    "ENTITIES",
    "FORMATS",
    "MAX_CELL_CHARACTERS",
    "MAX_ROWS",
    "ColumnHelp",
    "Entity",
    "ImportReport",
    "PreviewCell",
    "PreviewRow",
    "RowError",
    "column_guide",
    "export_entity",
    "get_entity",
    "import_file",
    "template_file",
]
