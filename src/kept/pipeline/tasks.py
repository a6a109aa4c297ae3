"""The funnel check (SPEC 2.8): find the stages below target over the rolling window and
tell the managers, once per stage per window. Each alert is kept (``FunnelAlert``, shown on
the funnel page) and sent as an in-app notification.

Schedule ``kept funnel check --enqueue`` daily (a worker runs ``check_stages``); ``kept
funnel check`` runs ``check_funnel`` at once."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_tasks import task

from kept.core import notifications
from kept.core.choices import Role
from kept.pipeline import funnel as core
from kept.pipeline import queries
from kept.pipeline.choices import DEFAULT_STAGE_LABELS
from kept.pipeline.models import FunnelAlert, Stage

notifications.register(
    "funnel.below_target",
    gettext_lazy(
        "Funnel: %(stage)s converted %(measured)s %% from the previous stage over the last "
        "%(days)s days, below its target of %(target)s %%."
    ),
    labels={"stage": DEFAULT_STAGE_LABELS},
)
notifications.register(
    "funnel.low_volume",
    gettext_lazy(
        "Funnel: %(leads)s leads came in over the last %(days)s days, below the target of "
        "%(target)s for %(stage)s."
    ),
    labels={"stage": DEFAULT_STAGE_LABELS},
)


def _managers():
    return get_user_model().objects.filter(is_active=True, groups__name=Role.MANAGER)


def _raise(stage: Stage, shortfall: core.Shortfall, now: datetime, window_days: int) -> None:
    measured, target = round(shortfall.measured), round(shortfall.target)
    FunnelAlert.objects.create(
        stage=stage, raised_at=now, window_days=window_days, leads=shortfall.leads,
        measured=Decimal(f"{shortfall.measured:.2f}"), target=Decimal(f"{shortfall.target:.2f}"),
        is_volume=shortfall.is_volume,
    )  # fmt: skip
    link = reverse("pipeline:funnel")
    if shortfall.is_volume:
        params = {"leads": measured, "target": target}
        notifications.notify(_managers(), "funnel.low_volume", link=link, stage=stage.name,
                             days=window_days, **params)  # fmt: skip
    else:
        params = {"measured": measured, "target": target}
        notifications.notify(_managers(), "funnel.below_target", link=link, stage=stage.name,
                             days=window_days, **params)  # fmt: skip


@transaction.atomic
def check_funnel(
    *, now: datetime | None = None, window_days: int = core.WINDOW_DAYS
) -> dict[str, int]:
    """One check. A stage already alerted within the last ``window_days`` stays quiet, so a
    daily check tells the managers once per window, and again if the stage is still below
    target a window later. Returns how many stages were below target and how many alerts
    were raised."""
    now = now or timezone.now()
    ordered = list(Stage.objects.select_for_update().order_by("position"))
    found = queries.funnel_alerts(now, window_days=window_days)
    recent = set(
        FunnelAlert.objects.filter(raised_at__gt=now - timedelta(days=window_days)).values_list(
            "stage_id", flat=True
        )
    )
    raised = 0
    for shortfall in found:
        stage = ordered[shortfall.index]
        if stage.pk not in recent:
            _raise(stage, shortfall, now, window_days)
            raised += 1
    return {"below_target": len(found), "alerts": raised}


@task()
def check_stages() -> dict[str, int]:
    return check_funnel()


def enqueue_check() -> str:
    return str(check_stages.enqueue().id)
