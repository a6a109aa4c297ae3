"""Helpers for tests that call the API through the WSGI application (schemathesis)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def wsgi_keeps_connection() -> Iterator[None]:
    """Calling the WSGI app directly would close the test's database connection at the end
    of each request (Django's test client prevents it the same way)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
