from django.utils.functional import SimpleLazyObject

from kept.core.models import Notification
from kept.core.roles import can_see_financials, role_of


def kept(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"kept_role": None, "can_see_financials": False, "unread_notifications": 0}
    return {
        "kept_role": role_of(user),
        "can_see_financials": can_see_financials(user),
        # counted only where a template shows it (one query)
        "unread_notifications": SimpleLazyObject(
            lambda: Notification.objects.filter(user=user, read_at__isnull=True).count()
        ),
    }
