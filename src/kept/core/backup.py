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
(``kept.core.restore``) reads the file twice: once to check it, then to load it in one
transaction. Its messages are for the
operator at the command line, in English like the rest of `kept`'s. Table and column names come
only from the models' meta, quoted by the connection; every value is a query parameter.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.apps import apps
from django.db import connection, transaction
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
