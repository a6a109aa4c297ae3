"""Admin: the scorecards are kept on their own pages (audited actions); the admin lists them
read-only, and only those who may see raters see the scores at all."""

from django.contrib import admin

from kept.team.models import SEE_RATERS, BehaviourItem, Period, Score


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(BehaviourItem)
class BehaviourItemAdmin(ReadOnly):
    """Edited on the team's items page, where each change is audited."""

    list_display = ["display_text", "key", "position", "retired"]
    list_filter = ["retired"]


@admin.register(Period)
class PeriodAdmin(ReadOnly):
    list_display = ["key", "start", "end", "closed_at", "closed_by"]


@admin.register(Score)
class ScoreAdmin(ReadOnly):
    """A score names its rater: visible to managers only, as on the pages."""

    list_display = ["period", "person", "item", "rater", "value", "note"]
    list_filter = ["period", "value"]
    list_select_related = ["period", "person", "item", "rater"]
    search_fields = ["person__username", "rater__username", "note"]

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(SEE_RATERS) and super().has_view_permission(request, obj)

    def has_module_permission(self, request) -> bool:
        return request.user.has_perm(SEE_RATERS)
