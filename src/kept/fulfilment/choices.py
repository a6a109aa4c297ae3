from django.db import models
from django.utils.translation import gettext_lazy as _


class Defect(models.TextChoices):
    """Why a delivery was not OK."""

    DAMAGED = "damaged", _("Damaged")
    WRONG_ITEM = "wrong_item", _("Wrong item")
    EXPIRED = "expired", _("Expired or spoiled")
    CONTAMINATED = "contaminated", _("Contaminated or unclean")
    OTHER = "other", _("Other")


class Against(models.TextChoices):
    PROMISE = "promise", _("Promise kept")
    REQUEST = "request", _("Request met")


class GroupBy(models.TextChoices):
    DAY = "day", _("Day")
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    CUSTOMER = "customer", _("Customer")
    GROUP = "group", _("Customer group")
    PRODUCT = "product", _("Product")
    REGION = "region", _("Region")
    OWNER = "owner", _("Owner")
