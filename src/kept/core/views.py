from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST, require_safe

from kept.core import dashboards


class LoginView(auth_views.LoginView):
    template_name = "kept/core/login.html"
    redirect_authenticated_user = True


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
