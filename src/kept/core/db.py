"""Database helpers shared by the modules."""

from __future__ import annotations

import functools
import random
import time

from django.db import OperationalError, transaction

# PostgreSQL: serialization_failure, deadlock_detected, lock_not_available.
RETRYABLE_SQLSTATES = {"40001", "40P01", "55P03"}


def _is_retryable(error: OperationalError) -> bool:
    cause = error.__cause__
    state = getattr(cause, "sqlstate", None) or getattr(
        getattr(cause, "diag", None), "sqlstate", None
    )
    if state in RETRYABLE_SQLSTATES:
        return True
    return "database is locked" in str(error)  # SQLite, when the busy timeout ran out


def retry_on_conflict(attempts: int = 5, base_delay: float = 0.02):
    """Run the function in its own transaction, again after a deadlock or serialization
    failure (never inside an outer transaction: a retry needs a fresh one)."""

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            for attempt in range(1, attempts + 1):
                try:
                    with transaction.atomic():
                        return func(*args, **kwargs)
                except OperationalError as error:
                    if (
                        attempt == attempts
                        or not _is_retryable(error)
                        or transaction.get_connection().in_atomic_block
                    ):
                        raise
                    time.sleep(base_delay * attempt * (1 + random.random()))  # noqa: S311
            raise AssertionError("unreachable")

        return wrapper

    return decorate
