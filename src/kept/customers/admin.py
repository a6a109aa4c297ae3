from django.contrib import admin

from kept.customers.actions import CREDIT_FIELDS
from kept.customers.models import Contact, Customer, CustomerGroup, Interaction, Region, Tag


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "group", "region", "owner", "is_blocked", "is_active"]
    list_filter = ["kind", "customer_type", "group", "region", "is_blocked", "is_active"]
    search_fields = ["code", "name", "alias", "phone"]
    autocomplete_fields = ["owner"]
    filter_horizontal = ["tags"]
    inlines = [ContactInline]
    # Credit, terms and blocking change only through the app, where each change is audited.
    readonly_fields = CREDIT_FIELDS


@admin.register(CustomerGroup)
class CustomerGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ["customer", "kind", "occurred_at", "author"]
    list_filter = ["kind"]
    search_fields = ["customer__code", "customer__name", "summary"]
    raw_id_fields = ["customer"]
