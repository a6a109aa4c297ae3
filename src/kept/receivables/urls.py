from django.urls import path

from kept.receivables import views

app_name = "receivables"
urlpatterns = [
    path("invoices/", views.invoices, name="invoices"),
    # Not under invoices/ or payments/: any name there could be a number.
    path("new-invoice/", views.invoice_create, name="invoice_create"),
    path("invoices/<str:number>/", views.invoice, name="invoice"),
    path("invoices/<str:number>/allocate/", views.allocate, name="allocate"),
    path("payments/", views.payments, name="payments"),
    path("new-payment/", views.payment_create, name="payment_create"),
    path("payments/<int:payment_id>/", views.payment, name="payment"),
    path("ageing/", views.ageing_page, name="ageing"),
]
