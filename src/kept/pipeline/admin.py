"""The funnel in Django admin: stages and targets to configure; leads and their entries to
look at (they change through the pages and the API, so the history stays true)."""

from django.contrib import admin

from kept.core import audit
from kept.pipeline.models import FunnelAlert, Lead, Stage, StageEntry


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["position", "name", "monthly_target", "target_percent", "is_won"]
    list_display_links = ["name"]
    ordering = ["position"]

    # a stage's target changed here is audited like one changed on the funnel's settings page
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changes = {
            name: [audit.plain(form.initial.get(name)), audit.plain(form.cleaned_data.get(name))]
            for name in form.changed_data
        }
        audit.record(request.user, "funnel.stage", obj, changes=changes)

    def delete_model(self, request, obj):
        audit.record(request.user, "funnel.stage.delete", obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for stage in queryset:
            audit.record(request.user, "funnel.stage.delete", stage)
        super().delete_queryset(request, queryset)


class StageEntryInline(admin.TabularInline):
    model = StageEntry
    extra = 0
    can_delete = False
    readonly_fields = ["stage", "entered_at", "entered_by"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ["name", "channel", "stage", "owner", "created_at", "lost_at", "customer"]
    list_filter = ["stage", "channel"]
    search_fields = ["name", "phone", "email"]
    list_select_related = ["stage", "owner", "customer"]
    readonly_fields = ["stage", "created_at", "lost_at", "lost_reason", "customer"]
    raw_id_fields = ["owner"]
    inlines = [StageEntryInline]

    def has_add_permission(self, request):
        return False  # a lead starts through the pages, the API or an import: with its entries


@admin.register(FunnelAlert)
class FunnelAlertAdmin(admin.ModelAdmin):
    list_display = ["raised_at", "stage", "measured", "target", "leads", "is_volume"]
    list_select_related = ["stage"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
