from django.urls import path

from kept.promising.views import desk, orders, risk

app_name = "promising"
urlpatterns = [
    path("desk/", desk.desk, name="desk"),
    path("desk/check/", desk.check, name="check"),
    path("desk/availability/", desk.availability, name="availability"),
    path("desk/customers/", desk.customer_suggestions, name="customer_suggestions"),
    path("desk/customer/", desk.customer_panel, name="customer_panel"),
    path("orders/", orders.order_list, name="orders"),
    path("orders/<str:number>/", orders.order_detail, name="order"),
    path("orders/<str:number>/accept/", orders.accept, name="accept"),
    path("orders/<str:number>/approve/", orders.approve, name="approve"),
    path("orders/<str:number>/reject/", orders.reject, name="reject"),
    path("orders/<str:number>/lines/<int:line>/change/", orders.change, name="change"),
    path("orders/<str:number>/cancel/", orders.cancel, name="cancel"),
    path("at-risk/", risk.at_risk, name="at_risk"),
]
