"""Creating, moving, losing and winning leads: the entries, the refusals, the customer made
with its history, the audit."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kept.core.models import AuditEntry
from kept.customers.models import Interaction
from kept.pipeline import actions
from kept.pipeline.models import StageEntry

pytestmark = pytest.mark.django_db


def test_a_new_lead_enters_the_first_stage_and_belongs_to_its_creator(staff, stages):
    lead = actions.create_lead({"name": "王阿姨", "phone": "13800001111", "channel": "referral"},
                               actor=staff)  # fmt: skip
    assert lead.stage == stages["Inquiry"] and lead.owner == staff
    assert [e.stage.name for e in lead.entries.all()] == ["Inquiry"]
    assert AuditEntry.objects.filter(action="lead.create").count() == 1


def test_a_walk_in_enters_each_skipped_stage_at_the_same_moment(staff, stages):
    lead = actions.create_lead({"name": "李先生", "phone": "1", "channel": "walk_in"},
                               actor=staff, stage=stages["Visit"])  # fmt: skip
    entries = list(lead.entries.order_by("stage__position"))
    assert [e.stage.name for e in entries] == ["Inquiry", "Visit"]
    assert entries[0].entered_at == entries[1].entered_at == lead.created_at


def test_a_lead_needs_a_phone_or_an_email(staff, stages):
    with pytest.raises(ValidationError):
        actions.create_lead({"name": "nobody", "channel": "other"}, actor=staff)


def test_moving_backwards_is_refused_with_a_clear_message(make_lead, stages, staff):
    lead = make_lead("Visit")
    with pytest.raises(ValidationError, match="only moves forward: it is already at Visit"):
        actions.move_to_stage(lead, stages["Inquiry"], actor=staff)
    with pytest.raises(ValidationError, match="Win the lead"):
        actions.move_to_stage(lead, stages["Purchase"], actor=staff)


def test_losing_needs_a_reason_and_stops_the_lead(make_lead, stages, staff):
    lead = make_lead("Visit")
    with pytest.raises(ValidationError):
        actions.mark_lost(lead, "  ", actor=staff)
    lost = actions.mark_lost(lead, "Bought from the market", actor=staff)
    assert lost.is_lost() and lost.lost_reason == "Bought from the market"
    with pytest.raises(ValidationError, match="lost"):
        actions.move_to_stage(lead, stages["Repeat / referral"], actor=staff)
    with pytest.raises(ValidationError):
        actions.win_lead(lead, actor=staff)


def test_winning_makes_a_customer_with_the_lead_history(staff, manager, stages):
    # given a lead that inquired three days ago with a note, and visited yesterday
    start = timezone.now() - timedelta(days=3)
    lead = actions.create_lead(
        {"name": "张女士", "phone": "13900002222", "email": "z@example.com", "channel": "online",
         "owner": manager, "note": "5 口之家，想试东北米"},
        actor=staff, now=start,
    )  # fmt: skip
    actions.move_to_stage(lead, stages["Visit"], actor=staff, now=start + timedelta(days=2))
    # when it is won
    customer = actions.win_lead(lead, actor=staff)
    # then a customer with the lead's details, linked, and the story in the notebook
    lead.refresh_from_db()
    assert lead.customer == customer and lead.stage == stages["Purchase"]
    assert (customer.code, customer.name, customer.phone, customer.email, customer.owner) == (
        f"L{lead.pk:06d}",
        "张女士",
        "13900002222",
        "z@example.com",
        manager,
    )
    notes = list(Interaction.objects.filter(customer=customer).order_by("occurred_at", "id"))
    texts = [n.summary for n in notes]
    assert len(notes) == 4 and all(n.reference == f"lead:{lead.pk}" for n in notes)
    assert "Inquiry" in texts[0] and "WeChat / online" in texts[0]
    assert any("5 口之家" in t for t in texts) and "Purchase" in texts[-1]
    assert AuditEntry.objects.filter(action="lead.win").exists()
    # and it moves on after the won stage, but is not won twice
    actions.move_to_stage(lead, stages["Repeat / referral"], actor=staff)
    with pytest.raises(ValidationError, match="already a customer"):
        actions.win_lead(lead, actor=staff)
    assert StageEntry.objects.filter(lead=lead).count() == 4


def test_winning_with_a_taken_code_is_refused_and_writes_nothing(make_lead, staff):
    first = make_lead("Purchase")
    lead = make_lead("Visit")
    with pytest.raises(ValidationError, match="exists"):
        actions.win_lead(lead, actor=staff, code=first.customer.code)
    lead.refresh_from_db()
    assert lead.customer is None and lead.stage.name == "Visit"
