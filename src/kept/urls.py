from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from kept.api import api
from kept.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", core_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("notifications/", core_views.notification_list, name="notifications"),
    path("notifications/read/", core_views.notifications_read, name="notifications_read"),
    path("healthz", core_views.health, name="health"),
    path("customers/", include("kept.customers.urls")),
    path("catalog/", include("kept.catalog.urls")),
    path("receivables/", include("kept.receivables.urls")),
    path("promising/", include("kept.promising.urls")),
    path("fulfilment/", include("kept.fulfilment.urls")),
    path("replenishment/", include("kept.replenishment.urls")),
    path("servicedesk/", include("kept.servicedesk.urls")),
    path("feedback/", include("kept.feedback.urls")),
    path("value/", include("kept.value.urls")),
    path("pipeline/", include("kept.pipeline.urls")),
    path("team/", include("kept.team.urls")),
    path("data/", include("kept.core.transfer_urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
