from django.urls import path

from kept.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("<str:code>/", views.notebook, name="notebook"),
    path("<str:code>/edit/", views.customer_edit, name="edit"),
    path("<str:code>/timeline/", views.timeline, name="timeline"),
    path("<str:code>/interactions/", views.log_interaction, name="log_interaction"),
    path("<str:code>/contacts/new/", views.contact_edit, name="contact_create"),
    path("<str:code>/contacts/<int:contact_id>/", views.contact_edit, name="contact_edit"),
    path(
        "<str:code>/contacts/<int:contact_id>/delete/", views.contact_delete, name="contact_delete"
    ),
]
