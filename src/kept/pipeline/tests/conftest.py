"""Fixtures of the funnel: the default stages (made by the data migration), leads at a
given stage and time."""

from datetime import timedelta

import pytest
from django.utils import timezone


@pytest.fixture
def stages(db):
    """{name: stage} of the default funnel: Inquiry, Visit, Purchase (won), Repeat / referral."""
    from kept.pipeline.models import Stage

    return {stage.name: stage for stage in Stage.objects.order_by("position")}


@pytest.fixture
def make_lead(stages, staff):
    """make_lead(stage="Inquiry", days_ago=0, channel="referral", **fields) → a lead created
    through the action, moved (and won) through the actions to ``stage``."""
    from kept.pipeline import actions

    counter = {"n": 0}

    def make(stage: str = "Inquiry", days_ago: float = 0, channel: str = "referral", **fields):
        counter["n"] += 1
        at = timezone.now() - timedelta(days=days_ago)
        data = {"name": f"Lead {counter['n']}", "phone": f"138000{counter['n']:05d}",
                "channel": channel, **fields}  # fmt: skip
        lead = actions.create_lead(data, actor=staff, now=at)
        target = stages[stage]
        won = next(s for s in stages.values() if s.is_won)
        if target.position >= won.position:
            actions.win_lead(lead, actor=staff, now=at)
            lead.refresh_from_db()
        if target.position > lead.stage.position:
            actions.move_to_stage(lead, target, actor=staff, now=at)
        lead.refresh_from_db()
        return lead

    return make
