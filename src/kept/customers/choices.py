from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerKind(models.TextChoices):
    EXTERNAL = "external", _("External customer")
    INTERNAL = "internal", _("Internal department")


class CustomerType(models.TextChoices):
    END_CONSUMER = "end_consumer", _("End consumer")
    INTERMEDIARY = "intermediary", _("Intermediary")


class SizeUnit(models.TextChoices):
    PEOPLE = "people", _("people")
    SEATS = "seats", _("seats")
    BEDS = "beds", _("beds")
    STAFF = "staff", _("staff")


class InteractionKind(models.TextChoices):
    CALL = "call", _("Call")
    VISIT = "visit", _("Visit")
    MESSAGE = "message", _("Message")
    NOTE = "note", _("Note")
    REMINDER = "reminder", _("Payment reminder")
    ORDER = "order", _("Order")
    DELIVERY = "delivery", _("Delivery")
    TICKET = "ticket", _("Ticket")
    SURVEY = "survey", _("Survey answer")
    PROMISE_CHANGE = "promise_change", _("Promise change")


# Kinds a person logs by hand; the others are written by the modules that own them.
LOGGABLE_KINDS = [
    InteractionKind.CALL,
    InteractionKind.VISIT,
    InteractionKind.MESSAGE,
    InteractionKind.NOTE,
    InteractionKind.REMINDER,  # a collection call or message: a cost-to-serve driver
]


class Weekday(models.IntegerChoices):
    MONDAY = 1, _("Mon")
    TUESDAY = 2, _("Tue")
    WEDNESDAY = 3, _("Wed")
    THURSDAY = 4, _("Thu")
    FRIDAY = 5, _("Fri")
    SATURDAY = 6, _("Sat")
    SUNDAY = 7, _("Sun")


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", _("Simplified Chinese")
    EN = "en", _("English")
