"""`kept backup` and `kept restore`: the whole database in one portable file (SPEC R5).

The file is gzip'd JSON Lines, readable with ``zcat``, the same whether it was written from
SQLite or PostgreSQL:

    {"format": "kept-backup", "format_version": 1, "kept_version": ..., "migrations": [...]}
    {"table": "customers_customer", "model": "customers.customer", "columns": [...]}
    [1, "Wang", "2026-12-07T06:10:57.123456+00:00", "12.50", ...]     one line per row
    {"end": "customers.customer", "rows": 1234, "sha256": "..."}       of the row lines' bytes
    ... one section per table, parents before children ...
    {"manifest": {"tables": {"customers.customer": {"rows": ..., "sha256": ...}}, "rows": ...}}

Values are the columns read through the models' fields: Decimals, dates, times and aware
datetimes as ISO text, durations in microseconds, binary as base64, JSON as JSON. Restore
reads the file twice: once to check it (header, migrations, columns, counts, checksums,
the closing manifest), then to load it in one transaction. Its messages are for the
operator at the command line, in English like the rest of `kept`'s. Table and column names come
only from the models' meta, quoted by the connection; every value is a query parameter.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import itertools
import json
import os
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Model
from django.utils import timezone

import kept

FORMAT = "kept-backup"
FORMAT_VERSION = 1
CHUNK_ROWS = 2000
# Sessions are live logins tied to this installation's secret key: not worth carrying in a
# file that travels, and emptied by a restore (everyone logs in again).
NOT_BACKED_UP = {"sessions.session"}
# What `kept migrate` writes into a new database (content types, permissions, the roles'
# groups and the data migrations' defaults): a database holding only these counts as empty.
FILLED_BY_MIGRATE = {
    "contenttypes.contenttype",
    "auth.permission",
    "auth.group",
    "auth.group_permissions",
    "pipeline.stage",
    "servicedesk.businesscalendar",
    "servicedesk.workinginterval",
    "servicedesk.slapolicy",
    "servicedesk.slatarget",
    "team.behaviouritem",
}
MICROSECOND = timedelta(microseconds=1)

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup that cannot be written or a file that cannot be restored; says why."""


@dataclass(frozen=True)
class TableCount:
    label: str
    rows: int


# --- which tables, in which order ------------------------------------------------------------


def all_models() -> list[type[Model]]:
    """Every table of every installed app (m2m through tables too), parents first."""
    models = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped
    ]
    return _parents_first(sorted(models, key=lambda model: model._meta.label_lower))


def backed_up_models() -> list[type[Model]]:
    return [model for model in all_models() if model._meta.label_lower not in NOT_BACKED_UP]


def _parents_first(models: list[type[Model]]) -> list[type[Model]]:
    """Order tables so that a row's foreign keys point at tables already loaded; cycles (and
    self-references) are fine too, as the foreign keys are checked at commit."""
    remaining = list(models)
    ordered: list[type[Model]] = []
    while remaining:
        done = set(ordered)
        ready = [m for m in remaining if _parents(m, remaining) <= done]
        chosen = ready or remaining[:1]  # a cycle: take the first, deferral covers it
        ordered.extend(chosen)
        remaining = [m for m in remaining if m not in chosen]
    return ordered


def _parents(model: type[Model], among: list[type[Model]]) -> set[type[Model]]:
    return {
        field.related_model
        for field in model._meta.concrete_fields
        if field.many_to_one or field.one_to_one
        if field.related_model is not model and field.related_model in among
    }


# --- values: from a column to JSON and back --------------------------------------------------


def _value_field(field) -> str:
    while field.is_relation:  # a foreign key holds its target's kind of value
        field = field.target_field
    return field.get_internal_type()


ENCODERS: dict[str, Callable] = {
    "DecimalField": str,
    "DateField": date.isoformat,
    "DateTimeField": datetime.isoformat,
    "TimeField": time.isoformat,
    "DurationField": lambda value: value // MICROSECOND,
    "BinaryField": lambda value: base64.b64encode(bytes(value)).decode("ascii"),
    "UUIDField": str,
}
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


def _encode_row(row, encoders) -> list:
    return [
        value if value is None or encode is None else encode(value)
        for value, encode in zip(row, encoders, strict=True)
    ]


# --- backup ----------------------------------------------------------------------------------


def applied_migrations() -> list[list[str]]:
    return sorted([app, name] for app, name in MigrationRecorder(connection).applied_migrations())


@contextmanager
def read_snapshot() -> Iterator[None]:
    """One consistent view of the whole database for the time of the backup."""
    if connection.in_atomic_block:  # an outer transaction already fixes what we see
        yield
    elif connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        # A deferred read transaction: the snapshot starts at its first read and, in WAL
        # mode, does not hold back writers (an atomic block here would BEGIN IMMEDIATE).
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT count(*) FROM sqlite_master")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")
    else:
        with transaction.atomic():
            yield


def write_backup(path: str | Path, progress: Progress | None = None) -> list[TableCount]:
    """Write the whole database to ``path`` (through a temporary file, renamed at the end)."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    try:
        with read_snapshot(), gzip.open(partial, "wb", compresslevel=6) as out:
            counts = _write_sections(out, progress)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return counts


def _write_sections(out, progress: Progress | None) -> list[TableCount]:
    models = backed_up_models()
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "kept_version": kept.__version__,
        "created_at": timezone.now().isoformat(),
        "database": connection.vendor,
        "migrations": applied_migrations(),
        "tables": [model._meta.label_lower for model in models],
    }
    _write_line(out, header)
    manifest: dict[str, dict] = {}
    for model in models:
        rows, digest = _write_table(out, model)
        manifest[model._meta.label_lower] = {"rows": rows, "sha256": digest}
        if progress:
            progress(f"{model._meta.label_lower}: {rows} rows")
    total = sum(entry["rows"] for entry in manifest.values())
    _write_line(out, {"manifest": {"tables": manifest, "rows": total}})
    return [TableCount(label, entry["rows"]) for label, entry in manifest.items()]


def _write_table(out, model: type[Model]) -> tuple[int, str]:
    fields = model._meta.concrete_fields
    label = model._meta.label_lower
    columns = [field.column for field in fields]
    _write_line(out, {"table": model._meta.db_table, "model": label, "columns": columns})
    encoders = [ENCODERS.get(_value_field(field)) for field in fields]
    digest = hashlib.sha256()
    rows = 0
    query = model._base_manager.order_by("pk").values_list(*(f.attname for f in fields))
    for row in query.iterator(chunk_size=CHUNK_ROWS):
        line = _dump(_encode_row(row, encoders))
        digest.update(line)
        out.write(line)
        rows += 1
    _write_line(out, {"end": label, "rows": rows, "sha256": digest.hexdigest()})
    return rows, digest.hexdigest()


def _dump(value) -> bytes:
    # sorted keys: the same JSON text whichever database gave the value (jsonb reorders keys)
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return (text + "\n").encode()


def _write_line(out, value) -> None:
    out.write(_dump(value))


# --- restore ---------------------------------------------------------------------------------


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
