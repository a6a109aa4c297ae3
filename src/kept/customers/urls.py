from django.urls import path

from kept.customers import views  # noqa: F401

app_name = "customers"
urlpatterns: list = []
