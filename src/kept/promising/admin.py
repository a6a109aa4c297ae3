from django.contrib import admin

from kept.promising import policies
from kept.promising.models import CustomerPolicy, Order, OrderLine, PromisePolicy, PromiseVersion
from kept.promising.queries import POLICY_FIELDS


def _values(form) -> dict:
    return {name: form.cleaned_data.get(name) for name in POLICY_FIELDS}


@admin.register(PromisePolicy)
class PromisePolicyAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "min_margin_percent",
        "min_lead_days",
        "max_quantity",
        "overdue_amount_limit",
        "overdue_days_limit",
    ]
    filter_horizontal = ["excluded_products"]

    def save_model(self, request, obj, form, change):
        # Through the action, so the change is audited like one made over the API.
        saved = policies.save_group_policy(obj.group, _values(form), actor=request.user)
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        skus = [product.sku for product in form.cleaned_data.get("excluded_products", [])]
        policies.save_group_policy(form.instance.group, {}, excluded_skus=skus, actor=request.user)


@admin.register(CustomerPolicy)
class CustomerPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "customer",
        "min_margin_percent",
        "max_quantity",
        "overdue_amount_limit",
        "reason",
    ]
    raw_id_fields = ["customer"]
    search_fields = ["customer__code", "customer__name"]

    def save_model(self, request, obj, form, change):
        saved = policies.save_customer_policy(
            obj.customer, _values(form), reason=obj.reason, actor=request.user
        )
        obj.pk = saved.pk

    # removing an override is audited too, through the same action as the pages
    def delete_model(self, request, obj):
        policies.remove_customer_policy(obj.customer, reason="admin", actor=request.user)

    def delete_queryset(self, request, queryset):
        for policy in queryset.select_related("customer"):
            policies.remove_customer_policy(policy.customer, reason="admin", actor=request.user)


class VersionInline(admin.TabularInline):
    model = PromiseVersion
    extra = 0
    can_delete = False
    readonly_fields = [
        "number",
        "kind",
        "quantity",
        "date",
        "parts",
        "reason",
        "created_by",
        "created_at",
    ]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Read-only: orders and promises change only through the promise engine."""

    list_display = ["number", "customer", "decision", "created_at", "cancelled_by"]
    list_filter = ["decision", "cancelled_by"]
    search_fields = ["number", "customer__code", "customer__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OrderLine)
class OrderLineAdmin(OrderAdmin):
    list_display = [
        "__str__",
        "product",
        "requested_quantity",
        "requested_date",
        "decision",
        "status",
    ]
    list_filter = ["decision", "status"]
    search_fields = ["order__number", "product__sku"]
    inlines = [VersionInline]
