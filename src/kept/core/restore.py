"""`kept restore`: a file written by `kept backup` back into the database, all or nothing.

The file is read twice: once to check it (header, migrations, columns, counts, checksums, the
closing manifest), then to load it in one transaction. Table and column names come only from
the models' meta, quoted by the connection; every value is a query parameter.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import itertools
import json
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from uuid import UUID

from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Model

from kept.core.backup import (
    CHUNK_ROWS,
    FILLED_BY_MIGRATE,
    FORMAT,
    FORMAT_VERSION,
    MICROSECOND,
    BackupError,
    Progress,
    TableCount,
    _value_field,
    all_models,
    applied_migrations,
    backed_up_models,
)

DECODERS: dict[str, Callable] = {
    "DecimalField": Decimal,
    "DateField": date.fromisoformat,
    "DateTimeField": datetime.fromisoformat,
    "TimeField": time.fromisoformat,
    "DurationField": lambda value: value * MICROSECOND,
    "BinaryField": base64.b64decode,
    "UUIDField": UUID,
}


# Kinds whose JSON value is already the query parameter (the rest go through their field).
AS_IN_THE_FILE = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
    "CharField",
    "TextField",
    "SlugField",
    "BooleanField",
}


def restore_backup(
    path: str | Path, force: bool = False, progress: Progress | None = None
) -> list[TableCount]:
    """Replace the database's contents with the file's, all or nothing.

    Refuses a database holding more than `kept migrate` wrote unless ``force``, and a file
    that is damaged, cut short or made with other migrations: then nothing is written."""
    check_file(path)
    try:
        counts = _replace_everything(path, force, progress)
    except DatabaseError as error:
        raise BackupError(
            f"The database refused the file's rows ({error}); nothing was restored."
        ) from error
    ContentType.objects.clear_cache()  # the restored content types may have other ids
    return counts


def _replace_everything(path: str | Path, force: bool, progress: Progress | None) -> list:
    models = backed_up_models()
    with transaction.atomic():
        if not force and (occupied := tables_with_data()):
            tables = ", ".join(occupied[:5]) + (", …" if len(occupied) > 5 else "")
            raise BackupError(
                f"The database is not empty ({tables}): restore only into a new database "
                "after `kept migrate`, or use --force to replace everything in it."
            )
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for model in reversed(all_models()):
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
            counts = _load(cursor, path, models, progress)
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)  # fresh ids for new rows (PostgreSQL)
    return counts


def tables_with_data() -> list[str]:
    """The tables holding rows that `kept migrate` did not write."""
    return [
        model._meta.label_lower
        for model in all_models()
        if model._meta.label_lower not in FILLED_BY_MIGRATE and model._base_manager.exists()
    ]


def check_file(path: str | Path) -> dict:
    """Read the whole file once and check it: its header, its migrations against this
    database's, each table's columns, row count and SHA-256, and the closing manifest.
    Returns the header."""
    expected = {model._meta.label_lower: model for model in backed_up_models()}
    with _lines(path) as lines:
        header = _read_header(next(lines, b""))
        check_migrations(header["migrations"], str(header.get("kept_version", "?")))
        ends: dict[str, dict] = {}
        for line in lines:
            item = _structure(line)
            if "manifest" in item:
                _check_manifest(item["manifest"], ends, expected, lines)
                return header
            if "table" not in item:
                raise BackupError("The file is damaged: a table's rows have no heading.")
            label = _check_heading(item, expected, ends)
            ends[label] = _check_rows(lines, label)
    raise BackupError("The file is cut short: it ends before its closing manifest.")


def check_migrations(recorded: list, version: str) -> None:
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise BackupError(
            "This database is behind this version of Kept: run `kept migrate`, then restore."
        )
    here = {tuple(item) for item in applied_migrations()}
    in_file = {tuple(item) for item in recorded if isinstance(item, list)}
    if in_file != here:
        raise BackupError(
            f"The backup was made by Kept {version} with other migrations "
            f"({len(in_file - here)} not applied here, {len(here - in_file)} not in the file): "
            "restore it with the Kept version that made it, then upgrade with `kept migrate`."
        )


@contextmanager
def _lines(path: str | Path) -> Iterator[Iterator[bytes]]:
    """The file's lines; a damaged or cut-short file becomes a BackupError."""
    try:
        with gzip.open(path, "rb") as handle:
            yield iter(handle)
    except (OSError, EOFError, zlib.error) as error:
        raise BackupError(
            f"The file is damaged or cut short ({error}); nothing was restored."
        ) from error


