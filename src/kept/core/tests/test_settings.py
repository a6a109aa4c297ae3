"""Settings come from the environment; production settings pass `check --deploy`."""

import json
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


def _settings_in(tmp_path, names: list[str], **env) -> dict:
    """The named settings as a fresh process sees them with only ``env`` (no KEPT_ inherited)."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {names!r}}}, default=str))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KEPT_", "DJANGO_"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "kept.settings",
            "PYTHONPATH": str(ROOT / "src"),
            "KEPT_DATA_DIR": str(tmp_path),
            **env,
        },
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


PRODUCTION = {"KEPT_SECRET_KEY": "a-production-secret-from-the-environment-0123456789"}


def test_production_cookies_and_headers_are_secure(tmp_path):
    names = [
        "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SAMESITE", "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS",
        "SECURE_REFERRER_POLICY", "SECURE_SSL_REDIRECT", "DEBUG",
    ]  # fmt: skip
    found = _settings_in(tmp_path, names, **PRODUCTION)
    assert found == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_SSL_REDIRECT": True,
        "DEBUG": False,
    }
    assert (
        "django.middleware.csrf.CsrfViewMiddleware"
        in _settings_in(tmp_path, ["MIDDLEWARE"], **PRODUCTION)["MIDDLEWARE"]
    )


def test_the_health_check_answers_over_plain_http_and_nothing_else_does(
    db, tmp_path, client, settings
):
    exempt = _settings_in(tmp_path, ["SECURE_REDIRECT_EXEMPT"], **PRODUCTION)
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = exempt["SECURE_REDIRECT_EXEMPT"]
    assert client.get("/healthz").json() == {"status": "ok"}
    for path in ["/", "/login/", "/api/v1/customers", "/healthz/x"]:
        assert client.get(path).status_code == 301, path


def test_rate_limits_count_where_every_process_sees_them(tmp_path):
    names = ["KEPT_RATE_LIMIT_STORE", "KEPT_RATE_LIMIT_CACHE", "CACHES"]
    production = _settings_in(tmp_path, names, **PRODUCTION)
    assert production["KEPT_RATE_LIMIT_STORE"] == "database"
    limits = production["CACHES"][production["KEPT_RATE_LIMIT_CACHE"]]
    assert limits["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    with_redis = _settings_in(tmp_path, names, KEPT_REDIS_URL="redis://cache:6379/1", **PRODUCTION)
    limits = with_redis["CACHES"][with_redis["KEPT_RATE_LIMIT_CACHE"]]
    assert limits == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache:6379/1",
    }
    development = _settings_in(tmp_path, names, KEPT_DEBUG="1")
    assert development["KEPT_RATE_LIMIT_STORE"] == "memory"


def test_secrets_come_only_from_the_environment(tmp_path):
    names = ["SECRET_KEY", "DATABASES", "EMAIL_HOST_PASSWORD"]
    given = _settings_in(
        tmp_path,
        names,
        KEPT_DATABASE_URL="postgres://kept:db-pass-from-env@db.internal:5432/kept",
        KEPT_EMAIL_HOST="smtp.example.com",
        KEPT_EMAIL_PASSWORD="mail-pass-from-env",
        **PRODUCTION,
    )
    assert given["SECRET_KEY"] == PRODUCTION["KEPT_SECRET_KEY"]
    assert given["DATABASES"]["default"]["PASSWORD"] == "db-pass-from-env"
    assert given["EMAIL_HOST_PASSWORD"] == "mail-pass-from-env"
    # without them, no secret appears from anywhere else
    bare = _settings_in(tmp_path, names, KEPT_EMAIL_HOST="smtp.example.com", **PRODUCTION)
    assert bare["DATABASES"]["default"].get("PASSWORD", "") == ""
    assert bare["EMAIL_HOST_PASSWORD"] == ""
