"""What an import tells the person who ran it: counts, a preview and every problem."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

PREVIEW_ROWS = 20


@dataclass(frozen=True)
class RowError:
    """One problem, placed where a person finds it in the spreadsheet.

    ``row`` is the spreadsheet row number (the header is row 1; ``None`` means the
    whole file), ``column`` the column name ("" when the problem is not in one cell).
    """

    row: int | None
    column: str
    problem: str

    def __str__(self) -> str:
        if self.row is None:
            return self.problem
        if not self.column:
            return _("Row %(row)s: %(problem)s") % {"row": self.row, "problem": self.problem}
        return _("Row %(row)s, column %(column)s: %(problem)s") % {
            "row": self.row,
            "column": self.column,
            "problem": self.problem,
        }


@dataclass(frozen=True)
class PreviewCell:
    value: str
    bad: bool = False


@dataclass(frozen=True)
class PreviewRow:
    """A row as it would be written; ``action`` is "new", "update" or "error"."""

    row: int
    action: str
    cells: list[PreviewCell]


@dataclass
class ImportReport:
    """The outcome of ``import_file``.

    ``created`` and ``updated`` count what was written (or, in a dry run, what would
    be). When there is any error nothing is written and both are zero.
    """

    entity: str
    filename: str
    dry_run: bool
    rows_total: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    preview: list[PreviewRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run


class FileProblem(Exception):
    """The file cannot be imported at all (unreadable, empty, wrong columns…)."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors

    @classmethod
    def whole_file(cls, problem: str) -> FileProblem:
        return cls([RowError(None, "", problem)])
