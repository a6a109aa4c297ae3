from django.urls import path

from kept.core import transfer_views

app_name = "transfer"
urlpatterns = [
    path("", transfer_views.index, name="index"),
    path("<slug:entity>/export/<slug:fmt>/", transfer_views.export, name="export"),
    path("<slug:entity>/template/<slug:fmt>/", transfer_views.template, name="template"),
    path("<slug:entity>/import/", transfer_views.upload, name="upload"),
    path("<slug:entity>/import/confirm/", transfer_views.confirm, name="confirm"),
]
