"""Surveys (SPEC 2.6): CSAT and NPS asked after a delivered order or a resolved ticket, and
the one policy saying when to ask."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kept.customers.choices import Language
from kept.customers.models import Customer
from kept.feedback.choices import Trigger

CSAT_RANGE = (1, 5)
NPS_RANGE = (0, 10)


class SurveyPolicy(models.Model):
    """When surveys go out. One row (``current()``)."""

    after_delivery = models.BooleanField(_("after a delivered order"), default=True)
    after_ticket = models.BooleanField(_("after a resolved ticket"), default=True)
    internal = models.BooleanField(
        _("to departments after a hand-off"),
        default=True,
        help_text=_("Internal surveys: the department that asked rates the hand-off."),
    )
    quiet_days = models.PositiveSmallIntegerField(
        _("days between two surveys to a customer"),
        default=30,
        validators=[MaxValueValidator(365)],
        help_text=_("At most one survey per customer in this many days."),
    )
    expiry_days = models.PositiveSmallIntegerField(
        _("days a survey link stays valid"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )

    class Meta:
        verbose_name = _("survey policy")
        verbose_name_plural = _("survey policy")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="one_survey_policy")]

    def __str__(self) -> str:
        return str(_("Survey policy"))

    @classmethod
    def current(cls) -> SurveyPolicy:
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy


class SurveyQuerySet(models.QuerySet):
    def answered(self) -> SurveyQuerySet:
        return self.filter(answered_at__isnull=False)


class Survey(models.Model):
    """One survey sent to a customer. The link's raw token is never stored: only its SHA-256
    digest, so a copy of the database opens no survey."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="surveys"
    )
    trigger = models.CharField(_("asked after"), max_length=16, choices=Trigger)
    order = models.ForeignKey(
        "promising.Order",
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surveys",
    )
    ticket = models.ForeignKey(
        "servicedesk.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surveys",
    )
    # whom the answer is about: the ticket's assignee, or the customer's owner
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surveys",
    )
    language = models.CharField(_("language"), max_length=8, choices=Language)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    sent_to = models.EmailField(_("sent to"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    csat = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(CSAT_RANGE[0]), MaxValueValidator(CSAT_RANGE[1])],
    )
    nps = models.PositiveSmallIntegerField(
        _("likely to recommend (0–10)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(NPS_RANGE[0]), MaxValueValidator(NPS_RANGE[1])],
    )
    comment = models.TextField(_("comment"), blank=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        indexes = [
            models.Index(fields=["customer", "-sent_at"]),
            models.Index(fields=["sent_at"]),
            models.Index(fields=["staff", "sent_at"]),
            models.Index(  # a customer's latest answers (the notebook)
                fields=["customer", "-answered_at", "-id"],
                condition=Q(answered_at__isnull=False),
                name="survey_customer_answered",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(csat__isnull=True) | Q(csat__gte=1, csat__lte=5),
                name="survey_csat_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(nps__isnull=True) | Q(nps__gte=0, nps__lte=10),
                name="survey_nps_0_to_10",
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=False)
                | Q(csat__isnull=True, nps__isnull=True, comment=""),
                name="survey_scores_only_when_answered",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("sent_at")), name="survey_expires_after_sent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.customer}"

    @property
    def number(self) -> str:
        return f"S-{self.pk:06d}" if self.pk else "S-new"

    def is_answered(self) -> bool:
        return self.answered_at is not None

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
