from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from kept.core import audit
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


class AuditedUserAdmin(UserAdmin):
    """Role (group) and permission changes made in the admin are audited like any other."""

    def save_related(self, request, form, formsets, change):
        user = form.instance
        before = _access_of(user) if change else None
        super().save_related(request, form, formsets, change)
        after = _access_of(user)
        if before != after:
            audit.record(
                request.user, "user.permissions", user, changes={"access": [before, after]}
            )


def _access_of(user) -> dict:
    return {
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "permissions": sorted(user.user_permissions.values_list("codename", flat=True)),
        "superuser": user.is_superuser,
        "staff": user.is_staff,
    }


admin.site.unregister(User)
admin.site.register(User, AuditedUserAdmin)
