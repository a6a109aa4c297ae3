"""Tickets, their messages and status history, complaints, and the SLA policies with their
business calendars (SPEC 2.6). The clock itself is the pure core ``clock``; a ticket keeps the
targets it was given and the last evaluation, so that the queue can filter and sort in SQL."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kept.customers.models import Customer, CustomerGroup
from kept.servicedesk.choices import (
    DEFAULT_PAUSE,
    OPEN_STATUSES,
    Channel,
    CustomerScope,
    Priority,
    Remedy,
    RootCause,
    SlaState,
    TicketKind,
    TicketStatus,
    Weekday,
    display_name,
)

MONEY = {"max_digits": 12, "decimal_places": 2}


def one_line(value: str) -> None:
    """A subject goes into mail headers: no line breaks or other control characters."""
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise ValidationError(_("Keep the subject on one line, without control characters."))


def _default_pause() -> list[str]:
    return list(DEFAULT_PAUSE)


def _default_time_zone() -> str:
    return settings.TIME_ZONE


class BusinessCalendar(models.Model):
    """When the desk works: a time zone, working intervals per weekday, holidays."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default=_default_time_zone)
    around_the_clock = models.BooleanField(
        _("around the clock"),
        default=False,
        help_text=_("Every hour of every day counts; working intervals and holidays are ignored."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return display_name(self.name)

    def clean(self) -> None:
        from zoneinfo import available_timezones

        if self.time_zone not in available_timezones():
            raise ValidationError({"time_zone": _("Unknown time zone.")})


class WorkingInterval(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="intervals"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"), help_text=_("00:00 means midnight at the end of the day."))

    class Meta:
        ordering = ["calendar", "weekday", "start"]
        verbose_name = _("working interval")
        verbose_name_plural = _("working intervals")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class Holiday(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="holidays"
    )
    day = models.DateField(_("day"))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["calendar", "day"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "day"], name="holiday_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.name}".strip()


class SlaPolicy(models.Model):
    """Matched in ``position`` order; the first active policy whose every condition holds
    gives the ticket its targets. An empty condition matches anything."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    customer_group = models.ForeignKey(
        CustomerGroup,
        verbose_name=_("customer group"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    customer_scope = models.CharField(
        _("customers"), max_length=16, choices=CustomerScope, blank=True
    )
    kind = models.CharField(_("ticket kind"), max_length=16, choices=TicketKind, blank=True)
    priority = models.CharField(_("priority"), max_length=16, choices=Priority, blank=True)
    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("calendar"), on_delete=models.PROTECT, related_name="+"
    )
    pause_statuses = models.JSONField(
        _("pause statuses"),
        default=_default_pause,
        blank=True,
        help_text=_("Statuses in which the clock stops."),
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return display_name(self.name)

    def clean(self) -> None:
        allowed = set(OPEN_STATUSES)
        if not isinstance(self.pause_statuses, list) or not set(self.pause_statuses) <= allowed:
            raise ValidationError(
                {"pause_statuses": _("Pause statuses must be open statuses of a ticket.")}
            )


class SlaTarget(models.Model):
    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    priority = models.CharField(_("priority"), max_length=16, choices=Priority)
    first_response = models.DurationField(_("first response within"))
    resolution = models.DurationField(_("resolution within"))

    class Meta:
        ordering = ["policy", "priority"]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.UniqueConstraint(fields=["policy", "priority"], name="sla_target_per_priority")
        ]

    def __str__(self) -> str:
        return f"{self.policy} · {self.get_priority_display()}"

    def clean(self) -> None:
        for name in ("first_response", "resolution"):
            value = getattr(self, name)
            if value is not None and value <= timedelta(0):
                raise ValidationError({name: _("A target must be longer than zero.")})


class TicketQuerySet(models.QuerySet):
    def open(self) -> TicketQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


class Ticket(models.Model):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="tickets"
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=TicketKind, default=TicketKind.REQUEST
    )
    priority = models.CharField(
        _("priority"), max_length=16, choices=Priority, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=24, choices=TicketStatus, default=TicketStatus.NEW
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel, default=Channel.PHONE)
    subject = models.CharField(_("subject"), max_length=200, validators=[one_line])
    description = models.TextField(_("description"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    department = models.ForeignKey(
        Customer,
        verbose_name=_("handled by department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handoffs",
        help_text=_("For a hand-off: the internal department asked to act."),
    )
    order_line = models.ForeignKey(
        "promising.OrderLine",
        verbose_name=_("order line"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    delivery = models.ForeignKey(
        "fulfilment.Delivery",
        verbose_name=_("delivery"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    first_responded_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    # the SLA the ticket was given (policy and targets are copied: a later policy change does
    # not rewrite the past) and its last evaluation, kept for the queue's filters and order
    policy = models.ForeignKey(
        SlaPolicy,
        verbose_name=_("SLA policy"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # tickets keep their SLA: deactivate a policy instead
        related_name="tickets",
    )
    first_response_target = models.DurationField(_("first response target"), null=True, blank=True)
    resolution_target = models.DurationField(_("resolution target"), null=True, blank=True)
    first_response_state = models.CharField(
        _("first response"), max_length=16, choices=SlaState, blank=True
    )
    resolution_state = models.CharField(
        _("resolution"), max_length=16, choices=SlaState, blank=True
    )
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    # when each running target reaches 80 %: with the deadlines, the queue's filters and
    # counts stay exact in SQL between two runs of the SLA watch
    first_response_risk_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_risk_at = models.DateTimeField(null=True, blank=True, editable=False)
    sla_paused = models.BooleanField(_("SLA paused"), default=False)
    # the worst state already announced per target, so that each warning goes out once
    first_response_warned = models.CharField(max_length=16, choices=SlaState, blank=True)
    resolution_warned = models.CharField(max_length=16, choices=SlaState, blank=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["status", "resolution_due"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["customer", "-created_at"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def number(self) -> str:
        return f"T-{self.pk:06d}" if self.pk else "T-new"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TicketMessage(models.Model):
    """A public reply (sent to the customer), an internal note, or what the customer said
    (written down by staff: email-in is not part of Kept)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    public = models.BooleanField(_("public reply"), default=True)
    from_customer = models.BooleanField(_("from the customer"), default=False)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    emailed_to = models.EmailField(_("emailed to"), blank=True)
    # the work this message took: hours on a customer's tickets are a cost-to-serve driver
    minutes_spent = models.PositiveIntegerField(
        _("time spent (minutes)"), default=0, validators=[MaxValueValidator(24 * 60)]
    )

    class Meta:
        ordering = ["ticket", "created_at", "id"]
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(public=False, from_customer=True),
                name="ticket_message_customer_is_public",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket.number} {self.created_at:%Y-%m-%d %H:%M}"


class TicketStatusChange(models.Model):
    """The status history, the input of the SLA clock. Append-only."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(_("status"), max_length=24, choices=TicketStatus)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["ticket", "at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.ticket.number} → {self.status}"


class Complaint(models.Model):
    """The structured part of a complaint ticket (SPEC 2.6). The remedy's cost goes to the
    customer's cost-to-serve."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="complaint")
    what_happened = models.TextField(_("what happened"))
    customer_wants = models.TextField(_("what the customer wants"), blank=True)
    root_cause = models.CharField(_("root cause"), max_length=16, choices=RootCause, blank=True)
    remedy = models.CharField(_("remedy"), max_length=16, choices=Remedy, blank=True)
    remedy_cost = models.DecimalField(
        _("remedy cost"),
        **MONEY,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        permissions = [
            ("confirm_complaint", _("Can confirm a complaint (a quality one marks the delivery)"))
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(remedy_cost__gte=0), name="complaint_cost_not_negative"
            )
        ]

    def __str__(self) -> str:
        return str(self.ticket)

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None
