"""Fixtures shared by every test: users in each role, logged-in clients, API clients."""

from __future__ import annotations

import os
import shutil
import signal

import pytest
from hypothesis import settings as hypothesis_settings

os.environ.setdefault("KEPT_DEBUG", "1")

# Properties are about answers, not speed (that is bench/'s job): a busy two-core CI machine
# must not fail one because an example took over Hypothesis's default 200 ms.
hypothesis_settings.register_profile("kept", deadline=None)
hypothesis_settings.load_profile("kept")

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2's deliberate slowness protects real passwords; tests need none of it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def english_by_default():
    """Tests read messages in English unless they switch; the product default is zh-hans."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def kept_signals():
    """Workers take over SIGINT and SIGTERM for a graceful stop; give them back to pytest."""
    names = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
    saved = {name: signal.getsignal(name) for name in names}
    yield
    for name, handler in saved.items():
        signal.signal(name, handler)


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


# Browser tests: Playwright on Debian's Chromium (no browser download), against the live server.
CHROMIUM = os.environ.get("KEPT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `make browser-deps` (apt-get install chromium)."
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls that fixtures
    # make between page actions are ordinary synchronous calls. Test processes only.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def login(transactional_db):
    def login_as(page, user, language="en"):
        page.goto("/login/")
        if language == "en":
            page.select_option("#language-select", "en")
            page.wait_for_load_state()
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_url("**/")
        return page

    return login_as
