from django.contrib import admin

from kept.replenishment.models import Proposal, Reading, Subscription


class ReadingInline(admin.TabularInline):
    model = Reading
    extra = 0
    fields = ["day", "level", "source", "note"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["customer", "product", "capacity", "people", "fill_policy", "is_active"]
    list_filter = ["is_active", "fill_policy", "window", "product"]
    search_fields = ["customer__code", "customer__name", "product__sku"]
    autocomplete_fields = ["customer"]
    inlines = [ReadingInline]


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["subscription", "plan_date", "delivery_date", "quantity", "outcome", "order"]
    list_filter = ["outcome", "plan_date"]
    readonly_fields = [f.name for f in Proposal._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
