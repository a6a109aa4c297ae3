from django.db import models
from django.utils.translation import gettext_lazy as _


class Decision(models.TextChoices):
    COMMIT = "commit", _("Committed")
    COUNTER = "counter", _("Counter-offer")
    HOLD = "hold", _("On hold")
    DECLINE = "decline", _("Declined")


class LineStatus(models.TextChoices):
    PROMISED = "promised", _("Promised")
    OFFERED = "offered", _("Offer made")
    HELD = "held", _("Waiting for approval")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


class VersionKind(models.TextChoices):
    INITIAL = "initial", _("First promise")
    AGREED = "agreed", _("Changed with the customer's agreement")
    UNILATERAL = "unilateral", _("Changed by us")


class CancelledBy(models.TextChoices):
    CUSTOMER = "customer", _("The customer")
    SUPPLIER = "supplier", _("Us")


class Action(models.TextChoices):
    """What a failed soft rule does to the line."""

    HOLD = "hold", _("Hold for a manager")
    DECLINE = "decline", _("Decline")
    COUNTER = "counter", _("Counter-offer")
