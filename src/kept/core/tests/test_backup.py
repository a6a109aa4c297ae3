"""`kept backup` and `kept restore` (SPEC R5): every table comes back exactly, on SQLite and
on PostgreSQL; a damaged file, a database with data, or other migrations write nothing."""

from __future__ import annotations

import gzip
import hashlib
import importlib
import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from kept.cli import main
from kept.core.backup import BackupError, write_backup
from kept.core.restore import restore_backup, tables_with_data

# The data migrations' writes: a transactional test's flush drops them, the demo needs them.
MIGRATION_DATA = [
    ("kept.servicedesk.migrations.0002_default_policy", "create"),
    ("kept.pipeline.migrations.0002_default_stages", "create_stages"),
    ("kept.team.migrations.0002_default_items", "create_defaults"),
]


def every_table() -> dict[str, list[tuple]]:
    """Every row of every table (m2m through tables too), as tuples of the fields' values."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            names = [field.attname for field in model._meta.concrete_fields]
            rows = model._base_manager.order_by("pk").values_list(*names)
            tables[model._meta.label_lower] = list(rows)
    return tables


def delete_every_row() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy:
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608
    assert not any(every_table().values())


def run(capsys, *argv) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def rewrite(path, change) -> None:
    """Change a backup's lines and compress them again (a well-formed gzip, altered content)."""
    with gzip.open(path, "rb") as handle:
        lines = handle.read().splitlines(keepends=True)
    with gzip.open(path, "wb") as handle:
        handle.writelines(change(lines))


def reseal(lines: list[bytes]) -> list[bytes]:
    """Recompute each table's count and checksum and the manifest, as a forger would."""
    sealed, tables, digest, rows = [], {}, hashlib.sha256(), 0
    for line in lines:
        item = json.loads(line) if line.startswith(b"{") else None
        if item is None:
            digest.update(line)
            rows += 1
        elif "table" in item:
            digest, rows = hashlib.sha256(), 0
        elif "end" in item:
            tables[item["end"]] = {"rows": rows, "sha256": digest.hexdigest()}
            line = json.dumps({**item, **tables[item["end"]]}).encode() + b"\n"
        elif "manifest" in item:
            line = json.dumps({"manifest": {**item["manifest"], "tables": tables}}).encode() + b"\n"
        sealed.append(line)
    return sealed


@pytest.fixture
def demo_backup(transactional_db, tmp_path, capsys):
    """A small demo business (seed 7), backed up with `kept backup`."""
    from kept.demo import build_demo

    for module, function in MIGRATION_DATA:
        getattr(importlib.import_module(module), function)(apps, None)
    build_demo(seed=7, scale=0.05, today=timezone.localdate() + timedelta(days=1))
    path = tmp_path / "kept.jsonl.gz"
    code, out, err = run(capsys, "backup", str(path))
    assert code == 0, err
    assert "Backed up" in out and "customers.customer: " in err  # a progress line per table
    return path


@pytest.fixture
def small_backup(db, tmp_path, make_user):
    """A backup of a database holding one user: li."""
    make_user("staff", "li")
    path = tmp_path / "small.jsonl.gz"
    write_backup(path)
    return path


def manifest(path) -> dict:
    with gzip.open(path, "rb") as handle:
        return json.loads(handle.read().splitlines()[-1])["manifest"]


def test_a_freshly_migrated_database_counts_as_empty(db):
    """Every table a data migration fills is in FILLED_BY_MIGRATE, or a restore into a new
    database would be refused as "not empty"."""
    assert tables_with_data() == []


