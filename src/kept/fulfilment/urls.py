from django.urls import path

from kept.fulfilment import views

app_name = "fulfilment"
urlpatterns = [
    path("deliveries/", views.deliveries, name="deliveries"),
    path("deliveries/<int:line>/", views.record, name="record"),
    path("service-level/", views.service_level, name="service_level"),
    path("service-level/failures/", views.failures, name="failures"),
]
