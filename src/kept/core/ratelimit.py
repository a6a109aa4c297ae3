"""Rate limits per client, counted in a cache shared by every web process (a fixed window).

Used by the public survey page, the login page and the API's token check. The limit of a
scope is a setting, ``(requests, seconds)``, so that a deployment or a test can change it::

    @rate_limited("survey", setting="KEPT_SURVEY_RATE_LIMIT", default=(30, 600))
    def answer(request, token): ...

The counters live in the cache named by ``KEPT_RATE_LIMIT_CACHE``. Settings point it at Redis
when one is configured, else at the database cache (a table in Kept's own database, created
on first use), so that several web processes share one count; only development (DEBUG) counts
in the process's memory. See docs/security.md.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connections, router
from django.http import HttpRequest, HttpResponse

_tables_ready: set[tuple[str, str]] = set()
_tables_lock = threading.Lock()


def _cache():
    cache = caches[getattr(settings, "KEPT_RATE_LIMIT_CACHE", "default")]
    if isinstance(cache, DatabaseCache):
        _ensure_table(cache)
    return cache


def _ensure_table(cache: DatabaseCache) -> None:
    """The database cache needs its table; a deployment that only ran ``kept migrate`` has
    none yet, so the first count in each process creates it (createcachetable is idempotent)."""
    alias = router.db_for_write(cache.cache_model_class)
    if (alias, cache._table) in _tables_ready:
        return
    with _tables_lock:
        if cache._table not in connections[alias].introspection.table_names():
            try:
                call_command("createcachetable", database=alias, verbosity=0)
            # another process created it in the meantime (createcachetable reports the
            # database's refusal as a CommandError: seen by the R2 crash test's first requests)
            except (DatabaseError, CommandError):
                if cache._table not in connections[alias].introspection.table_names():
                    raise
        _tables_ready.add((alias, cache._table))


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the header a trusted proxy sets when
    ``KEPT_CLIENT_IP_HEADER`` names it (e.g. "HTTP_X_REAL_IP"). A header is only trusted when
    configured: anyone can send one."""
    header = getattr(settings, "KEPT_CLIENT_IP_HEADER", "")
    if header:
        forwarded = request.META.get(header, "").split(",")[0].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def limit_of(setting: str, default: tuple[int, int]) -> tuple[int, int]:
    requests, seconds = getattr(settings, setting, default)
    return int(requests), max(int(seconds), 1)


def _key(scope: str, ident: str, window: int, now: float | None) -> str:
    bucket = int((time.time() if now is None else now) // window)
    # the identity is hashed: cache keys stay short and safe for every backend
    who = hashlib.sha256(ident.encode()).hexdigest()[:32]
    return f"kept:ratelimit:{scope}:{who}:{bucket}"


def _take_place(key: str, limit: int, window: int) -> int:
    """Claim the next free place of the window and return its number (limit + 1 when full).

    A place is claimed with ``add``, which is atomic on every backend (the database cache's
    primary key, Redis's SET NX); the database cache's ``incr`` is a read then a write, so two
    processes could count one request. ``key`` itself only remembers where to start looking."""
    cache = _cache()
    start = cache.get(key, 0)
    for place in range(start + 1, limit + 2):
        if cache.add(f"{key}:{place}", 1, timeout=window + 1):
            cache.set(key, place, timeout=window + 1)
            return place
    return limit + 1


def allow(scope: str, ident: str, *, limit: int, window: int, now: float | None = None) -> bool:
    """Count one request of ``ident`` in ``scope``; False once more than ``limit`` came in the
    current window of ``window`` seconds."""
    return _take_place(_key(scope, ident, window, now), limit, window) <= limit


def is_exhausted(
    scope: str, ident: str, *, limit: int, window: int, now: float | None = None
) -> bool:
    """True once ``limit`` requests of ``ident`` were counted in the current window; counts
    nothing (a look before an attempt that is only counted when it fails)."""
    return _cache().get(f"{_key(scope, ident, window, now)}:{limit}") is not None


def too_many(request: HttpRequest, window: int) -> HttpResponse:
    response = HttpResponse("Too many requests.", status=429, content_type="text/plain")
    response["Retry-After"] = str(window)
    return response


def rate_limited(
    scope: str,
    *,
    setting: str,
    default: tuple[int, int],
    refuse: Callable[[HttpRequest, int], HttpResponse] = too_many,
):
    """Decorate a view: past the limit of its client, answer ``refuse(request, window)``
    (429) instead of running it."""

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            limit, window = limit_of(setting, default)
            if not allow(scope, client_ip(request), limit=limit, window=window):
                return refuse(request, window)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
