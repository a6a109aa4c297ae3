"""The nightly refit of customer value as a background job (Django tasks API).

``enqueue_refit`` records a ``ValueRun`` and queues ``refit_customer_value`` once the
transaction commits; a worker (``kept worker``) fits the models and writes the customers'
values, recording its progress in short transactions the value page polls. Schedule
``kept value refit --enqueue`` nightly (docs/operations-jobs.md)."""

from __future__ import annotations

from datetime import date
from functools import partial

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskContext, task

from kept.value import refit
from kept.value.choices import RunStatus
from kept.value.models import ValueRun

ERROR_CHARS = 2000


def enqueue_refit(as_of: date, *, actor=None) -> ValueRun:
    """Queue a refit as of ``as_of``; one already waiting or running (not stalled) is
    returned instead."""
    with transaction.atomic():
        pending = ValueRun.objects.active().filter(
            created_at__gte=timezone.now() - ValueRun.STALLED_AFTER
        )
        run = pending.order_by("-created_at").first()
        if run is not None:
            return run
        run = ValueRun.objects.create(as_of=as_of, requested_by=actor)
        transaction.on_commit(partial(_send, run.pk, as_of))
    return run


def _send(run_id: int, as_of: date) -> None:
    result = refit_customer_value.enqueue(as_of.isoformat(), run_id)
    ValueRun.objects.filter(pk=run_id, task_id="").update(task_id=str(result.id))


def _record(run_id: int, **fields) -> None:
    ValueRun.objects.filter(pk=run_id).update(**fields)


def run_refit(as_of: date, run_id: int | None = None, task_id: str = "") -> ValueRun:
    """Refit now, in this process, recording the run (also what the task does)."""
    if run_id is None:
        run_id = ValueRun.objects.create(as_of=as_of).pk
    _record(
        run_id,
        status=RunStatus.RUNNING,
        progress=10,
        started_at=timezone.now(),
        task_id=task_id,
    )
    run = ValueRun.objects.get(pk=run_id)
    try:
        stored = refit.refit(as_of, run)
    except Exception as error:
        _record(
            run_id,
            status=RunStatus.FAILED,
            error=f"{type(error).__name__}: {error}"[:ERROR_CHARS],
            finished_at=timezone.now(),
        )
        raise
    _record(
        run_id, status=RunStatus.DONE, progress=100, customers=stored, finished_at=timezone.now()
    )
    return ValueRun.objects.get(pk=run_id)


@task(takes_context=True)
def refit_customer_value(context: TaskContext, as_of_iso: str, run_id: int | None = None) -> dict:
    """Refit every customer's value as of ``as_of_iso`` and record the run."""
    run = run_refit(date.fromisoformat(as_of_iso), run_id, str(context.task_result.id))
    return {"run": run.pk, "as_of": as_of_iso, "customers": run.customers}
