"""Admin for the catalog. Stock changes only through movements, so the ledger is read-only here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kept.catalog import actions
from kept.catalog.models import Product, Receipt, StockLevel, StockMovement
from kept.catalog.queries import with_stock
from kept.core.roles import can_see_financials


class ReadOnlyAdminMixin:
    """Viewable, never added, edited or deleted here: the rows are written by actions."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StockLevelInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = StockLevel
    fields = ["on_hand", "updated_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "name", "unit", "price", "sellable", "consumable", "on_hand"]
    list_filter = ["sellable", "consumable"]
    search_fields = ["sku", "name"]
    inlines = [StockLevelInline]

    def get_queryset(self, request):
        return with_stock(super().get_queryset(request))

    def get_readonly_fields(self, request, obj=None):
        return ["sku", "created_at"] if obj else ["created_at"]

    def get_exclude(self, request, obj=None):
        return [] if can_see_financials(request.user) else ["cost"]

    def has_delete_permission(self, request, obj=None):
        return False  # products have history (movements, receipts, orders); stop selling instead

    @admin.display(description=_("on hand"), ordering="on_hand")
    def on_hand(self, product):
        return product.on_hand

    def save_model(self, request, obj, form, change):
        # Through the actions, so a product always has its stock row and changes are audited.
        values = {
            name: form.cleaned_data[name]
            for name in actions.PRODUCT_FIELDS
            if name in form.cleaned_data
        }
        if change:
            actions.update_product(Product.objects.get(pk=obj.pk), values, actor=request.user)
            return
        created = actions.create_product({"sku": obj.sku, **values}, actor=request.user)
        obj.pk = created.pk
        obj._state.adding = False


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Scheduling, receiving and cancelling happen on the receipts page, where stock is booked."""

    list_display = ["id", "product", "quantity", "expected_date", "status", "reference"]
    list_filter = ["status", "expected_date"]
    search_fields = ["product__sku", "product__name", "reference"]
    list_select_related = ["product"]
    date_hierarchy = "expected_date"


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "product",
        "reason",
        "quantity",
        "balance_after",
        "note",
        "created_by",
    ]
    list_filter = ["reason", "created_at"]
    search_fields = ["product__sku", "product__name", "note"]
    list_select_related = ["product", "created_by"]
    date_hierarchy = "created_at"
