from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kept.core import queries


class LoginView(auth_views.LoginView):
    template_name = "kept/core/login.html"
    redirect_authenticated_user = True


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "kept/core/home.html", {"summary": queries.home_summary(request.user)})


@login_not_required
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
