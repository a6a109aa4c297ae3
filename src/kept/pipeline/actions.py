"""Writes of the funnel: create a lead, move it forward, lose it, win it (it becomes a
customer in the notebook with its history), and the stages' settings. Each runs in one
transaction with the lead locked and leaves an audit entry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kept.core import audit
from kept.customers import actions as customers
from kept.customers.choices import InteractionKind
from kept.customers.models import Customer, Interaction
from kept.pipeline.models import Lead, Stage, StageEntry

LEAD_FIELDS = ["name", "phone", "email", "channel", "owner", "note"]


def _first_stage() -> Stage:
    found = Stage.objects.order_by("position").first()
    if found is None:
        raise ValidationError(_("Set up the funnel's stages first."))
    return found


def _entries(lead: Lead, stages: list[Stage], at: datetime, actor) -> list[StageEntry]:
    rows = [StageEntry(lead=lead, stage=s, entered_at=at, entered_by=actor) for s in stages]
    return StageEntry.objects.bulk_create(rows)


def _stages_between(after: int | None, upto: Stage) -> list[Stage]:
    """Stages after position ``after`` (None: from the first) up to ``upto``, in order."""
    found = Stage.objects.filter(position__lte=upto.position).order_by("position")
    return list(found if after is None else found.filter(position__gt=after))


def _won_stage() -> Stage | None:
    return Stage.objects.filter(is_won=True).first()


def _check_before_won(target: Stage) -> None:
    won = _won_stage()
    if won is not None and target.position >= won.position:
        raise ValidationError(
            {"stage": _("Win the lead to move it to %(stage)s: it becomes a customer.")
             % {"stage": won.label}}
        )  # fmt: skip


@transaction.atomic
def create_lead(
    data: dict[str, Any], *, actor=None, stage: Stage | None = None, now: datetime | None = None
) -> Lead:
    """A new lead, entering the first stage (and each stage up to ``stage``, e.g. a walk-in
    who is already visiting) now. The won stage is reached by winning, not here."""
    now = now or timezone.now()
    stage = stage or _first_stage()
    _check_before_won(stage)
    values = {key: value for key, value in data.items() if key in LEAD_FIELDS}
    lead = Lead(**values, stage=stage, created_at=now)
    if lead.owner_id is None and actor is not None and actor.is_authenticated:
        lead.owner = actor
    lead.full_clean()
    lead.save()
    _entries(lead, _stages_between(None, stage), now, actor)
    audit.record(actor, "lead.create", lead, changes={"stage": [None, stage.name]})
    return lead


def _locked(lead: Lead) -> Lead:
    return Lead.objects.select_for_update(of=("self",)).select_related("stage").get(pk=lead.pk)


def _check_open(lead: Lead) -> None:
    if lead.is_lost():
        raise ValidationError(_("This lead is lost; it cannot move on."))


@transaction.atomic
def update_lead(lead: Lead, data: dict[str, Any], *, actor=None) -> Lead:
    """Change who the lead is and who owns it (not its stage: see the moves)."""
    locked = _locked(lead)
    values = {key: value for key, value in data.items() if key in LEAD_FIELDS}
    changes = audit.diff(locked, list(values), values)
    for key, value in values.items():
        setattr(locked, key, value)
    locked.full_clean()
    locked.save(update_fields=[*values, "updated_at"])
    if changes:
        audit.record(actor, "lead.update", locked, changes=changes)
    return locked


def _advance(lead: Lead, stage: Stage, *, actor, now: datetime) -> None:
    """Record entries for every stage from the current one (exclusive) to ``stage``."""
    if stage.position <= lead.stage.position:
        raise ValidationError(
            {"stage": _("A lead only moves forward: it is already at %(stage)s.")
             % {"stage": lead.stage.label}}
        )  # fmt: skip
    _entries(lead, _stages_between(lead.stage.position, stage), now, actor)
    audit.record(actor, "lead.move", lead, changes={"stage": [lead.stage.name, stage.name]})
    lead.stage = stage
    lead.save(update_fields=["stage", "updated_at"])


@transaction.atomic
def move_to_stage(lead: Lead, stage: Stage, *, actor=None, now: datetime | None = None) -> Lead:
    """Move forward (skipped stages are entered at the same moment). Backwards is refused;
    into the won stage goes through ``win_lead``; past it only once the lead is won."""
    locked = _locked(lead)
    _check_open(locked)
    if not locked.is_won():
        _check_before_won(stage)
    _advance(locked, stage, actor=actor, now=now or timezone.now())
    return locked


@transaction.atomic
def mark_lost(lead: Lead, reason: str, *, actor=None, now: datetime | None = None) -> Lead:
    locked = _locked(lead)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"lost_reason": _("Give the reason the lead was lost.")})
    if locked.is_lost() or locked.is_won():
        raise ValidationError(_("Only an open lead can be lost."))
    locked.lost_at, locked.lost_reason = now or timezone.now(), reason[:300]
    locked.save(update_fields=["lost_at", "lost_reason", "updated_at"])
    audit.record(actor, "lead.lose", locked, reason=locked.lost_reason)
    return locked


def customer_code(lead: Lead) -> str:
    """The notebook code a won lead gets unless one is given: L and the lead's number."""
    return f"L{lead.pk:06d}"


