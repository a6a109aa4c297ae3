from django.urls import path

from kept.team import views

app_name = "team"
urlpatterns = [
    path("", views.scorecards, name="scorecards"),
    path("score/", views.score, name="score"),
    path("items/", views.items, name="items"),
    path("people/<str:username>/", views.person, name="person"),
    path("periods/<str:key>/close/", views.close_period, name="close_period"),
]
