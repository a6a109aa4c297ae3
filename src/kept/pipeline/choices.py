"""Kinds the funnel names: where a lead came from."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    REFERRAL = "referral", _("Referral")
    WALK_IN = "walk_in", _("Walk-in")
    PHONE = "phone", _("Phone")
    ONLINE = "online", _("WeChat / online")
    EVENT = "event", _("Event")
    OTHER = "other", _("Other")


class Breakdown(models.TextChoices):
    """How the funnel page and the API group the cohorts."""

    MONTH = "month", _("Month")
    CHANNEL = "channel", _("Channel")
    OWNER = "owner", _("Owner")


# The default stages as the data migration stores them (in English, the code's language):
# shown translated until a manager renames them. The API keeps the stored name.
DEFAULT_STAGE_LABELS = {
    "Inquiry": pgettext_lazy("funnel stage", "Inquiry"),
    "Visit": pgettext_lazy("funnel stage", "Visit"),
    "Purchase": pgettext_lazy("funnel stage", "Purchase"),
    "Repeat / referral": pgettext_lazy("funnel stage", "Repeat / referral"),
}
