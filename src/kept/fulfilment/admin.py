from django.contrib import admin

from kept.fulfilment import actions
from kept.fulfilment.models import Delivery, ServiceTolerance

TOLERANCE_FIELDS = ["early_days", "late_days", "short_percent"]


@admin.register(ServiceTolerance)
class ServiceToleranceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "early_days", "late_days", "short_percent"]

    def save_model(self, request, obj, form, change):
        # Through the action, so the change is audited.
        values = {name: form.cleaned_data.get(name) for name in TOLERANCE_FIELDS}
        saved = actions.save_tolerance(obj.group, values, actor=request.user)
        obj.pk = saved.pk


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Read-only: deliveries are recorded by the warehouse page, the API or an import."""

    list_display = ["line", "quantity", "delivered_on", "quality_ok", "defect"]
    list_filter = ["quality_ok", "defect", "delivered_on"]
    search_fields = ["line__order__number", "line__order__customer__name"]
    list_select_related = ["line__order", "line__product"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
