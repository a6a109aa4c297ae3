"""Authentication: the backend (a person's permissions in one query) and the limits on
failed log-ins and unknown API tokens.

Django's ``ModelBackend`` reads a user's own permissions and those of their groups (their
role) in two queries on the first permission check of every request; every API call makes
that check, so here both come in one.

Failed log-ins are limited per client address and per username, unknown API tokens per
client address; the counts live in the rate limiter's shared cache (kept.core.ratelimit).
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.http import HttpRequest

from kept.core import ratelimit


class RoleBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            permissions = Permission.objects.all()
            if not user_obj.is_superuser:
                permissions = permissions.filter(Q(user=user_obj) | Q(group__user=user_obj))
            user_obj._perm_cache = {
                f"{app}.{codename}"
                for app, codename in permissions.values_list(
                    "content_type__app_label", "codename"
                ).order_by()
            }
        return user_obj._perm_cache


# Failed log-ins, limited per client address and per username. A refused attempt never
# reaches the password check, and the same refusal answers for a username that exists and one
# that does not; a success resets nothing, so one good account cannot clear an address's count.
LOGIN_ADDRESS = ("login-address", "KEPT_LOGIN_ADDRESS_LIMIT", (10, 900))
LOGIN_USERNAME = ("login-username", "KEPT_LOGIN_USERNAME_LIMIT", (5, 900))
API_TOKEN = ("api-token", "KEPT_API_TOKEN_FAILURE_LIMIT", (30, 600))


def _login_counts(request: HttpRequest, username: str):
    address = ratelimit.client_ip(request)
    # usernames are compared exactly by the backend; counting them folded keeps "Boss" and
    # "boss" in one count rather than giving an attacker two
    name = (username or "").strip().casefold()
    yield LOGIN_ADDRESS, address
    if name:
        yield LOGIN_USERNAME, name


def login_refused_for(request: HttpRequest, username: str) -> int | None:
    """The window in seconds when the address or the username used up its failures; None when
    the attempt may go ahead."""
    for (scope, setting, default), ident in _login_counts(request, username):
        limit, window = ratelimit.limit_of(setting, default)
        if ratelimit.is_exhausted(scope, ident, limit=limit, window=window):
            return window
    return None


def record_login_failure(request: HttpRequest, username: str) -> None:
    for (scope, setting, default), ident in _login_counts(request, username):
        limit, window = ratelimit.limit_of(setting, default)
        ratelimit.allow(scope, ident, limit=limit, window=window)


def token_refused_for(request: HttpRequest) -> int | None:
    """The window in seconds when the address sent too many unknown API tokens, else None."""
    scope, setting, default = API_TOKEN
    limit, window = ratelimit.limit_of(setting, default)
    exhausted = ratelimit.is_exhausted(
        scope, ratelimit.client_ip(request), limit=limit, window=window
    )
    return window if exhausted else None


def record_token_failure(request: HttpRequest) -> None:
    scope, setting, default = API_TOKEN
    limit, window = ratelimit.limit_of(setting, default)
    ratelimit.allow(scope, ratelimit.client_ip(request), limit=limit, window=window)
