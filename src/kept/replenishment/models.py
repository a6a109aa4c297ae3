"""Consumable subscriptions (SPEC 2.5): what each household keeps in its jar, what we saw of
its level, and what became of each proposal to refill it. The fills are the deliveries."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kept.catalog.models import QUANTITY, Product
from kept.customers.models import Customer
from kept.replenishment.choices import FillPolicy, Outcome, ReadingSource, Window

POSITIVE = [MinValueValidator(Decimal("0.001"))]


class Subscription(models.Model):
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    capacity = models.DecimalField(_("container capacity"), **QUANTITY, validators=POSITIVE)
    people = models.PositiveSmallIntegerField(
        _("people served"), default=1, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    fill_policy = models.CharField(
        _("fill policy"), max_length=12, choices=FillPolicy, default=FillPolicy.TO_CAPACITY
    )
    fixed_quantity = models.DecimalField(
        _("fixed quantity"), **QUANTITY, null=True, blank=True, validators=POSITIVE
    )
    # ISO weekdays, 1 = Monday … 7 = Sunday; empty: any day
    preferred_days = models.JSONField(_("preferred days"), default=list, blank=True)
    window = models.CharField(
        _("delivery window"), max_length=10, choices=Window, default=Window.ANY
    )
    is_active = models.BooleanField(_("active"), default=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["customer", "product"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(
                "customer",
                "product",
                name="one_subscription_per_product",
                violation_error_message=_("This customer already has this product."),
            ),
            models.CheckConstraint(
                condition=models.Q(fill_policy="to_capacity")
                | models.Q(fixed_quantity__isnull=False),
                name="fixed_policy_has_quantity",
                violation_error_code="invalid",
                violation_error_message=_("A fixed policy needs its quantity."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.product}"


class Reading(models.Model):
    """The level seen in the container on a day: a reading, or what the customer said at a
    visit ("still had X")."""

    subscription = models.ForeignKey(
        Subscription,
        verbose_name=_("subscription"),
        on_delete=models.CASCADE,
        related_name="readings",
    )
    day = models.DateField(_("day"))
    level = models.DecimalField(_("level"), **QUANTITY, validators=[MinValueValidator(0)])
    source = models.CharField(
        _("source"), max_length=10, choices=ReadingSource, default=ReadingSource.READING
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["subscription", "day", "id"]
        verbose_name = _("level reading")
        verbose_name_plural = _("level readings")
        indexes = [models.Index(fields=["subscription", "day"])]

    def __str__(self) -> str:
        return f"{self.subscription}: {self.level} @ {self.day}"


class Proposal(models.Model):
    """A refill the plan proposed, and what came of it."""

    subscription = models.ForeignKey(
        Subscription,
        verbose_name=_("subscription"),
        on_delete=models.CASCADE,
        related_name="proposals",
    )
    plan_date = models.DateField(_("plan date"))
    delivery_date = models.DateField(_("delivery date"))
    quantity = models.DecimalField(_("proposed quantity"), **QUANTITY, validators=POSITIVE)
    expected_runout = models.DateField(_("expected run-out"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome)
    postponed_until = models.DateField(_("postponed until"), null=True, blank=True)
    still_had = models.DecimalField(_("still had"), **QUANTITY, null=True, blank=True)
    order = models.ForeignKey(
        "promising.Order",
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        ordering = ["-plan_date", "-id"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [models.Index(fields=["subscription", "plan_date"])]

    def __str__(self) -> str:
        return f"{self.subscription} {self.plan_date}: {self.get_outcome_display()}"


class PlanRunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class PlanStep(models.TextChoices):
    WAITING = "waiting", _("Waiting for a worker")
    READING = "reading", _("Reading the histories and fitting the forecast")
    PLANNING = "planning", _("Choosing the containers to refill")
    FINISHED = "finished", _("Finished")


class PlanRunQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=[PlanRunStatus.QUEUED, PlanRunStatus.RUNNING])

    def latest_for(self, day) -> PlanRun | None:
        return self.filter(plan_date=day).order_by("-created_at", "-id").first()


class PlanRun(models.Model):
    """One run of the nightly plan in the background (``tasks.nightly_plan``): its progress
    while a worker computes it, then how many refills it proposed or why it failed."""

    STALLED_AFTER = timedelta(hours=1)  # still queued or running: no worker is on it

    plan_date = models.DateField(_("plan date"))
    status = models.CharField(
        _("status"), max_length=8, choices=PlanRunStatus, default=PlanRunStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    step = models.CharField(_("step"), max_length=10, choices=PlanStep, default=PlanStep.WAITING)
    proposals = models.PositiveIntegerField(_("proposals"), null=True, blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = PlanRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("plan run")
        verbose_name_plural = _("plan runs")
        indexes = [models.Index(fields=["plan_date", "created_at"])]

    def __str__(self) -> str:
        return f"{self.plan_date} {self.get_status_display()} {self.progress}%"

    def is_active(self) -> bool:
        return self.status in (PlanRunStatus.QUEUED, PlanRunStatus.RUNNING)

    def is_stalled(self, now=None) -> bool:
        return self.is_active() and self.created_at < (now or timezone.now()) - self.STALLED_AFTER
