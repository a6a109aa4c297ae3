from django.urls import path

from kept.servicedesk import views

app_name = "servicedesk"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.ticket, name="ticket"),
    path("<int:pk>/reply/", views.reply, name="reply"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/complaint/", views.complaint, name="complaint"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
]
