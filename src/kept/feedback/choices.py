from django.db import models
from django.utils.translation import gettext_lazy as _


class Trigger(models.TextChoices):
    """What a survey asks about."""

    DELIVERY = "delivery", _("After a delivered order")
    TICKET = "ticket", _("After a resolved ticket")
    HANDOFF = "handoff", _("After a hand-off (internal)")
    MANUAL = "manual", _("Sent by hand")


class ResultsBy(models.TextChoices):
    STAFF = "staff", _("Staff")
    CUSTOMER = "customer", _("Customer")
    GROUP = "group", _("Customer group")
    MONTH = "month", _("Month")


class Scope(models.TextChoices):
    """Whose answers the results count: customers' and departments' are not mixed by default."""

    EXTERNAL = "external", _("Customers")
    INTERNAL = "internal", _("Internal departments")
    ALL = "all", _("Both")
