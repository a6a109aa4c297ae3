from django.urls import path

from kept.catalog import views, views_targets

app_name = "catalog"
urlpatterns = [
    path("products/", views.products, name="products"),
    # Not under products/: any name there could be a SKU.
    path("new-product/", views.product_create, name="product_create"),
    path("products/<str:sku>/", views.product, name="product"),
    path("products/<str:sku>/edit/", views.product_edit, name="product_edit"),
    path("stock/", views.stock, name="stock"),
    path("stock/movements/", views.record_movement, name="record_movement"),
    path("stock/targets/", views_targets.stock_targets_page, name="stock-targets"),
    path("receipts/", views.receipts, name="receipts"),
    path("receipts/new/", views.schedule_receipt, name="schedule_receipt"),
    path("receipts/<int:receipt_id>/receive/", views.receive_receipt, name="receive_receipt"),
    path(
        "receipts/<int:receipt_id>/reschedule/", views.reschedule_receipt, name="reschedule_receipt"
    ),
    path("receipts/<int:receipt_id>/cancel/", views.cancel_receipt, name="cancel_receipt"),
]