def test_restore_gives_back_every_row_of_every_table(demo_backup, capsys, tmp_path):
    # given the demo business, backed up
    before = every_table()
    assert sum(map(len, before.values())) > 5000
    assert before["customers.customer"] and before["auth.user_groups"]  # an m2m through table

    # when it is restored over itself with --force, and again into an emptied database
    code, out, err = run(capsys, "restore", str(demo_backup), "--force")
    assert code == 0, err
    assert every_table() == before
    delete_every_row()
    code, out, err = run(capsys, "restore", str(demo_backup))

    # then every table holds exactly the rows it held, and the counts are printed
    assert code == 0, err
    after = every_table()
    for label, rows in before.items():
        assert after[label] == rows, label
    assert f"{len(before['customers.customer']):>8}  customers.customer" in out
    # and to the byte: a backup of the restored database has every table's checksum
    write_backup(tmp_path / "again.jsonl.gz")
    assert manifest(tmp_path / "again.jsonl.gz") == manifest(demo_backup)
    # and new rows get fresh ids (PostgreSQL's sequences were moved past the restored rows)
    newcomer = get_user_model().objects.create_user("after-restore")
    assert newcomer.pk > max(row[0] for row in before["auth.user"])


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: a second connection writing while the backup reads "
    "(SQLite's test database is in memory, shared between connections)",
)
def test_the_backup_is_one_snapshot_while_others_write(transactional_db, tmp_path):
    # given a user, and another connection that renames them while the first table is written
    get_user_model().objects.create_user("li", first_name="Li")
    other = connections.create_connection(DEFAULT_DB_ALIAS)

    def rename_meanwhile(line: str) -> None:
        if line.startswith("auth.group:"):  # auth.user comes next
            with other.cursor() as cursor:
                cursor.execute("UPDATE auth_user SET first_name = %s", ["Changed"])

    # when the backup runs
    path = tmp_path / "kept.jsonl.gz"
    try:
        write_backup(path, progress=rename_meanwhile)
    finally:
        other.close()

    # then it holds the database as it was when it began, not the rename made meanwhile
    assert get_user_model().objects.get(username="li").first_name == "Changed"
    with gzip.open(path, "rb") as handle:
        text = handle.read()
    assert b'"Li"' in text and b'"Changed"' not in text


def test_restore_refuses_a_database_with_data_unless_forced(small_backup):
    with pytest.raises(BackupError, match="not empty.*--force"):
        restore_backup(small_backup)

    restore_backup(small_backup, force=True)
    assert get_user_model().objects.filter(username="li").exists()


def cut_in_half(path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def drop_the_manifest(path) -> None:
    rewrite(path, lambda lines: lines[:-1])


def change_a_row(path) -> None:
    rewrite(path, lambda lines: [line.replace(b'"li"', b'"lx"') for line in lines])


def drop_a_row(path) -> None:
    rewrite(path, lambda lines: [line for line in lines if b'"li"' not in line])


@pytest.mark.parametrize(
    "damage, reason",
    [
        (cut_in_half, "damaged or cut short"),
        (drop_the_manifest, "cut short"),
        (change_a_row, "checksum"),
        (drop_a_row, "incomplete"),
    ],
)
def test_a_damaged_file_writes_nothing(small_backup, make_user, damage, reason):
    # given a database whose rows differ from the file's, and a damaged file
    make_user("manager", "wang")
    before = every_table()
    damage(small_backup)

    # when it is restored, even with --force
    with pytest.raises(BackupError, match=reason):
        restore_backup(small_backup, force=True)

    # then nothing was deleted nor written
    assert every_table() == before


def repeat_a_row(lines):
    at = next(i for i, line in enumerate(lines) if b'"li"' in line)
    return reseal([*lines[: at + 1], lines[at], *lines[at + 1 :]])


def point_at_a_missing_group(lines):
    heading = next(i for i, line in enumerate(lines) if b'"model":"auth.user_groups"' in line)
    row = json.loads(lines[heading + 1])
    row[-1] = 999_999  # [id, user_id, group_id]
    lines[heading + 1] = json.dumps(row).encode() + b"\n"
    return reseal(lines)


@pytest.mark.parametrize("forge", [repeat_a_row, point_at_a_missing_group])
def test_rows_the_database_refuses_write_nothing(transactional_db, make_user, tmp_path, forge):
    # given a well-sealed file whose rows break a constraint (a key twice, a dangling key)
    make_user("staff", "li")
    path = tmp_path / "forged.jsonl.gz"
    write_backup(path)
    rewrite(path, forge)
    make_user("manager", "wang")
    before = every_table()

    # when it is restored over the database
    with pytest.raises(BackupError, match="refused"):
        restore_backup(path, force=True)

    # then the transaction was rolled back, the emptying too
    assert every_table() == before


def test_a_file_with_other_migrations_is_refused(small_backup, capsys):
    def forget_a_migration(lines):
        header = json.loads(lines[0])
        header["migrations"] = header["migrations"][:-1]
        return [json.dumps(header).encode() + b"\n", *lines[1:]]

    rewrite(small_backup, forget_a_migration)
    before = every_table()

    code, _out, err = run(capsys, "restore", str(small_backup), "--force")

    assert code == 1
    assert "other migrations" in err and "kept migrate" in err
    assert every_table() == before


def test_a_file_that_is_not_a_backup_is_refused(db, tmp_path):
    path = tmp_path / "notes.jsonl.gz"
    with gzip.open(path, "wb") as handle:
        handle.write(b'{"hello": "world"}\n')

    with pytest.raises(BackupError, match="not a Kept backup"):
        restore_backup(path)
