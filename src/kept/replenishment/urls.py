from django.urls import path

from kept.replenishment import views

app_name = "replenishment"
urlpatterns = [
    path("rounds/", views.rounds, name="rounds"),
    path("rounds/<int:subscription>/answer/", views.answer, name="answer"),
    path("rounds/plan-run/", views.plan_run, name="plan_run"),
    path("rounds/plan-run/new/", views.run_plan, name="run_plan"),
    path("customers/<str:code>/containers/new/", views.edit, name="create"),
    path("customers/<str:code>/containers/<int:pk>/", views.edit, name="edit"),
]
