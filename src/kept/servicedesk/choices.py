from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TicketKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    REQUEST = "request", _("Request")
    QUESTION = "question", _("Question")
    RETURN = "return", _("Return")
    HANDOFF = "handoff", _("Hand-off")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting on customer")
    WAITING_THIRD_PARTY = "waiting_third_party", _("Waiting on third party")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (
    TicketStatus.NEW,
    TicketStatus.OPEN,
    TicketStatus.WAITING_CUSTOMER,
    TicketStatus.WAITING_THIRD_PARTY,
)
DONE_STATUSES = (TicketStatus.RESOLVED, TicketStatus.CLOSED)
DEFAULT_PAUSE = [TicketStatus.WAITING_CUSTOMER.value, TicketStatus.WAITING_THIRD_PARTY.value]


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    WECHAT = "wechat", _("WeChat")
    IN_PERSON = "in_person", _("In person")
    WEB = "web", _("Web")
    INTERNAL = "internal", _("Internal")


class CustomerScope(models.TextChoices):
    ANY = "", _("Any customer")
    EXTERNAL = "external", _("External customers")
    INTERNAL = "internal", _("Internal departments")


class RootCause(models.TextChoices):
    QUALITY = "quality", _("Quality")
    LATE = "late", _("Late")
    SHORT = "short", _("Short")
    STAFF = "staff", _("Staff")
    BILLING = "billing", _("Billing")
    OTHER = "other", _("Other")


class Remedy(models.TextChoices):
    REDELIVER = "redeliver", _("Redeliver")
    REFUND = "refund", _("Refund")
    CREDIT = "credit", _("Credit")
    APOLOGY = "apology", _("Apology")


class SlaState(models.TextChoices):
    """The state of one target (SPEC 2.6); the values are those of ``clock.TargetState``."""

    NONE = "", _("No target")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")
    MET = "met", _("Met")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


# The names the data migration gives the default calendar and policy (in English, the code's
# language): shown translated until a manager renames them. The API keeps the stored name.
DEFAULT_NAMES = {
    "Office hours": pgettext_lazy("business calendar", "Office hours"),
    "Default": pgettext_lazy("SLA policy", "Default"),
}


def display_name(name: str) -> str:
    return str(DEFAULT_NAMES.get(name, name))
