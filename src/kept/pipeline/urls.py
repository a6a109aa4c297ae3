from django.urls import path

from kept.pipeline import views

app_name = "pipeline"
urlpatterns = [
    path("", views.funnel, name="funnel"),
    path("leads/", views.leads, name="leads"),
    path("leads/new/", views.lead_create, name="lead_create"),
    path("leads/<int:pk>/", views.lead, name="lead"),
    path("leads/<int:pk>/move/", views.lead_move, name="lead_move"),
    path("leads/<int:pk>/lose/", views.lead_lose, name="lead_lose"),
    path("leads/<int:pk>/win/", views.lead_win, name="lead_win"),
    path("stages/", views.stages, name="stages"),
]
