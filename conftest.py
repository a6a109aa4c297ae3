"""Fixtures shared by every test: users in each role, logged-in clients, API clients."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("KEPT_DEBUG", "1")

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2's deliberate slowness protects real passwords; tests need none of it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(db):
    from kept.core.actions import create_user

    counter = {"n": 0}

    def make(role: str = "staff", username: str | None = None, **extra):
        counter["n"] += 1
        return create_user(username or f"{role}{counter['n']}", PASSWORD, role, **extra)

    return make


@pytest.fixture
def manager(make_user):
    return make_user("manager", "boss")


@pytest.fixture
def staff(make_user):
    return make_user("staff", "clerk")


@pytest.fixture
def warehouse(make_user):
    return make_user("warehouse", "keeper")


@pytest.fixture
def viewer(make_user):
    return make_user("viewer", "watcher")


@pytest.fixture
def client_as(client):
    """client_as(user) → the Django test client logged in as that user, pages in English."""

    def login(user):
        client.force_login(user)
        client.cookies["django_language"] = "en"
        return client

    return login


@pytest.fixture
def api_as(client):
    """api_as(user) → a test client sending a fresh Bearer token of that user."""
    from kept.core.actions import create_token

    def make(user):
        _token, raw = create_token(user)
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make
