"""Value scorecards (SPEC 2.9): behaviour items, monthly periods, and the 1/0 scores that each
member of the team gives themselves and their peers, once per item and period."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kept.team.choices import DefaultItem

NOTE_MAX_LENGTH = 500
ITEM_MAX_LENGTH = 200
SEE_RATERS = "team.view_raters"  # managers: who gave which score


class BehaviourItemQuerySet(models.QuerySet):
    def active(self) -> BehaviourItemQuerySet:
        return self.filter(retired=False)


class BehaviourItem(models.Model):
    """One behaviour scored each period. Retired, it takes no new scores and keeps its old
    ones; so an item whose meaning changes is retired and a new one added."""

    key = models.CharField(
        _("default"), max_length=32, choices=DefaultItem, blank=True, editable=False
    )
    text = models.CharField(
        _("behaviour"),
        max_length=ITEM_MAX_LENGTH,
        blank=True,
        help_text=_("Empty for a default item: its default text, translated."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    retired = models.BooleanField(_("retired"), default=False)

    objects = BehaviourItemQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("behaviour item")
        verbose_name_plural = _("behaviour items")
        constraints = [
            models.UniqueConstraint(
                "key", condition=~Q(key=""), name="one_behaviour_item_per_default"
            ),
            models.CheckConstraint(
                condition=~Q(key="") | ~Q(text=""), name="behaviour_item_has_text"
            ),
        ]

    def __str__(self) -> str:
        return self.display_text

    @property
    def display_text(self) -> str:
        if self.text or not self.key:
            return self.text
        return str(DefaultItem(self.key).label)


class PeriodQuerySet(models.QuerySet):
    def open(self) -> PeriodQuerySet:
        return self.filter(closed_at__isnull=True)


class Period(models.Model):
    """A scoring period: a calendar month, opened when first needed, closed by a manager."""

    start = models.DateField(_("start"), unique=True)
    end = models.DateField(_("end"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = PeriodQuerySet.as_manager()

    class Meta:
        ordering = ["-start"]
        verbose_name = _("scoring period")
        verbose_name_plural = _("scoring periods")
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="period_ends_after_start")
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def key(self) -> str:
        return self.start.strftime("%Y-%m")

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Score(models.Model):
    """What one rater gave one person (themselves or a peer) on one item in one period."""

    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="scores"
    )
    item = models.ForeignKey(
        BehaviourItem, verbose_name=_("behaviour"), on_delete=models.PROTECT, related_name="scores"
    )
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rater"),
        on_delete=models.PROTECT,
        related_name="scores_given",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person scored"),
        on_delete=models.PROTECT,
        related_name="scores_received",
    )
    value = models.PositiveSmallIntegerField(_("score"), choices=[(1, "1"), (0, "0")])
    note = models.CharField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("given at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        ordering = ["period", "person", "item", "rater"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        permissions = [("view_raters", _("Can see who gave which score"))]
        indexes = [models.Index(fields=["person", "period"])]
        constraints = [
            models.UniqueConstraint(
                "period", "item", "rater", "person", name="one_score_per_rater_item_person_period"
            ),
            models.CheckConstraint(condition=Q(value__in=[0, 1]), name="score_is_1_or_0"),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.person} {self.item}: {self.value}"

    @property
    def is_self(self) -> bool:
        return self.rater_id == self.person_id
