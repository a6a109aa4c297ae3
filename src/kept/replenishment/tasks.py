"""The nightly plan as a background job (Django tasks API): ``enqueue_nightly_plan`` records a
``PlanRun`` and queues ``nightly_plan`` once the transaction commits; a worker (``kept
worker``) computes the plan and writes its progress in short transactions of their own, so
the rounds page reads it while the job runs."""

from __future__ import annotations

from datetime import date
from functools import partial

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskContext, task

from kept.replenishment import queries
from kept.replenishment.models import PlanRun, PlanRunStatus, PlanStep

ERROR_CHARS = 2000


def enqueue_nightly_plan(day: date, *, actor=None) -> PlanRun:
    """Queue the plan of ``day``; a run of that day already waiting or running (and not
    stalled) is returned instead. Two clicks at the same instant may queue two runs: both
    compute the same plan, which is cheaper than a lock."""
    with transaction.atomic():
        pending = PlanRun.objects.active().filter(
            plan_date=day, created_at__gte=timezone.now() - PlanRun.STALLED_AFTER
        )
        run = pending.order_by("-created_at").first()
        if run is not None:
            return run
        run = PlanRun.objects.create(plan_date=day, requested_by=actor)
        transaction.on_commit(partial(_send, run.pk, day))
    return run


def _send(run_id: int, day: date) -> None:
    result = nightly_plan.enqueue(day.isoformat(), run_id)
    PlanRun.objects.filter(pk=run_id, task_id="").update(task_id=str(result.id))


def _record(run_id: int, **fields) -> None:
    """One short transaction (autocommit): the page sees it at once."""
    PlanRun.objects.filter(pk=run_id).update(**fields)


@task(takes_context=True)
def nightly_plan(context: TaskContext, date_iso: str, run_id: int | None = None) -> dict:
    """Compute the plan of ``date_iso`` (``queries.load`` + ``queries.todays_plan``) and
    record the run: progress after each step, then the number of refills proposed, or the
    error."""
    day = date.fromisoformat(date_iso)
    if run_id is None:  # queued without a run (e.g. by another scheduler): record one
        run_id = PlanRun.objects.create(plan_date=day).pk
    _record(
        run_id,
        status=PlanRunStatus.RUNNING,
        step=PlanStep.READING,
        progress=10,
        started_at=timezone.now(),
        task_id=str(context.task_result.id),
    )
    try:
        book = queries.load(day)
        _record(run_id, step=PlanStep.PLANNING, progress=60)
        proposals = queries.todays_plan(day, book=book)
    except Exception as error:
        _record(
            run_id,
            status=PlanRunStatus.FAILED,
            error=f"{type(error).__name__}: {error}"[:ERROR_CHARS],
            finished_at=timezone.now(),
        )
        raise  # the backend records the failure too
    _record(
        run_id,
        status=PlanRunStatus.DONE,
        step=PlanStep.FINISHED,
        progress=100,
        proposals=len(proposals),
        finished_at=timezone.now(),
    )
    return {"run": run_id, "plan_date": date_iso, "proposals": len(proposals)}
