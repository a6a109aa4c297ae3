"""Shared pieces of the REST API: authentication, permissions and the error format.

Every error is JSON ``{"code": str, "message": str, "details": object}``; the message is
in the caller's language (Accept-Language, default KEPT_LANGUAGE).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination
from ninja.security import HttpBearer, django_auth

from kept.core import auth
from kept.core.models import ApiToken

logger = logging.getLogger(__name__)


class ErrorOut(Schema):
    code: str
    message: str
    details: Any = None


# Every operation may answer 400 (a NUL character anywhere in the request is refused at the
# door: core/middleware.py) and, as every one authenticates, 429: an address that sent too
# many unknown tokens is refused (with Retry-After) until its window passes.
ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Any = None,
        *,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details
        self.headers = headers or {}


class BearerToken(HttpBearer):
    """``Authorization: Bearer kept_…``; the token carries its user's role."""

    def authenticate(self, request: HttpRequest, token: str):
        # an address that sent too many unknown tokens is refused before any lookup: 429
        # whether or not this token is good, so guessing teaches nothing
        window = auth.token_refused_for(request)
        if window is not None:
            raise ApiError(
                429,
                "too_many_requests",
                _("Too many requests. Try again later."),
                headers={"Retry-After": str(window)},
            )
        digest = ApiToken.digest_of(token)
        found = ApiToken.objects.active().select_related("user").filter(digest=digest).first()
        if found is None:
            auth.record_token_failure(request)
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


AUTH = [BearerToken(), django_auth]


class Needs(BearerToken):
    """Authenticate (Bearer token or session) and then require permissions: 401, else 403.

    Used as ``auth=needs("app.perm")`` so the permission is checked before the request
    body is validated: a caller without the right never learns more than "forbidden".
    """

    def __init__(self, *permissions: str):
        super().__init__()
        self.permissions = permissions

    def __call__(self, request: HttpRequest):
        user = super().__call__(request) if request.headers.get("Authorization") else None
        if not user and _logged_in(request):
            user = django_auth(request)  # the session's user; a write needs the CSRF token
        if not user:
            return None  # 401, also for a write: no CSRF token is asked of no one
        if not user.has_perms(self.permissions):
            raise PermissionDenied
        return user


def _logged_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


def needs(*permissions: str) -> Needs:
    return Needs(*permissions)


def docs_need_login(view):
    """The OpenAPI schema and docs need a login or a token, like every other endpoint."""
    from functools import wraps

    from django.http import JsonResponse

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        try:
            allowed = request.user.is_authenticated or Needs()(request)
        except ApiError as error:  # too many unknown tokens from this address
            body = {"code": error.code, "message": error.message, "details": None}
            return JsonResponse(body, status=error.status, headers=error.headers)
        if not allowed:
            body = {"code": "unauthenticated", "message": _("Log in or send a valid API token.")}
            return JsonResponse({**body, "details": None}, status=401)
        return view(request, *args, **kwargs)

    return wrapper


def require(request: HttpRequest, *permissions: str) -> None:
    """Raise 403 unless the caller holds every permission."""
    if not request.user.has_perms(permissions):
        raise PermissionDenied


def _error(api: NinjaAPI, request, status: int, code: str, message: str, details: Any = None):
    return api.create_response(
        request, {"code": code, "message": message, "details": details}, status=status
    )


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ApiError)
    def api_error(request, exc: ApiError):
        response = _error(api, request, exc.status, exc.code, exc.message, exc.details)
        for name, value in exc.headers.items():
            response[name] = value
        return response

    @api.exception_handler(NinjaValidationError)
    def invalid_request(request, exc: NinjaValidationError):
        details = [
            {
                "loc": list(error.get("loc", [])),
                "msg": str(error.get("msg", "")),
                "type": error.get("type", ""),
            }
            for error in exc.errors
        ]
        return _error(api, request, 422, "invalid", _("The request is not valid."), details)

    @api.exception_handler(DjangoValidationError)
    def invalid_data(request, exc: DjangoValidationError):
        details = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        message = "; ".join(exc.messages) or _("The data is not valid.")
        return _error(api, request, 422, "invalid", message, details)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return _error(api, request, 401, "unauthenticated", _("Log in or send a valid API token."))

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return _error(api, request, 403, "forbidden", _("Your role does not allow this."))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return _error(api, request, 404, "not_found", _("Not found."))

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return _error(api, request, exc.status_code, "error", str(exc))

    @api.exception_handler(Exception)
    def server_error(request, exc):
        logger.exception("API error on %s %s", request.method, request.path)
        return _error(api, request, 500, "server_error", _("Something went wrong on our side."))


class Paging(LimitOffsetPagination):
    """``limit``/``offset`` within what a database can take: 1–1000 rows from an offset of at
    most ten million (beyond, a 422 rather than an overflow in SQL)."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000)
        offset: int = Field(0, ge=0, le=10_000_000)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=1000, **kwargs)
