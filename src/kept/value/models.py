"""Customer value (SPEC 2.7): the business's activity rates and value settings, VIP services,
marketing spend, the renameable quadrants, and each customer's latest value as computed by
the nightly refit."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kept.customers.models import Customer
from kept.value.choices import DEFAULT_STRATEGY, QUADRANT_MEANING, QuadrantKey, RunStatus

MONEY = {"max_digits": 14, "decimal_places": 2}
NOT_NEGATIVE = [MinValueValidator(Decimal("0"))]
ZERO = Decimal("0")

RATE_FIELDS = (
    "per_order",
    "per_delivery",
    "per_ticket_hour",
    "per_complaint_remedy",
    "per_collection_reminder",
    "vip_per_month",
)


def _rate(label, help_text) -> models.DecimalField:
    """An activity rate: money per unit of the activity, never negative."""
    return models.DecimalField(
        label, **MONEY, default=ZERO, validators=NOT_NEGATIVE, help_text=help_text
    )


class ValueSettings(models.Model):
    """The activity rates of cost-to-serve and the CLV settings. One row (``current()``)."""

    per_order = _rate(_("per order"), _("Taking and handling one order."))
    per_delivery = _rate(_("per delivery"), _("One drop: a day's deliveries to one customer."))
    per_ticket_hour = _rate(
        _("per ticket hour"),
        _("An hour of work on the customer's tickets (time written on messages)."),
    )
    per_complaint_remedy = _rate(
        _("per complaint remedy"), _("Handling one remedy, on top of the remedy's own cost.")
    )
    per_collection_reminder = _rate(
        _("per collection reminder"), _("One payment reminder logged in the notebook.")
    )
    vip_per_month = _rate(_("VIP services per month"), _("Each month a customer has VIP service."))
    clv_horizon_months = models.PositiveSmallIntegerField(
        _("CLV horizon (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    annual_discount_percent = models.DecimalField(
        _("annual discount rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
    )
    churned_below = models.DecimalField(
        _("churned below probability alive"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.30"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("0.99"))],
        help_text=_("A customer less likely than this to still be buying is on the churned list."),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("value settings")
        verbose_name_plural = _("value settings")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="one_value_settings")]

    def __str__(self) -> str:
        return str(_("Value settings"))

    @classmethod
    def current(cls) -> ValueSettings:
        found, _created = cls.objects.get_or_create(pk=1)
        return found


class VipService(models.Model):
    """A customer given VIP service (a dedicated contact, priority slots, free small drops…)
    from ``started_on`` until ``ended_on`` (open: still running). Each month costs the VIP
    rate."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="vip_services"
    )
    description = models.CharField(_("what is given"), max_length=200)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["customer", "-started_on"]
        verbose_name = _("VIP service")
        verbose_name_plural = _("VIP services")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="vip_ends_after_start",
                violation_error_message=_("A VIP service cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.description}"


class MarketingSpend(models.Model):
    """What a month cost in winning new customers and in keeping existing ones."""

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    acquisition = models.DecimalField(
        _("acquisition spend"), **MONEY, default=ZERO, validators=NOT_NEGATIVE
    )
    retention = models.DecimalField(
        _("retention spend"), **MONEY, default=ZERO, validators=NOT_NEGATIVE
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("marketing spend")
        verbose_name_plural = _("marketing spend")
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="spend_month_first_day"),
            models.CheckConstraint(
                condition=Q(acquisition__gte=0, retention__gte=0), name="spend_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.month.strftime("%Y-%m")


class QuadrantStrategy(models.Model):
    """The business's name for a quadrant of the value × relationship map, and how it serves
    the customers in it."""

    key = models.CharField(_("quadrant"), max_length=16, choices=QuadrantKey, unique=True)
    name = models.CharField(
        _("name"), max_length=60, blank=True, help_text=_("Empty: the default name, translated.")
    )
    strategy = models.TextField(
        _("service strategy"),
        max_length=2000,
        blank=True,
        help_text=_("Empty: the default strategy, translated."),
    )

    class Meta:
        ordering = ["key"]
        verbose_name = _("quadrant")
        verbose_name_plural = _("quadrants")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or str(QuadrantKey(self.key).label)

    @property
    def display_strategy(self) -> str:
        return self.strategy or str(DEFAULT_STRATEGY[QuadrantKey(self.key)])

    @property
    def meaning(self) -> str:
        return str(QUADRANT_MEANING[QuadrantKey(self.key)])


class ValueRunQuerySet(models.QuerySet):
    def active(self) -> ValueRunQuerySet:
        return self.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING])


class ValueRun(models.Model):
    """One refit of the customers' value (nightly, or asked for by a manager)."""

    STALLED_AFTER = timedelta(hours=2)

    status = models.CharField(max_length=8, choices=RunStatus, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    as_of = models.DateField(_("as of"))
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    customers = models.PositiveIntegerField(default=0)
    # the fitted models: {"bgnbd": {...}, "gg": {...}, "log_likelihood": …}, or the reason none
    fit = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    objects = ValueRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("value refit")
        verbose_name_plural = _("value refits")

    def __str__(self) -> str:
        return f"{self.as_of} {self.status}"


class CustomerValue(models.Model):
    """A customer's value at the last refit: the CLV summary (x, t_x, T, m, in weeks), the
    predictions, RFM scores and quadrant. Manager-only figures: CLV and spend."""

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, related_name="value", primary_key=True
    )
    run = models.ForeignKey(ValueRun, on_delete=models.CASCADE, related_name="+")
    first_purchase = models.DateField()
    last_purchase = models.DateField()
    frequency = models.PositiveIntegerField()  # repeat purchase days
    recency_weeks = models.FloatField()
    age_weeks = models.FloatField()
    average_spend = models.DecimalField(**MONEY)  # mean of the repeat purchases
    p_alive = models.FloatField()
    expected_purchases = models.FloatField()  # in the CLV horizon
    expected_spend = models.DecimalField(**MONEY)  # per purchase (Gamma–Gamma)
    clv = models.DecimalField(**MONEY)
    expected_next_purchase = models.DateField(null=True)
    # by this day a customer still buying would have bought again with 80 % probability:
    # past it, they are overdue (the lapsing list)
    overdue_on = models.DateField(null=True)
    is_consumable_buyer = models.BooleanField(default=False)  # followed by replenishment
    recency_score = models.PositiveSmallIntegerField()
    frequency_score = models.PositiveSmallIntegerField()
    monetary_score = models.PositiveSmallIntegerField()
    quadrant = models.CharField(max_length=16, choices=QuadrantKey)

    class Meta:
        verbose_name = _("customer value")
        verbose_name_plural = _("customer values")
        indexes = [
            models.Index(fields=["quadrant"]),
            models.Index(fields=["p_alive"]),
            models.Index(fields=["overdue_on"]),
        ]

    def __str__(self) -> str:
        return str(self.customer)

    @property
    def rfm(self) -> str:
        return f"{self.recency_score}{self.frequency_score}{self.monetary_score}"
