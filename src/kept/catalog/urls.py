from django.urls import path

from kept.catalog import views  # noqa: F401

app_name = "catalog"
urlpatterns: list = []
