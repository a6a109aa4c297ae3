from decimal import Decimal

from django.urls import reverse

from kept.catalog.models import Product, StockLevel
from kept.core.models import AuditEntry


def test_admin_creates_products_through_the_action(client_as, manager):
    data = {
        "sku": "WATER-19L",
        "name": "Spring water 19 L",
        "unit": "jug",
        "price": "18.00",
        "cost": "9.00",
        "sellable": "on",
        "delivery_lead_days": "0",
        "stock-TOTAL_FORMS": "0",
        "stock-INITIAL_FORMS": "0",
        "stock-MIN_NUM_FORMS": "0",
        "stock-MAX_NUM_FORMS": "1",
    }

    response = client_as(manager).post(reverse("admin:catalog_product_add"), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert StockLevel.objects.get(product__sku="WATER-19L").on_hand == 0
    assert AuditEntry.objects.filter(action="product.create").exists()


def test_admin_edit_keeps_the_audit_of_a_price_change(client_as, manager, rice):
    data = {
        "name": rice.name,
        "unit": rice.unit,
        "price": "70.00",
        "cost": "41.50",
        "sellable": "on",
        "consumable": "on",
        "delivery_lead_days": "0",
        "stock-TOTAL_FORMS": "1",
        "stock-INITIAL_FORMS": "1",
        "stock-MIN_NUM_FORMS": "0",
        "stock-MAX_NUM_FORMS": "1",
        "stock-0-product": str(rice.pk),
    }

    response = client_as(manager).post(
        reverse("admin:catalog_product_change", args=[rice.pk]), data
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Product.objects.get(pk=rice.pk).price == Decimal("70.00")
    assert AuditEntry.objects.get(action="product.update").changes["price"] == ["60.00", "70.00"]


def test_admin_ledger_is_read_only(client_as, manager, rice):
    client = client_as(manager)
    movement = rice.movements.get()

    listing = client.get(reverse("admin:catalog_stockmovement_changelist"))
    add = client.get(reverse("admin:catalog_stockmovement_add"))
    change = client.post(
        reverse("admin:catalog_stockmovement_change", args=[movement.pk]), {"quantity": "5"}
    )
    delete = client.post(reverse("admin:catalog_stockmovement_delete", args=[movement.pk]))

    assert listing.status_code == 200 and "Opening balance" in listing.content.decode()
    assert add.status_code == 403
    assert change.status_code == 403
    assert delete.status_code == 403
    assert rice.movements.get().quantity == 100
