"""Leads import (through create_lead, all or nothing) and export."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied

from kept.core.transfer import export_entity, import_file
from kept.pipeline.models import Lead, StageEntry

pytestmark = pytest.mark.django_db
HEADER = ["name", "phone", "email", "channel", "owner", "stage", "note", "created_at"]


def csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode()


def test_import_creates_leads_with_their_entries_and_export_writes_them(staff, stages):
    data = csv_bytes([
        HEADER,
        ["周女士", "13500000001", "", "referral", staff.username, "Visit", "邻居介绍",
         "2026-01-05 10:00"],
        ["Mr Wu", "", "wu@example.com", "", "", "", "", ""],
    ])  # fmt: skip
    dry = import_file("leads", data, "l.csv", dry_run=True, actor=staff)
    assert dry.ok and Lead.objects.count() == 0
    report = import_file("leads", data, "l.csv", dry_run=False, actor=staff)
    assert report.ok and report.created == 2, report.errors
    zhou = Lead.objects.get(name="周女士")
    assert zhou.stage.name == "Visit" and zhou.created_at.isoformat().startswith("2026-01-05")
    assert StageEntry.objects.filter(lead=zhou).count() == 2
    assert Lead.objects.get(name="Mr Wu").channel == "other"
    exported, _type, _name = export_entity("leads", "csv", user=staff)
    lines = exported.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("name,phone,email,channel") and len(lines) == 3


def test_a_broken_file_writes_nothing(staff, stages):
    data = csv_bytes([
        HEADER,
        ["fine", "1", "", "", "", "", "", ""],
        ["", "2", "", "", "", "", "", ""],  # no name
        ["no contact", "", "", "", "", "", "", ""],  # neither phone nor email
        ["bad channel", "3", "", "carrier pigeon", "", "", "", ""],
        ["unknown stage", "4", "", "", "", "Dreaming", "", ""],
        ["straight to won", "5", "", "", "", "Purchase", "", ""],
    ])  # fmt: skip
    report = import_file("leads", data, "l.csv", dry_run=False, actor=staff)
    assert not report.ok
    assert {error.row for error in report.errors} >= {3, 4, 5, 6, 7}
    assert Lead.objects.count() == 0 and StageEntry.objects.count() == 0


def test_viewers_may_export_but_not_import(viewer, stages):
    with pytest.raises(PermissionDenied):
        import_file("leads", csv_bytes([HEADER, ["x", "1"] + [""] * 6]), "l.csv",
                    dry_run=False, actor=viewer)  # fmt: skip
    export_entity("leads", "csv", user=viewer)
