from django.urls import path

from kept.core import transfer_views

app_name = "transfer"
urlpatterns = [path("", transfer_views.index, name="index")]
