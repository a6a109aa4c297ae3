from __future__ import annotations

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


class DefaultLanguageMiddleware:
    """Make KEPT_LANGUAGE the default for pages, not the browser's Accept-Language.

    A person's own choice (the language cookie set by the switch) wins; API clients
    may still ask for a language with Accept-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen not in LANGUAGE_CODES and not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        response = self.get_response(request)
        return response


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs a login; the API answers 401 itself (token or session)."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


JSON_NUL = (b"\x00", b"\\u0000")  # raw, or escaped in a JSON string


def _json_body_has_nul(request) -> bool:
    """A JSON body (the API's) with a NUL in it. Only JSON: reading a multipart upload's body
    here would hold a whole import file in memory."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return False
    if not request.content_type or "json" not in request.content_type:
        return False
    body = request.body
    return any(marker in body for marker in JSON_NUL)


class RejectNulMiddleware:
    """A NUL character cannot be stored in PostgreSQL text: refuse it at the door (400)
    instead of letting it reach a query as a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            "\x00" in request.path
            or "%00" in request.META.get("QUERY_STRING", "")
            or any("\x00" in value for values in request.GET.lists() for value in values[1])
            or _json_body_has_nul(request)
        ):
            from django.http import JsonResponse
            from django.utils.translation import gettext as _

            return JsonResponse(
                {
                    "code": "invalid",
                    "message": _("The request contains a NUL character."),
                    "details": None,
                },
                status=400,
            )
        return self.get_response(request)
