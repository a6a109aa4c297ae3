"""Kinds the funnel names: where a lead came from."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
