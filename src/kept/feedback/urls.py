from django.urls import path

from kept.feedback import views

app_name = "feedback"
urlpatterns = [
    path("", views.results, name="results"),
    path("send/", views.send, name="send"),
    path("s/<str:token>/", views.answer, name="answer"),
]
