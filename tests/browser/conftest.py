import importlib

import pytest
from django.apps import apps
from django.utils import timezone

# The data migrations' writes (each is idempotent): a transactional test's flush drops them,
# and the demo needs the default SLA policy, the funnel's stages and the scorecards' items.
MIGRATION_DATA = [
    ("kept.servicedesk.migrations.0002_default_policy", "create"),
    ("kept.pipeline.migrations.0002_default_stages", "create_stages"),
    ("kept.team.migrations.0002_default_items", "create_defaults"),
]


def restore_migration_data() -> None:
    for module, function in MIGRATION_DATA:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture
def demo(transactional_db, settings):
    """A small demo business (seed 7) for a browser test."""
    from kept.demo import build_demo

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    restore_migration_data()
    return build_demo(seed=7, scale=0.05, today=timezone.localdate())