def _structure(line: bytes) -> dict:
    if not line.startswith(b"{"):
        raise BackupError("The file is damaged: rows outside a table.")
    try:
        item = json.loads(line)
    except ValueError as error:
        raise BackupError(f"The file is damaged: {error}") from error
    if not isinstance(item, dict):
        raise BackupError("The file is damaged: rows outside a table.")
    return item


def _read_header(line: bytes) -> dict:
    try:
        header = json.loads(line) if line else {}
    except ValueError:
        header = {}
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError("This is not a Kept backup file (made by `kept backup`).")
    if header.get("format_version") != FORMAT_VERSION:
        found = header.get("format_version")
        raise BackupError(f"This backup's format (version {found}) is not one this Kept reads.")
    if not isinstance(header.get("migrations"), list):
        raise BackupError("The file is damaged: its header lists no migrations.")
    return header


def _check_heading(item: dict, expected: dict, ends: dict) -> str:
    label = item.get("model")
    model = expected.get(label)
    if model is None or label in ends:
        raise BackupError(f"The file has an unknown or repeated table: {label}")
    if item.get("columns") != [field.column for field in model._meta.concrete_fields]:
        raise BackupError(f"The columns of {label} in the file differ from this database's.")
    return label


def _check_rows(lines: Iterator[bytes], label: str) -> dict:
    digest = hashlib.sha256()
    for rows, line in enumerate(lines):  # rows: the row lines before this one
        if line.startswith(b"{"):
            end = _structure(line)
            if end.get("end") != label or end.get("rows") != rows:
                raise BackupError(f"The rows of {label} are incomplete.")
            if end.get("sha256") != digest.hexdigest():
                raise BackupError(f"The rows of {label} fail their checksum: the file was changed.")
            return {"rows": rows, "sha256": digest.hexdigest()}
        digest.update(line)
    raise BackupError(f"The file is cut short in the rows of {label}.")


def _check_manifest(manifest, ends: dict, expected: dict, lines: Iterator[bytes]) -> None:
    if not isinstance(manifest, dict) or manifest.get("tables") != ends:
        raise BackupError("The file's manifest does not match its tables.")
    if set(ends) != set(expected):
        missing = ", ".join(sorted(set(expected) - set(ends)))
        raise BackupError(f"The file lacks tables: {missing}")
    if next(lines, None) is not None:
        raise BackupError("The file has lines after its manifest.")


def _load(cursor, path: str | Path, models: list, progress: Progress | None) -> list[TableCount]:
    by_label = {model._meta.label_lower: model for model in models}
    counts: list[TableCount] = []
    with _lines(path) as lines:
        next(lines)  # the header, checked already
        for line in lines:
            item = json.loads(line)
            if "manifest" in item:
                break
            model = by_label[item["model"]]
            counts.append(TableCount(item["model"], _load_table(cursor, model, lines)))
            if progress:
                progress(f"{counts[-1].label}: {counts[-1].rows} rows")
    return counts


def _load_table(cursor, model: type[Model], lines: Iterator[bytes]) -> int:
    fields = model._meta.concrete_fields
    database = connections[DEFAULT_DB_ALIAS]  # the object itself: the proxy costs per call
    converters = [_converter(field, database) for field in fields]
    rows = _RowParameters(lines, converters)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    if connection.vendor == "postgresql":  # COPY: a few times faster than INSERTs
        copying = cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN")
        with database.wrap_database_errors, copying as copy:
            for row in rows:
                copy.write_row(row)
        return rows.count
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
    while batch := list(itertools.islice(rows, CHUNK_ROWS)):
        cursor.executemany(sql, batch)
    return rows.count


class _RowParameters:
    """The query parameters of a table's row lines, up to its end line; counts them."""

    def __init__(self, lines: Iterator[bytes], converters: list[Callable]):
        self.lines, self.converters, self.count, self.ended = lines, converters, 0, False

    def __iter__(self):
        return self

    def __next__(self) -> list:
        line = b"{" if self.ended else next(self.lines)
        if line.startswith(b"{"):  # the table's end: stop there, and stay stopped
            self.ended = True
            raise StopIteration
        self.count += 1
        return _row_parameters(json.loads(line), self.converters)


def _converter(field, database) -> Callable:
    """The function from a value in the file to the query parameter for ``field``."""
    kind = _value_field(field)
    if kind in AS_IN_THE_FILE:
        return _same
    decode = DECODERS.get(kind, _same)
    prepare = field.get_db_prep_save
    return lambda value: prepare(decode(value), database)


def _same(value):
    return value


def _row_parameters(values: list, converters) -> list:
    return [
        None if value is None else convert(value)
        for value, convert in zip(values, converters, strict=True)
    ]
