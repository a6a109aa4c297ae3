"""Settings come from the environment; production settings pass `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]


def run(args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KEPT_", "DJANGO_"))}
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_requires_a_secret_key(tmp_path):
    result = run(["check"], KEPT_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "KEPT_SECRET_KEY is not set" in result.stderr


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        KEPT_SECRET_KEY="k" * 20 + "-Zq8!vR2#pL5@xN7$wT1%yB4^mC6&jH9*dF3",
        KEPT_ALLOWED_HOSTS="kept.example.com",
        KEPT_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_environment_drives_database_language_and_time_zone(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "db = s.DATABASES['default']; "
        "print(db['ENGINE'], db['NAME'], s.LANGUAGE_CODE, s.TIME_ZONE)"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KEPT_")}
    env = {
        **clean,
        "DJANGO_SETTINGS_MODULE": "kept.settings",
        "KEPT_DEBUG": "1",
        "PYTHONPATH": str(ROOT / "src"),
    }
    default = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "KEPT_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert default == [
        "django.db.backends.sqlite3",
        str(tmp_path / "kept.sqlite3"),
        "zh-hans",
        "Asia/Shanghai",
    ]
    custom = subprocess.run(
        [sys.executable, "-c", code],
        env={
            **env,
            "KEPT_DATABASE_URL": "postgres://u@db.internal:5432/kept",
            "KEPT_LANGUAGE": "en",
            "KEPT_TIME_ZONE": "Europe/Berlin",
        },
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert custom == ["django.db.backends.postgresql", "kept", "en", "Europe/Berlin"]
