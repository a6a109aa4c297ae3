"""The rate limit per client: a fixed window counted in the cache."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from kept.core import ratelimit


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_limit_counts_per_client_and_per_window():
    allowed = [ratelimit.allow("t", "1.2.3.4", limit=3, window=60, now=120.0) for _ in range(4)]
    assert allowed == [True, True, True, False]
    assert ratelimit.allow("t", "5.6.7.8", limit=3, window=60, now=120.0)  # another client
    assert ratelimit.allow("other", "1.2.3.4", limit=3, window=60, now=120.0)  # another scope
    assert ratelimit.allow("t", "1.2.3.4", limit=3, window=60, now=180.0)  # the next window


def test_the_decorator_answers_429_with_retry_after(settings):
    settings.KEPT_TEST_LIMIT = (2, 30)

    @ratelimit.rate_limited("view", setting="KEPT_TEST_LIMIT", default=(100, 60))
    def view(request):
        return HttpResponse("ok")

    request = RequestFactory().get("/", REMOTE_ADDR="9.9.9.9")
    statuses = [view(request).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert view(request)["Retry-After"] == "30"


def test_a_forwarded_address_is_trusted_only_when_configured(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="8.8.8.8")
    assert ratelimit.client_ip(request) == "10.0.0.1"
    settings.KEPT_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    assert ratelimit.client_ip(request) == "8.8.8.8"


@pytest.mark.django_db(transaction=True)
def test_a_cache_table_made_by_another_process_meanwhile_is_not_an_error(monkeypatch):
    from django.core.cache.backends.db import DatabaseCache
    from django.core.management import CommandError
    from django.core.management import call_command as real_call_command

    cache = DatabaseCache("kept_rl_race", {})

    def lose_the_race(*args, **kwargs):
        # the other process's createcachetable wins; ours is refused by the database
        real_call_command("createcachetable", "kept_rl_race", verbosity=0)
        raise CommandError("Cache table 'kept_rl_race' could not be created")

    monkeypatch.setattr(ratelimit, "call_command", lose_the_race)
    ratelimit._tables_ready.discard(("default", "kept_rl_race"))
    try:
        ratelimit._ensure_table(cache)  # no error: the table is there
        assert ("default", "kept_rl_race") in ratelimit._tables_ready
    finally:
        with connection.schema_editor() as editor:
            editor.execute(f"DROP TABLE {connection.ops.quote_name('kept_rl_race')}")
