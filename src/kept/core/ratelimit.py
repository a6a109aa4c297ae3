"""Rate limits per client, counted in the Django cache (a fixed window per scope).

Used by the public survey page; meant for the login page too. The limit of a scope is a
setting, ``(requests, seconds)``, so that a deployment or a test can change it::

    @rate_limited("survey", setting="KEPT_SURVEY_RATE_LIMIT", default=(30, 600))
    def answer(request, token): ...

The counters live in the cache named by ``KEPT_RATE_LIMIT_CACHE`` (default "default"). With
the default local-memory cache each web process counts on its own; several processes share
one count only through a shared cache (Redis, Memcached, the database cache).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse


def _cache():
    return caches[getattr(settings, "KEPT_RATE_LIMIT_CACHE", "default")]


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


def allow(scope: str, ident: str, *, limit: int, window: int, now: float | None = None) -> bool:
    """Count one request of ``ident`` in ``scope``; False once more than ``limit`` came in the
    current window of ``window`` seconds."""
    moment = time.time() if now is None else now
    bucket = int(moment // window)
    # the address is hashed: cache keys stay short and safe for every backend
    who = hashlib.sha256(ident.encode()).hexdigest()[:32]
    key = f"kept:ratelimit:{scope}:{who}:{bucket}"
    cache = _cache()
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired or evicted between add and incr
        cache.set(key, 1, timeout=window + 1)
        count = 1
    return count <= limit


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
