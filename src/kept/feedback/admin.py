from django.contrib import admin

from kept.feedback import actions
from kept.feedback.models import Survey, SurveyPolicy

POLICY_FIELDS = ["after_delivery", "after_ticket", "internal", "quiet_days", "expiry_days"]


@admin.register(SurveyPolicy)
class SurveyPolicyAdmin(admin.ModelAdmin):
    """The one policy: when surveys go out. Changed through the action, so it is audited."""

    list_display = ["__str__", *POLICY_FIELDS]
    fields = POLICY_FIELDS

    def changelist_view(self, request, extra_context=None):
        SurveyPolicy.current()  # the row exists before anyone looks for it
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in POLICY_FIELDS}
        actions.save_policy(values, actor=request.user)


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    """Read-only: answers are the customer's words and stay as given; the token's digest is
    never shown."""

    list_display = ["number", "customer", "trigger", "sent_at", "answered_at", "csat", "nps"]
    list_filter = ["trigger", "answered_at", "language"]
    search_fields = ["customer__code", "customer__name", "comment"]
    list_select_related = ["customer"]
    date_hierarchy = "sent_at"
    fields = [
        "customer",
        "trigger",
        "order",
        "ticket",
        "staff",
        "language",
        "sent_to",
        "sent_at",
        "expires_at",
        "answered_at",
        "csat",
        "nps",
        "comment",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
