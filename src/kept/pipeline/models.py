"""The funnel (SPEC 2.8): configurable stages with their targets, leads, the append-only
record of when each lead entered each stage, and the alerts raised when a stage fell below
its target over the rolling window."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kept.customers.models import Customer
from kept.pipeline.choices import DEFAULT_STAGE_LABELS, Channel


class Stage(models.Model):
    """A step of the funnel. The first stage (lowest position) has a volume target per month;
    every later stage has a target conversion from the stage before it, in per cent. Leads
    become customers when they enter the won stage."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), unique=True)
    target_percent = models.DecimalField(
        _("target conversion from the previous stage (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    monthly_target = models.PositiveIntegerField(
        _("target leads per month (first stage)"), null=True, blank=True
    )
    is_won = models.BooleanField(
        _("won stage"), default=False, help_text=_("Entering it makes the lead a customer.")
    )

    class Meta:
        ordering = ["position"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.UniqueConstraint(
                fields=["is_won"],
                condition=Q(is_won=True),
                name="one_won_stage",
                violation_error_message=_("Only one stage can be the won stage."),
            )
        ]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def label(self) -> str:
        """The name to show: a default stage's in the reader's language."""
        return str(DEFAULT_STAGE_LABELS.get(self.name, self.name))


class LeadQuerySet(models.QuerySet):
    def open(self) -> LeadQuerySet:
        return self.filter(lost_at__isnull=True, customer__isnull=True)


class Lead(models.Model):
    """Someone who may become a customer. ``stage`` is the furthest stage entered: moves are
    forward only, so it is also the last of the lead's stage entries. ``created_at`` is when
    the lead entered the first stage: the cohort it belongs to."""

    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="leads"
    )
    note = models.TextField(_("note"), blank=True, max_length=4000)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    lost_at = models.DateTimeField(_("lost at"), null=True, blank=True)
    lost_reason = models.CharField(_("reason lost"), max_length=300, blank=True)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        constraints = [
            models.CheckConstraint(
                condition=Q(lost_at__isnull=True) | ~Q(lost_reason=""),
                name="lead_lost_needs_reason",
                violation_error_message=_("Give the reason the lead was lost."),
            ),
            models.CheckConstraint(
                condition=~Q(phone="") | ~Q(email=""),
                name="lead_phone_or_email",
                violation_error_message=_("Give a phone number or an email address."),
            ),
        ]
        indexes = [
            models.Index(fields=["created_at"]),
            models.Index(fields=["owner", "created_at"]),
            models.Index(fields=["phone"]),
        ]

    def __str__(self) -> str:
        return self.name

    def is_lost(self) -> bool:
        return self.lost_at is not None

    def is_won(self) -> bool:
        return self.customer_id is not None

    def is_open(self) -> bool:
        return not self.is_lost() and not self.is_won()


class StageEntry(models.Model):
    """When a lead entered a stage (append-only). A lead that skips stages enters each of them
    at the same moment, so every later stage's leads are also counted in the earlier ones."""

    lead = models.ForeignKey(
        Lead, verbose_name=_("lead"), on_delete=models.CASCADE, related_name="entries"
    )
    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="entries"
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["entered_at", "stage__position"]
        verbose_name = _("stage entry")
        verbose_name_plural = _("stage entries")
        constraints = [
            models.UniqueConstraint(fields=["lead", "stage"], name="one_entry_per_lead_stage")
        ]
        indexes = [models.Index(fields=["stage", "entered_at"])]

    def __str__(self) -> str:
        return f"{self.lead} → {self.stage}"


class FunnelAlert(models.Model):
    """A stage found below its target over the rolling window ending ``raised_at``. At most
    one per stage per window length: the check stays quiet while the last one is that recent."""

    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.CASCADE, related_name="alerts"
    )
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    window_days = models.PositiveSmallIntegerField(_("window (days)"))
    # A conversion in per cent; for the first stage, leads in the window against the monthly
    # target pro-rated to the window.
    measured = models.DecimalField(_("measured"), max_digits=9, decimal_places=2)
    target = models.DecimalField(_("target"), max_digits=9, decimal_places=2)
    leads = models.PositiveIntegerField(_("leads counted"))
    is_volume = models.BooleanField(_("volume of the first stage"), default=False)

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("funnel alert")
        verbose_name_plural = _("funnel alerts")
        indexes = [models.Index(fields=["stage", "raised_at"])]

    def __str__(self) -> str:
        return f"{self.stage} {self.raised_at:%Y-%m-%d}"
