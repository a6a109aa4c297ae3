from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from kept.core.actions import revoke_token
from kept.core.models import ApiToken, AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_repr", "reason"]
    list_filter = ["action"]
    search_fields = ["object_repr", "reason", "object_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at", "revoked_at", "user"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return (
            False  # tokens are created with `kept token create USER`, which shows the secret once
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            revoke_token(token, actor=request.user, reason="admin")
        messages.success(request, _("Tokens revoked."))