def customer_values(lead: Lead, code: str) -> dict[str, Any]:
    return {"code": code, "name": lead.name, "phone": lead.phone, "email": lead.email,
            "owner": lead.owner}  # fmt: skip


def history(lead: Lead, entries: list[StageEntry], customer: Customer) -> list[Interaction]:
    """The lead's story as notebook notes (unsaved): one per stage entered, and its note."""
    channel = lead.get_channel_display()
    notes = [
        Interaction(
            customer=customer,
            kind=InteractionKind.NOTE,
            occurred_at=entry.entered_at,
            created_at=entry.entered_at,
            summary=_("Funnel: entered the stage %(stage)s (lead from %(channel)s).")
            % {"stage": entry.stage.label, "channel": channel},
            author_id=entry.entered_by_id,
            reference=f"lead:{lead.pk}",
        )
        for entry in entries
    ]
    if lead.note:
        notes.append(
            Interaction(
                customer=customer,
                kind=InteractionKind.NOTE,
                occurred_at=lead.created_at,
                created_at=lead.created_at,
                summary=_("Lead note: %(note)s") % {"note": lead.note},
                author_id=lead.owner_id,
                reference=f"lead:{lead.pk}",
            )  # fmt: skip
        )
    return notes


@transaction.atomic
def win_lead(lead: Lead, *, actor=None, code: str = "", now: datetime | None = None) -> Customer:
    """The lead enters the won stage and becomes a customer in the notebook (name, phone,
    email, owner), with its stage entries and note copied to the customer's timeline."""
    locked = _locked(lead)
    _check_open(locked)
    if locked.is_won():
        raise ValidationError(_("This lead is already a customer."))
    won = _won_stage()
    if won is None:
        raise ValidationError(_("No stage is marked as the won stage."))
    code = (code or "").strip() or customer_code(locked)
    if Customer.objects.filter(code=code).exists():
        taken = _("A customer with the code %(code)s exists.") % {"code": code}
        raise ValidationError({"code": taken})
    if locked.stage.position < won.position:
        _advance(locked, won, actor=actor, now=now or timezone.now())
    customer = customers.create_customer(customer_values(locked, code), actor=actor)
    entries = list(locked.entries.select_related("stage").order_by("entered_at", "stage__position"))
    Interaction.objects.bulk_create(history(locked, entries, customer))
    locked.customer = customer
    locked.save(update_fields=["customer", "updated_at"])
    audit.record(actor, "lead.win", locked, changes={"customer": [None, customer.code]})
    return customer


POSITION_OFFSET = 10_000  # above every allowed position (forms.MAX_POSITION)


@transaction.atomic
def save_stages(formset, *, actor=None) -> list[Stage]:
    """Save the stages' names, order and targets as one change. Positions and the won flag
    are unique, so the stages first step aside (positions + 10 000, nobody won) and then take
    their new places: a swap of two positions never collides halfway."""
    before = _stage_values(Stage.objects.select_for_update().order_by("pk"))
    Stage.objects.update(position=F("position") + POSITION_OFFSET, is_won=False)
    saved = [form.save() for form in formset.forms if form.cleaned_data]
    changed = {}
    for pk, values in _stage_values(saved).items():
        old = before.get(pk, {})
        diff = {name: [old.get(name), new] for name, new in values.items() if old.get(name) != new}
        if diff:
            changed[values["name"]] = diff
    audit.record(
        actor,
        "funnel.stages",
        changes={"stages": [None, [f"{s.position} {s.name}" for s in saved]], "changed": changed},
    )
    return saved


STAGE_FIELDS = ["name", "position", "monthly_target", "target_percent", "is_won"]


def _stage_values(stages) -> dict[int, dict]:
    return {s.pk: {name: audit.plain(getattr(s, name)) for name in STAGE_FIELDS} for s in stages}
