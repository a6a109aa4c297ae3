"""The Simplified Chinese catalogue is complete, not fuzzy, and compiled."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"
PO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}|%[sd]")


@pytest.fixture(scope="module")
def catalogue():
    assert PO.exists(), f"{PO} is missing; run `make messages`"
    return polib.pofile(str(PO))


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue):
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == [], f"untranslated: {untranslated[:20]}"
    assert fuzzy == [], f"fuzzy: {fuzzy[:20]}"
    assert len(catalogue) > 100


def test_placeholders_match(catalogue):
    wrong = []
    for entry in catalogue.translated_entries():
        if entry.msgid_plural:
            for text in entry.msgstr_plural.values():
                if sorted(PLACEHOLDER.findall(text)) != sorted(
                    PLACEHOLDER.findall(entry.msgid_plural)
                ):
                    wrong.append(entry.msgid)
        elif sorted(PLACEHOLDER.findall(entry.msgstr)) != sorted(PLACEHOLDER.findall(entry.msgid)):
            wrong.append(entry.msgid)
    assert wrong == []


def test_compiled_catalogue_is_current(catalogue):
    assert MO.exists(), "run `make messages` to compile the catalogue"

    def key(entry):  # the same words may be translated apart in another context
        return (entry.msgctxt, entry.msgid)

    compiled = {key(entry): entry.msgstr or entry.msgstr_plural for entry in polib.mofile(str(MO))}
    source = {
        key(entry): entry.msgstr or entry.msgstr_plural for entry in catalogue.translated_entries()
    }
    assert compiled == source


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (make system-deps)")
def test_catalogue_holds_every_string_of_the_source(tmp_path, catalogue):
    """Extract the strings afresh from a copy of the source: none may be missing."""
    copy = tmp_path / "kept"
    shutil.copytree(
        LOCALE.parent, copy, ignore=shutil.ignore_patterns("locale", "__pycache__", "tests")
    )
    (copy / "locale").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-location"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    fresh = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    missing = sorted({entry.msgid for entry in fresh} - {entry.msgid for entry in catalogue})
    assert missing == [], f"run `make messages` and translate: {missing[:20]}"
