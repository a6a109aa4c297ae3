from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    WECHAT_PAY = "wechat_pay", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    OTHER = "other", _("Other")


class InvoiceStatus(models.TextChoices):
    """Derived from the due date and the allocations, never stored."""

    OPEN = "open", _("Open")
    OVERDUE = "overdue", _("Overdue")
    PAID = "paid", _("Paid")


class StatusFilter(models.TextChoices):
    """What the invoice lists can filter on: a status, or unpaid (open or overdue)."""

    OPEN = "open", _("Open")
    OVERDUE = "overdue", _("Overdue")
    UNPAID = "unpaid", _("Unpaid (open or overdue)")
    PAID = "paid", _("Paid")


class Allocate(models.TextChoices):
    """How a new payment is matched with invoices."""

    OLDEST = "oldest", _("Oldest due invoices first")
    MANUAL = "manual", _("To the invoices I choose")
    NONE = "none", _("Not now: keep it as credit")


# Headings of the ageing buckets (kept.receivables.ageing.BUCKETS), by bucket key.
BUCKET_LABELS = {
    "current": _("Current"),
    "days_0_30": _("0–30 days"),
    "days_31_60": _("31–60 days"),
    "days_61_90": _("61–90 days"),
    "days_over_90": _("Over 90 days"),
}
