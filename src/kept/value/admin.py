from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kept.value.models import (
    RATE_FIELDS,
    CustomerValue,
    MarketingSpend,
    QuadrantStrategy,
    ValueRun,
    ValueSettings,
    VipService,
)

CLV_FIELDS = ["clv_horizon_months", "annual_discount_percent", "churned_below"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the refit only: shown, never edited by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ValueSettings)
class ValueSettingsAdmin(admin.ModelAdmin):
    """The one row of activity rates and CLV settings."""

    list_display = ["__str__", *RATE_FIELDS, *CLV_FIELDS, "updated_at"]
    fieldsets = [
        (_("Cost-to-serve rates"), {"fields": list(RATE_FIELDS)}),
        (_("Lifetime value"), {"fields": CLV_FIELDS}),
    ]

    def changelist_view(self, request, extra_context=None):
        ValueSettings.current()  # the row exists before anyone looks for it
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(VipService)
class VipServiceAdmin(admin.ModelAdmin):
    list_display = ["customer", "description", "started_on", "ended_on"]
    list_filter = ["ended_on"]
    search_fields = ["customer__code", "customer__name", "description"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
    date_hierarchy = "started_on"


@admin.register(MarketingSpend)
class MarketingSpendAdmin(admin.ModelAdmin):
    list_display = ["__str__", "acquisition", "retention", "note"]
    date_hierarchy = "month"


@admin.register(QuadrantStrategy)
class QuadrantStrategyAdmin(admin.ModelAdmin):
    """The business's names and service strategies of the four quadrants (empty: defaults)."""

    list_display = ["key", "display_name", "meaning", "display_strategy"]
    fields = ["key", "name", "strategy"]

    @admin.display(description=_("name"))
    def display_name(self, obj) -> str:
        return obj.display_name

    @admin.display(description=_("meaning"))
    def meaning(self, obj) -> str:
        return obj.meaning

    @admin.display(description=_("service strategy"))
    def display_strategy(self, obj) -> str:
        return obj.display_strategy


@admin.register(ValueRun)
class ValueRunAdmin(ReadOnlyAdmin):
    list_display = ["as_of", "status", "progress", "customers", "requested_by", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["requested_by"]
    date_hierarchy = "created_at"
    fields = [
        "as_of",
        "status",
        "progress",
        "customers",
        "requested_by",
        "task_id",
        "created_at",
        "started_at",
        "finished_at",
        "fit",
        "error",
    ]
    readonly_fields = fields


@admin.register(CustomerValue)
class CustomerValueAdmin(ReadOnlyAdmin):
    list_display = ["customer", "quadrant", "clv", "p_alive", "rfm", "overdue_on"]
    list_filter = ["quadrant", "is_consumable_buyer"]
    search_fields = ["customer__code", "customer__name"]
    list_select_related = ["customer"]
    ordering = ["-clv"]
    fields = [
        "customer",
        "run",
        "quadrant",
        "clv",
        "p_alive",
        "expected_purchases",
        "expected_spend",
        "average_spend",
        "first_purchase",
        "last_purchase",
        "frequency",
        "recency_weeks",
        "age_weeks",
        "expected_next_purchase",
        "overdue_on",
        "is_consumable_buyer",
        "recency_score",
        "frequency_score",
        "monetary_score",
    ]
    readonly_fields = fields

    @admin.display(description=_("RFM"))
    def rfm(self, obj) -> str:
        return obj.rfm
