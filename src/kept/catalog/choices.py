from django.db import models
from django.utils.translation import gettext_lazy as _


class MovementReason(models.TextChoices):
    OPENING = "opening", _("Opening balance")
    RECEIPT = "receipt", _("Receipt")
    DELIVERY = "delivery", _("Delivery")
    RETURN = "return", _("Customer return")
    COUNT = "count", _("Stock count correction")
    DAMAGE = "damage", _("Damaged")
    WRITE_OFF = "write_off", _("Write-off")
    ADJUSTMENT = "adjustment", _("Other adjustment")


# Reasons a person may record by hand; receipts and deliveries come from their own actions.
MANUAL_REASONS = [
    MovementReason.OPENING,
    MovementReason.RETURN,
    MovementReason.COUNT,
    MovementReason.DAMAGE,
    MovementReason.WRITE_OFF,
    MovementReason.ADJUSTMENT,
]


class ReceiptStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


# Stock that disappears needs a why: these reasons require a note (it goes to the audit log).
NOTE_REQUIRED_REASONS = [MovementReason.WRITE_OFF, MovementReason.DAMAGE, MovementReason.COUNT]
