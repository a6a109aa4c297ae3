from django.urls import path

from kept.value import views, views_retention

app_name = "value"
urlpatterns = [
    # managers: profit, cost-to-serve and the settings behind them (views.py)
    path("", views.profit, name="profit"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/rates/", views.save_rates, name="save_rates"),
    path("settings/quadrants/", views.save_quadrants, name="save_quadrants"),
    path("settings/spend/", views.save_spend, name="save_spend"),
    path("settings/vip/", views.add_vip, name="add_vip"),
    path("settings/vip/<int:pk>/end/", views.end_vip, name="end_vip"),
    # managers: segments, retention, the refit; staff too: lapsing (views_retention.py)
    path("segments/", views_retention.segments, name="segments"),
    path("retention/", views_retention.retention, name="retention"),
    path("lapsing/", views_retention.lapsing, name="lapsing"),
    path("refit/", views_retention.run_refit, name="refit"),
    path("refit/status/", views_retention.refit_status, name="refit_status"),
]
