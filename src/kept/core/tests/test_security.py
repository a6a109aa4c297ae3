"""R4 security: failed log-ins and unknown API tokens are limited, counts are shared across
processes, and the repository holds no secrets."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import PASSWORD
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.test import Client
from django.urls import reverse

from kept.core import ratelimit
from kept.core.actions import create_token

ROOT = Path(__file__).resolve().parents[4]
CSRF = re.compile(r"[A-Za-z0-9]{64}")  # the form's and the page's CSRF tokens
REFUSAL = "Too many failed attempts to log in. Try again in 15 minutes."


@pytest.fixture(autouse=True)
def empty_counts():
    counts = caches[settings.KEPT_RATE_LIMIT_CACHE]  # in memory while tests run (KEPT_DEBUG)
    counts.clear()
    yield
    counts.clear()


def _client(address: str = "10.1.1.1") -> Client:
    client = Client(REMOTE_ADDR=address)
    client.cookies["django_language"] = "en"
    return client


def _log_in(client: Client, username: str, password: str = "wrong-password"):  # noqa: S107
    return client.post(reverse("login"), {"username": username, "password": password})


def test_a_username_is_refused_after_five_failures_even_with_the_right_password(manager):
    client = _client()
    statuses = [_log_in(client, "boss").status_code for _ in range(5)]
    assert statuses == [200] * 5  # the form again, with Django's own message

    refused = _log_in(client, "boss", PASSWORD)

    assert refused.status_code == 429 and refused["Retry-After"] == "900"
    assert REFUSAL in refused.content.decode()
    assert "_auth_user_id" not in client.session
    manager.refresh_from_db()
    assert manager.last_login is None
    elsewhere = _log_in(_client("10.9.9.9"), "boss", PASSWORD)  # the username, not the address
    assert elsewhere.status_code == 429


def test_the_refusal_does_not_tell_whether_the_user_exists(manager):
    known, unknown = _client("10.1.1.1"), _client("10.1.1.2")
    for _ in range(5):
        _log_in(known, "boss")
        _log_in(unknown, "nobody")

    answers = [_log_in(known, "boss", PASSWORD), _log_in(unknown, "nobody", PASSWORD)]

    assert {a.status_code for a in answers} == {429}
    bodies = [
        CSRF.sub("", a.content.decode()).replace("boss", "X").replace("nobody", "X")
        for a in answers
    ]
    assert bodies[0] == bodies[1]


def test_an_address_is_refused_after_ten_failures_over_any_usernames(manager):
    client = _client()
    for attempt in range(10):
        assert _log_in(client, f"guess{attempt % 4}").status_code == 200

    refused = _log_in(client, "boss", PASSWORD)

    assert refused.status_code == 429 and REFUSAL in refused.content.decode()
    assert _log_in(_client("10.2.2.2"), "boss", PASSWORD).status_code == 302


def test_a_success_does_not_reset_the_address_count(manager):
    client = _client()
    for attempt in range(9):
        _log_in(client, f"guess{attempt % 3}")
    assert _log_in(client, "boss", PASSWORD).status_code == 302
    client.logout()

    assert _log_in(client, "guess9").status_code == 200  # the tenth failure
    assert _log_in(client, "boss", PASSWORD).status_code == 429


def test_the_limits_are_settings(settings, manager):
    settings.KEPT_LOGIN_USERNAME_LIMIT = (2, 60)
    client = _client()
    _log_in(client, "boss")
    _log_in(client, "BOSS ")  # one count whatever the case and spaces
    refused = _log_in(client, "boss", PASSWORD)
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert "Try again in 1 minute." in refused.content.decode()


def test_unknown_api_tokens_are_limited_per_address(settings, manager):
    settings.KEPT_API_TOKEN_FAILURE_LIMIT = (3, 600)
    _token, raw = create_token(manager)
    guesser, other = _client("10.3.3.3"), _client("10.4.4.4")
    url = "/api/v1/customers"

    guesses = [
        guesser.get(url, HTTP_AUTHORIZATION=f"Bearer kept_guess{n}").status_code for n in range(3)
    ]
    blocked = guesser.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert guesses == [401, 401, 401]
    assert blocked.status_code == 429 and blocked.json()["code"] == "too_many_requests"
    assert guesser.get("/api/v1/docs", HTTP_AUTHORIZATION="Bearer kept_x").status_code == 429
    assert other.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_good_tokens_are_never_counted(settings, manager):
    settings.KEPT_API_TOKEN_FAILURE_LIMIT = (2, 600)
    _token, raw = create_token(manager)
    client = _client()
    statuses = {
        client.get("/api/v1/customers", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code
        for _ in range(5)
    }
    assert statuses == {200}


@pytest.fixture
def database_counts(settings, db):
    """The limiter on the database cache, as production runs it without Redis."""
    settings.CACHES = {
        **settings.CACHES,
        "limits": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "kept_rate_limit_test",
        },
    }
    settings.KEPT_RATE_LIMIT_CACHE = "limits"
    ratelimit._tables_ready.clear()  # the table goes with the test's transaction
    yield
    ratelimit._tables_ready.clear()


def test_the_database_cache_shares_the_count_between_processes(database_counts):
    # given a first count, made through this process's cache (the table is created on use)
    assert ratelimit.allow("t", "1.2.3.4", limit=2, window=60, now=120.0)
    # when another process, with its own cache object on the same table, counts too
    other_process = DatabaseCache("kept_rate_limit_test", {})
    key = ratelimit._key("t", "1.2.3.4", 60, 120.0)
    assert other_process.get(f"{key}:1") == 1
    # then both see one count: the third request in the window is refused
    assert ratelimit.allow("t", "1.2.3.4", limit=2, window=60, now=120.0)
    assert not ratelimit.allow("t", "1.2.3.4", limit=2, window=60, now=120.0)
    assert ratelimit.is_exhausted("t", "1.2.3.4", limit=2, window=60, now=120.0)
    assert not ratelimit.is_exhausted("t", "1.2.3.4", limit=2, window=60, now=180.0)


def test_a_lost_hint_never_grants_a_place_twice(database_counts):
    ratelimit.allow("t", "ip", limit=3, window=60, now=0.0)
    ratelimit.allow("t", "ip", limit=3, window=60, now=0.0)
    caches["limits"].delete(ratelimit._key("t", "ip", 60, 0.0))  # as if evicted or raced
    assert ratelimit.allow("t", "ip", limit=3, window=60, now=0.0)  # takes the third place
    assert not ratelimit.allow("t", "ip", limit=3, window=60, now=0.0)


# Secrets: none in the repository's tracked files.
KEY_SHAPES = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\b(ghp|gho|ghs|github_pat)_[A-Za-z0-9_]{30,}"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "Kept API token": re.compile(r"\bkept_(?=[A-Za-z0-9_-]*[A-Z])(?=[A-Za-z0-9_-]*\d)[\w-]{40,}"),
}
# a password written into a URL, e.g. postgres://kept:hunter2@db/kept
PASSWORD_IN_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:[^/\s@'\"$<{…]{3,}@")
# a literal string given to something named like a secret, e.g. password="hunter2"
SECRET_LITERAL = re.compile(
    r"(?i)\b\w*(password|passwd|secret|token|api_?key)\w*[\"']?\s*[:=]\s*[\"']([^\"'\s$<{…]{6,})[\"']"
)
ALLOWED_LITERALS = {
    "kept-demo-2026",  # DEMO_PASSWORD: documented, printed by `kept demo`, demo data only
    "correct-horse-battery-staple",  # the test users' password (conftest.PASSWORD)
    "kept-insecure-development-key-do-not-use-in-production",  # only with KEPT_DEBUG on
}


def _tracked_text_files():
    names = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, names):
        path = ROOT / name.decode()
        if not path.is_file() or path.suffix in {".mo", ".png", ".jpg", ".sqlite3", ".xlsx"}:
            continue
        try:
            yield path.relative_to(ROOT), path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue


def _is_test(path: Path) -> bool:
    return "tests" in path.parts or path.name.startswith("test_") or path.name == "conftest.py"


def test_no_tracked_file_holds_a_secret():
    found = []
    for path, text in _tracked_text_files():
        for line_number, line in enumerate(text.splitlines(), 1):
            shapes = [name for name, shape in KEY_SHAPES.items() if shape.search(line)]
            if not _is_test(path):  # tests may write made-up passwords; never real keys
                literal = SECRET_LITERAL.search(line)
                if literal and literal.group(2) not in ALLOWED_LITERALS:
                    shapes.append(f"literal {literal.group(2)!r}")
                if PASSWORD_IN_URL.search(line):
                    shapes.append("password in a URL")
            found += [f"{path}:{line_number}: {shape}" for shape in shapes]
    assert found == []


def test_the_secret_scan_would_find_one():
    line = 'EMAIL_HOST_PASSWORD = "s3cr3t-value"'
    assert SECRET_LITERAL.search(line).group(2) == "s3cr3t-value"
    assert PASSWORD_IN_URL.search("postgres://kept:pw123@db/kept")
    assert not PASSWORD_IN_URL.search("postgres://postgres@127.0.0.1:5432/kept")
    assert KEY_SHAPES["Kept API token"].search("kept_" + "aB3" * 15)
    assert not KEY_SHAPES["Kept API token"].search("test_kept_funnel_check_runs_it_or_queues_it")


# CSRF: pages and session-authenticated API calls need the token; Bearer calls carry none.


def test_a_page_post_without_the_csrf_token_is_refused(manager):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    assert client.post(reverse("notifications_read")).status_code == 403
    assert Client(enforce_csrf_checks=True).post(reverse("login"), {}).status_code == 403


def test_a_session_api_call_without_the_csrf_token_is_refused(manager):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    body = {"code": "C9", "name": "Test"}
    refused = client.post("/api/v1/customers", body, content_type="application/json")
    assert refused.status_code == 403
    _token, raw = create_token(manager)
    bearer = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert (
        bearer.post("/api/v1/customers", body, content_type="application/json").status_code == 201
    )
