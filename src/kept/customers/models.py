from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kept.customers.choices import (
    CustomerKind,
    CustomerType,
    InteractionKind,
    Language,
    SizeUnit,
    Weekday,
)

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
    _("Use letters, digits, dot, dash or underscore, starting with a letter or digit."),
)


def validate_weekdays(value) -> None:
    if not isinstance(value, list) or any(day not in Weekday.values for day in value):
        raise ValidationError(
            _("Preferred days must be a list of weekday numbers 1 (Mon) to 7 (Sun).")
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("A preferred day is listed twice."))


class CustomerGroup(models.Model):
    """A segment with its own rules (credit, lead time, tolerances) in later modules."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer group")
        verbose_name_plural = _("customer groups")

    def __str__(self) -> str:
        return self.name


class Region(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class CustomerQuerySet(models.QuerySet):
    def active(self) -> CustomerQuerySet:
        return self.filter(is_active=True)

    def search(self, text: str) -> CustomerQuerySet:
        """Match name, other name, code or phone of the customer or a contact.

        The customer's own fields and its contacts' are matched apart and their ids united:
        on PostgreSQL each side is a bitmap over trigram indexes (migration 0003) instead of
        a scan of every customer joined to its contacts."""
        text = text.strip()
        if not text:
            return self
        own = (
            Q(name__icontains=text)
            | Q(alias__icontains=text)
            | Q(code__icontains=text)
            | Q(phone__icontains=text)
        )
        contacts = Contact.objects.filter(Q(name__icontains=text) | Q(phone__icontains=text))
        ids = (
            Customer.objects.filter(own)
            .order_by()
            .values("pk")
            .union(contacts.order_by().values("customer_id"))
        )
        return self.filter(pk__in=ids)


class Customer(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    alias = models.CharField(
        _("other name"), max_length=200, blank=True, help_text=_("English, pinyin or trading name.")
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=CustomerKind, default=CustomerKind.EXTERNAL
    )
    customer_type = models.CharField(
        _("type"), max_length=16, choices=CustomerType, default=CustomerType.END_CONSUMER
    )
    group = models.ForeignKey(
        CustomerGroup,
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_customers",
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=Language, default=Language.ZH_HANS
    )
    address = models.TextField(_("address"), blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
    )
    route = models.CharField(_("route"), max_length=64, blank=True)
    size = models.PositiveIntegerField(
        _("household or site size"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    size_unit = models.CharField(
        _("size unit"), max_length=16, choices=SizeUnit, default=SizeUnit.PEOPLE
    )
    preferences = models.TextField(_("preferences and habits"), blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="customers")
    preferred_days = models.JSONField(
        _("preferred delivery days"), default=list, blank=True, validators=[validate_weekdays]
    )
    window_start = models.TimeField(_("delivery window from"), null=True, blank=True)
    window_end = models.TimeField(_("delivery window to"), null=True, blank=True)
    credit_limit = models.DecimalField(
        _("credit limit"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Empty means no limit."),
    )
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=0)
    is_blocked = models.BooleanField(_("blocked"), default=False)
    blocked_reason = models.TextField(_("reason for blocking"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["name", "code"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        permissions = [("manage_credit", _("Can set credit limit, payment terms and blocking"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_blocked=False) | ~Q(blocked_reason=""),
                name="customer_blocked_needs_reason",
                violation_error_message=_("Give the reason for blocking this customer."),
            ),
            models.CheckConstraint(
                condition=Q(window_start__isnull=True)
                | Q(window_end__isnull=True)
                | Q(window_start__lt=models.F("window_end")),
                name="customer_window_in_order",
                violation_error_message=_("The delivery window must end after it starts."),
            ),
        ]
        indexes = [
            models.Index(fields=["phone"]),
            models.Index(fields=["region", "route"]),
            models.Index(fields=["owner"]),
            # the customer list's order: its first pages without sorting every customer
            models.Index(
                fields=["name", "code"], condition=Q(is_active=True), name="customer_list"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def is_internal(self) -> bool:
        return self.kind == CustomerKind.INTERNAL

    def preferred_day_labels(self) -> list[str]:
        return [Weekday(day).label for day in self.preferred_days if day in Weekday.values]


class Contact(models.Model):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-is_primary", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [models.Index(fields=["phone"])]

    def __str__(self) -> str:
        return self.name


class Interaction(models.Model):
    """One entry of the customer's timeline: a call, a visit, a note, an order…"""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="interactions"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=InteractionKind)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    summary = models.TextField(_("summary"), max_length=4000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [models.Index(fields=["customer", "-occurred_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"
