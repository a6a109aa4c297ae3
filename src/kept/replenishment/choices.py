from django.db import models
from django.utils.translation import gettext_lazy as _


class FillPolicy(models.TextChoices):
    TO_CAPACITY = "to_capacity", _("Fill to capacity")
    FIXED = "fixed", _("Fixed quantity")


class Window(models.TextChoices):
    ANY = "any", _("Any time")
    MORNING = "morning", _("Morning")
    AFTERNOON = "afternoon", _("Afternoon")
    EVENING = "evening", _("Evening")


class ReadingSource(models.TextChoices):
    READING = "reading", _("Level reading")
    FEEDBACK = "feedback", _("Visit feedback (still had)")


class Outcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted: ordered")
    POSTPONED = "postponed", _("Postponed")
    DECLINED = "declined", _("Declined")
    STILL_HAD = "still_had", _("Still had enough")
