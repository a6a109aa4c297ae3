"""Writes of the value scorecards, each in one transaction with its audit entry: opening the
month's period, scoring (one score per rater, item, person and period: scoring again updates
it while the period is open), closing a period, and keeping the behaviour items.

A score is written under a lock on its period's row, so a manager closing the period and a
rater scoring it cannot both win: the score is in before the close, or refused after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kept.core import audit
from kept.team import queries, scorecard
from kept.team.models import NOTE_MAX_LENGTH, BehaviourItem, Period, Score


class PeriodClosed(Exception):
    """The period takes no more scores."""

    def __init__(self, period: Period) -> None:
        super().__init__(_("The period %(period)s is closed.") % {"period": period.key})
        self.period = period


@dataclass(frozen=True)
class Entry:
    """One score a rater gives: to whom, on which item, 1 or 0, and an optional note."""

    person_id: int
    item_id: int
    value: int
    note: str = ""


def open_period(day: date) -> Period:
    """The period of the month holding ``day``, opened the first time it is needed."""
    start, end = scorecard.month_of(day)
    found = Period.objects.filter(start=start).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            period = Period.objects.create(start=start, end=end)
            audit.record(None, "scorecard.period.open", period)
            return period
    except IntegrityError:  # opened meanwhile by another request
        return Period.objects.get(start=start)


def _check(entries: list[Entry], members: set[int], items: set[int]) -> None:
    errors = []
    for entry in entries:
        if entry.person_id not in members:
            errors.append(_("Only members of the team are scored."))
        if entry.item_id not in items:
            errors.append(_("Only active behaviour items are scored."))
        if entry.value not in (0, 1):
            errors.append(_("A score is 1 or 0."))
        if len(entry.note) > NOTE_MAX_LENGTH:
            errors.append(_("A note has %(max)d characters at most.") % {"max": NOTE_MAX_LENGTH})
    if errors:
        raise ValidationError(list(dict.fromkeys(errors)))


def submit_scores(rater, period: Period, entries: list[Entry]) -> list[Score]:
    """Give or change the rater's scores in an open period; one audit entry lists what
    changed. Raises ``PeriodClosed`` or ``ValidationError`` and then writes nothing."""
    members = set(queries.member_ids())
    if rater.pk not in members:
        raise ValidationError(_("Only members of the team score."))
    entries = [Entry(e.person_id, e.item_id, e.value, e.note.strip()) for e in entries]
    items = set(BehaviourItem.objects.active().values_list("id", flat=True))
    _check(entries, members, items)
    with transaction.atomic():
        locked = Period.objects.select_for_update().get(pk=period.pk)
        if not locked.is_open:
            raise PeriodClosed(locked)
        saved, changes = _upsert(rater, locked, entries)
        if changes:
            audit.record(rater, "scorecard.score", locked, changes={"scores": changes})
    return saved


def _upsert(rater, period: Period, entries: list[Entry]) -> tuple[list[Score], list]:
    """Create the new scores and update the changed ones; the last entry for a pair wins."""
    wanted = {(e.person_id, e.item_id): e for e in entries}
    found = Score.objects.filter(
        period=period, rater=rater, person_id__in={p for p, _i in wanted}
    ).select_for_update()
    existing = {(s.person_id, s.item_id): s for s in found}
    new, changed, changes = [], [], []
    for key, entry in wanted.items():
        score = existing.get(key)
        if score is None:
            score = Score(period=period, rater=rater, person_id=key[0], item_id=key[1])
            new.append(score)
        elif (score.value, score.note) == (entry.value, entry.note):
            continue
        else:
            changed.append(score)
        before = None if score.pk is None else [score.value, score.note]
        score.value, score.note = entry.value, entry.note
        changes.append({"person": key[0], "item": key[1], "from": before, "to": entry.value})
    Score.objects.bulk_create(new)
    now = timezone.now()
    for score in changed:
        score.updated_at = now
    Score.objects.bulk_update(changed, ["value", "note", "updated_at"])
    return new + changed, changes


@transaction.atomic
def close_period(period: Period, actor) -> Period:
    """Close the period: its scores stay as they are, and it takes no more."""
    locked = Period.objects.select_for_update().get(pk=period.pk)
    if locked.is_open:
        locked.closed_at, locked.closed_by = timezone.now(), actor
        locked.save(update_fields=["closed_at", "closed_by"])
        changes = {"closed_at": [None, audit.plain(locked.closed_at)]}
        audit.record(actor, "scorecard.period.close", locked, changes=changes)
    return locked


@transaction.atomic
def reopen_period(period: Period, actor, *, reason: str) -> Period:
    """Open a closed period again (a correction): always with a reason in the audit log."""
    if not reason.strip():
        raise ValidationError(_("Say why the period opens again."))
    locked = Period.objects.select_for_update().get(pk=period.pk)
    if not locked.is_open:
        changes = {"closed_at": [audit.plain(locked.closed_at), None]}
        locked.closed_at, locked.closed_by = None, None
        locked.save(update_fields=["closed_at", "closed_by"])
        audit.record(
            actor, "scorecard.period.reopen", locked, reason=reason.strip(), changes=changes
        )
    return locked


ITEM_FIELDS = ["text", "position", "retired"]


@transaction.atomic
def save_item(actor, item: BehaviourItem | None, values: dict) -> BehaviourItem:
    """Add an item or change one (its text, place or retirement); its scores stay."""
    values = {name: values[name] for name in ITEM_FIELDS if name in values}
    if "text" in values:
        values["text"] = values["text"].strip()
    if item is None:
        item = BehaviourItem(**values)
        item.full_clean()
        item.save()
        audit.record(actor, "scorecard.item.add", item, changes={"text": [None, item.text]})
        return item
    item = BehaviourItem.objects.select_for_update().get(pk=item.pk)
    changes = audit.diff(item, ITEM_FIELDS, values)
    if changes:
        for name, value in values.items():
            setattr(item, name, value)
        item.full_clean()
        item.save(update_fields=list(changes))
        audit.record(actor, "scorecard.item.change", item, changes=changes)
    return item
