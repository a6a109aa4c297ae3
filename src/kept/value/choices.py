from django.db import models
from django.utils.translation import gettext_lazy as _

from kept.value.segments import Quadrant


class QuadrantKey(models.TextChoices):
    """The four quadrants of value × relationship; a business renames them and gives each a
    service strategy (``QuadrantStrategy``)."""

    PARTNERS = Quadrant.PARTNERS.value, _("Partners")
    AT_RISK_VALUE = Quadrant.AT_RISK_VALUE.value, _("Value at risk")
    LOYAL_SMALL = Quadrant.LOYAL_SMALL.value, _("Loyal and small")
    TRANSACTIONAL = Quadrant.TRANSACTIONAL.value, _("Transactional")


QUADRANT_MEANING = {
    QuadrantKey.PARTNERS: _("High value, close relationship"),
    QuadrantKey.AT_RISK_VALUE: _("High value, weak relationship"),
    QuadrantKey.LOYAL_SMALL: _("Low value, close relationship"),
    QuadrantKey.TRANSACTIONAL: _("Low value, weak relationship"),
}

DEFAULT_STRATEGY = {
    QuadrantKey.PARTNERS: _(
        "Keep and grow: the best slots, a named contact, first call on scarce stock."
    ),
    QuadrantKey.AT_RISK_VALUE: _(
        "Win the relationship: a visit from the owner, ask what would make us their first choice."
    ),
    QuadrantKey.LOYAL_SMALL: _(
        "Serve efficiently: regular rounds, fewer special trips, thank them for their loyalty."
    ),
    QuadrantKey.TRANSACTIONAL: _(
        "Serve at the lowest cost: standard terms, combined drops, self-service ordering."
    ),
}


DRIVER_LABELS = {  # the keys of kept.value.costs.DRIVERS
    "orders": _("Orders taken"),
    "deliveries": _("Deliveries"),
    "tickets": _("Time on tickets"),
    "remedies": _("Complaint remedies"),
    "reminders": _("Payment reminders"),
    "vip": _("VIP service"),
}


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
