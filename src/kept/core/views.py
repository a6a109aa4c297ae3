from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST, require_safe

from kept.core import auth, dashboards


class LoginForm(AuthenticationForm):
    """Django's log-in form; when the limit is reached it refuses before checking anything."""

    refused_for: int | None = None  # the limit's window in seconds, once refused

    def clean(self):
        if self.refused_for is not None:
            minutes = max(self.refused_for // 60, 1)
            raise ValidationError(
                ngettext(
                    "Too many failed attempts to log in. Try again in %(minutes)d minute.",
                    "Too many failed attempts to log in. Try again in %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes},
                code="too_many_attempts",
            )
        return super().clean()


class LoginView(auth_views.LoginView):
    """Log in; failures count per client address and per username (kept.core.auth), and past
    either limit the answer is 429 with the same message whether the user exists or not."""

    template_name = "kept/core/login.html"
    redirect_authenticated_user = True
    form_class = LoginForm

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        form = self.get_form()
        username = str(form.data.get("username", ""))
        form.refused_for = auth.login_refused_for(request, username)
        if form.refused_for is not None:
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(form.refused_for)
            return response
        if form.is_valid():
            return self.form_valid(form)
        auth.record_login_failure(request, username)
        return self.form_invalid(form)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The role's dashboard, in one request: a manager's profit and trends, staff's customers,
    the warehouse's deliveries; every one with the customers' own words."""
    board = dashboards.dashboard(request.user)
    context = {"board": board, "summary": board.summary, **board.sections}
    return render(request, "kept/core/home.html", context)


@login_not_required
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """The user's own notifications, newest first; only theirs, so a login is the right."""
    from kept.core import notifications
    from kept.core.models import Notification

    rows = list(Notification.objects.filter(user=request.user)[:100])
    items = [(n, notifications.text(n)) for n in rows]
    return render(request, "kept/core/notifications.html", {"items": items})


@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    from django.utils import timezone

    from kept.core.models import Notification

    Notification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return redirect("notifications")
