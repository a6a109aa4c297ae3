from datetime import timedelta

import pytest
from django.utils import timezone


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Seven demo logins per build: hash their passwords cheaply in tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def today():
    """A fixed anchor for both builds of a test, safe if the clock passes midnight meanwhile."""
    return timezone.localdate() + timedelta(days=1)


@pytest.fixture
def small_demo(db, today):
    from kept.demo import build_demo

    return build_demo(seed=7, scale=0.05, today=today)
