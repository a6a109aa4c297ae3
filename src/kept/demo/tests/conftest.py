from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Seven demo logins per build: hash their passwords cheaply in tests."""
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def today():
    """A fixed anchor for both builds of a test, safe if the clock passes midnight meanwhile."""
    return timezone.localdate() + timedelta(days=1)


@pytest.fixture
def small_demo(db, today):
    from kept.demo import build_demo

    return build_demo(seed=7, scale=0.05, today=today)


@pytest.fixture(scope="module")
def shared_demo(django_db_setup, django_db_blocker):
    """One small demo for a module whose tests only read it: built once, deleted after.
    Returns (summary, today)."""
    from kept.demo import build_demo
    from kept.demo.reset import delete_demo_data

    day = timezone.localdate() + timedelta(days=1)
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        summary = build_demo(seed=7, scale=0.05, today=day)
    yield summary, day
    with django_db_blocker.unblock():
        delete_demo_data()
