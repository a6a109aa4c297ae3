"""All of Kept's settings, read from the environment in one place.

Environment variables:
    KEPT_DEBUG          "1"/"true" for development; default off.
    KEPT_SECRET_KEY     required unless KEPT_DEBUG is on.
    KEPT_DATABASE_URL   e.g. postgres://user@127.0.0.1:5432/kept; default SQLite in KEPT_DATA_DIR.
    KEPT_DATA_DIR       where the SQLite database and uploads live; default ./data.
    KEPT_TIME_ZONE      business time zone; default Asia/Shanghai.
    KEPT_LANGUAGE       default UI language: zh-hans or en; default zh-hans.
    KEPT_ALLOWED_HOSTS  comma-separated; default localhost names in debug.
    KEPT_CSRF_TRUSTED_ORIGINS  comma-separated origins behind a proxy.
    KEPT_SECURE_SSL_REDIRECT   "0" to turn the HTTPS redirect off (e.g. TLS ends at a proxy
                               that already redirects).
    KEPT_TASKS_BACKEND  where background jobs wait for `kept worker`: "database" (default, no
                        extra server) or "rq" (Redis, for workers on many machines).
    KEPT_REDIS_URL      the Redis of the rq backend; default redis://127.0.0.1:6379/0.
    KEPT_EMAIL_HOST     the SMTP server for outgoing mail (replies, SLA warnings, surveys);
                        without it mail is printed on the console. Also KEPT_EMAIL_PORT (587),
                        KEPT_EMAIL_USER, KEPT_EMAIL_PASSWORD, KEPT_EMAIL_TLS ("0" for none).
    KEPT_EMAIL_FROM     the sender of Kept's mail; default kept@localhost.
    KEPT_PUBLIC_URL     the address customers reach Kept at, for links in mail (survey pages);
                        default http://127.0.0.1:8000.
    KEPT_CLIENT_IP_HEADER  behind a reverse proxy, the header holding the client's address for
                        rate limits, e.g. HTTP_X_REAL_IP; default: the connection's address.
    KEPT_RATE_LIMIT_STORE  where rate limits count (log-ins, API tokens, survey pages):
                        "database" (default in production), "redis" (default when KEPT_REDIS_URL
                        is set or the rq backend runs) or "memory" (default with KEPT_DEBUG; one
                        process only).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or default


PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("KEPT_DATA_DIR") or Path.cwd() / "data").resolve()

DEBUG = env_flag("KEPT_DEBUG")

SECRET_KEY = os.environ.get("KEPT_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "KEPT_SECRET_KEY is not set. Set it to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set KEPT_DEBUG=1 for development."
        )
    SECRET_KEY = "kept-insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list(
    "KEPT_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("KEPT_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "kept.core",
    "kept.customers",
    "kept.catalog",
    "kept.receivables",
    "kept.promising",
    "kept.fulfilment",
    "kept.replenishment",
    "kept.servicedesk",
    "kept.feedback",
    "kept.value",
    "kept.pipeline",
    "kept.team",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "import_export",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kept.core.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kept.core.middleware.DefaultLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kept.core.middleware.LoginRequiredMiddleware",
]

ROOT_URLCONF = "kept.urls"
WSGI_APPLICATION = "kept.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kept.core.context_processors.kept",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("KEPT_DATABASE_URL") or ""
if not DATABASE_URL:
    DATA_DIR.mkdir(parents=True, exist_ok=True)  # the embedded default needs its folder
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or f"sqlite:///{DATA_DIR / 'kept.sqlite3'}",
        conn_max_age=int(os.environ.get("KEPT_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound on the server, so that psycopg prepares a statement the fifth time it
    # runs on a connection: PostgreSQL then skips planning it again (the promise engine's
    # queries spent more time being planned than being run). KEPT_DB_SERVER_SIDE_BINDING=0
    # turns it off, e.g. behind a pooler in transaction mode that cannot keep statements.
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = (
        os.environ.get("KEPT_DB_SERVER_SIDE_BINDING", "1") == "1"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process and a worker share the file safely.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background jobs through the Django tasks API (the django-tasks backport until Django 6.0).
# The database backend needs no other server; the rq one shares the queue over Redis. The
# database backend's tables exist either way, so the migrations do not depend on the choice.
KEPT_TASKS_BACKEND = os.environ.get("KEPT_TASKS_BACKEND", "database").strip().lower()
KEPT_REDIS_URL = os.environ.get("KEPT_REDIS_URL", "redis://127.0.0.1:6379/0")
if KEPT_TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
elif KEPT_TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]  # pip install 'kept[rq]'
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    # An hour before RQ stops a job (its default is three minutes).
    RQ_QUEUES = {"default": {"URL": KEPT_REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
    RQ = {"JOB_CLASS": "django_tasks_rq.Job"}  # any rqworker runs the jobs as Django tasks
else:
    raise ImproperlyConfigured(
        f"KEPT_TASKS_BACKEND must be database or rq; got {KEPT_TASKS_BACKEND!r}."
    )

# Outgoing mail: SMTP when a host is given, else the console (nothing leaves the machine).
EMAIL_HOST = os.environ.get("KEPT_EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("KEPT_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("KEPT_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("KEPT_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = env_flag("KEPT_EMAIL_TLS", default=True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("KEPT_EMAIL_FROM", "kept@localhost")
EMAIL_TIMEOUT = 15  # seconds: a slow mail server must not hold a worker for long
KEPT_PUBLIC_URL = os.environ.get("KEPT_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
KEPT_CLIENT_IP_HEADER = os.environ.get("KEPT_CLIENT_IP_HEADER", "")
KEPT_SURVEY_RATE_LIMIT = (30, 600)  # requests per client address per 10 minutes
KEPT_LOGIN_ADDRESS_LIMIT = (10, 900)  # failed log-ins per client address per 15 minutes
KEPT_LOGIN_USERNAME_LIMIT = (5, 900)  # failed log-ins per username per 15 minutes
KEPT_API_TOKEN_FAILURE_LIMIT = (30, 600)  # unknown API tokens per client address per 10 minutes

# The rate limits' counts must be shared by every web process, or each process would grant
# the whole limit again: Redis when it is configured, else a table in Kept's own database.
# Only development (one runserver process) counts in memory. KEPT_RATE_LIMIT_STORE chooses.
_redis_configured = KEPT_TASKS_BACKEND == "rq" or bool(os.environ.get("KEPT_REDIS_URL"))
KEPT_RATE_LIMIT_STORE = os.environ.get("KEPT_RATE_LIMIT_STORE", "").strip().lower() or (
    "memory" if DEBUG else "redis" if _redis_configured else "database"
)
_RATE_LIMIT_CACHES = {
    "memory": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "database": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "kept_rate_limit",
        # culling would forget counts; a window's keys expire on their own
        "OPTIONS": {"MAX_ENTRIES": 200_000},
    },
    "redis": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": KEPT_REDIS_URL},
}
if KEPT_RATE_LIMIT_STORE not in _RATE_LIMIT_CACHES:
    raise ImproperlyConfigured(
        f"KEPT_RATE_LIMIT_STORE must be memory, database or redis; got {KEPT_RATE_LIMIT_STORE!r}."
    )
CACHES = {"default": _RATE_LIMIT_CACHES["memory"]}
if KEPT_RATE_LIMIT_STORE == "memory":
    KEPT_RATE_LIMIT_CACHE = "default"
else:
    CACHES["ratelimit"] = _RATE_LIMIT_CACHES[KEPT_RATE_LIMIT_STORE]
    KEPT_RATE_LIMIT_CACHE = "ratelimit"

AUTHENTICATION_BACKENDS = ["kept.core.auth.RoleBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: the business runs in one time zone; dates are business dates there.
LANGUAGE_CODE = os.environ.get("KEPT_LANGUAGE", "zh-hans").lower()
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
if LANGUAGE_CODE not in {code for code, _name in LANGUAGES}:
    raise ImproperlyConfigured(f"KEPT_LANGUAGE must be one of zh-hans, en; got {LANGUAGE_CODE!r}.")
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("KEPT_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploaded import files are read in memory; refuse anything larger than this.
KEPT_IMPORT_MAX_BYTES = int(os.environ.get("KEPT_IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = KEPT_IMPORT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = KEPT_IMPORT_MAX_BYTES + 1024 * 1024

# Security. Production (DEBUG off) gets HTTPS-only cookies, HSTS and the redirect.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_flag("KEPT_SECURE_SSL_REDIRECT", True)
    # a load balancer's health check may come over plain HTTP: answer it, don't redirect it
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("KEPT_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KEPT_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

IMPORT_EXPORT_SKIP_ADMIN_LOG = False
