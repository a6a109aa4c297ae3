from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kept.core.models import AuditEntry
from kept.customers import actions
from kept.customers.models import Customer, Interaction


def test_create_customer_sets_owner_and_tags(staff):
    customer = actions.create_customer(
        {"code": "H0001", "name": "王芳", "size": 4}, actor=staff, tags=["老人家庭", " VIP ", "VIP"]
    )
    assert customer.owner == staff
    assert sorted(tag.name for tag in customer.tags.all()) == ["VIP", "老人家庭"]


def test_code_must_be_unique_and_well_formed(staff):
    actions.create_customer({"code": "H1", "name": "A"}, actor=staff)
    with pytest.raises(ValidationError) as duplicate:
        actions.create_customer({"code": "H1", "name": "B"}, actor=staff)
    assert "code" in duplicate.value.message_dict
    with pytest.raises(ValidationError) as bad:
        actions.create_customer({"code": "has space", "name": "B"}, actor=staff)
    assert "code" in bad.value.message_dict


def test_blocking_needs_a_reason(manager):
    with pytest.raises(ValidationError) as error:
        actions.create_customer(
            {"code": "B1", "name": "Blocked", "is_blocked": True}, actor=manager
        )
    assert "Give the reason" in str(error.value)


def test_window_must_end_after_start(staff):
    from datetime import time

    with pytest.raises(ValidationError):
        actions.create_customer(
            {"code": "W1", "name": "W", "window_start": time(18), "window_end": time(9)},
            actor=staff,
        )


def test_staff_cannot_change_credit_but_manager_can_and_it_is_audited(staff, manager):
    customer = actions.create_customer({"code": "R1", "name": "Restaurant"}, actor=staff)
    with pytest.raises(PermissionDenied):
        actions.update_customer(customer, {"credit_limit": Decimal("5000")}, actor=staff)
    actions.update_customer(
        customer,
        {"credit_limit": Decimal("5000"), "payment_terms_days": 30},
        actor=manager,
        reason="Pays on time for a year",
    )
    customer.refresh_from_db()
    assert customer.credit_limit == Decimal("5000.00")
    entry = AuditEntry.objects.get(action="customer.credit")
    assert entry.actor == manager
    assert entry.reason == "Pays on time for a year"
    assert entry.changes == {"credit_limit": [None, "5000"], "payment_terms_days": [0, 30]}


def test_staff_may_edit_profile_without_touching_credit(staff):
    customer = actions.create_customer({"code": "P1", "name": "Old"}, actor=staff)
    actions.update_customer(customer, {"name": "New", "credit_limit": None}, actor=staff)
    assert Customer.objects.get(code="P1").name == "New"
    assert not AuditEntry.objects.filter(action="customer.credit").exists()


def test_one_primary_contact(staff):
    customer = actions.create_customer({"code": "C1", "name": "C"}, actor=staff)
    first = actions.save_contact(customer, {"name": "A", "is_primary": True})
    actions.save_contact(customer, {"name": "B", "is_primary": True})
    first.refresh_from_db()
    assert not first.is_primary
    assert customer.contacts.filter(is_primary=True).get().name == "B"


def test_log_interaction_only_for_manual_kinds(staff):
    customer = actions.create_customer({"code": "I1", "name": "I"}, actor=staff)
    actions.log_interaction(customer, "call", "  问了下周的米  ", actor=staff)
    assert Interaction.objects.get().summary == "问了下周的米"
    with pytest.raises(ValidationError):
        actions.log_interaction(customer, "order", "fake order", actor=staff)
    with pytest.raises(ValidationError):
        actions.log_interaction(customer, "note", "   ", actor=staff)


def test_archive_keeps_history(staff, manager):
    customer = actions.create_customer({"code": "A1", "name": "A"}, actor=staff)
    actions.log_interaction(customer, "note", "hello", actor=staff)
    actions.archive_customer(customer, actor=manager, reason="moved away")
    assert not Customer.objects.active().filter(code="A1").exists()
    assert Interaction.objects.filter(customer__code="A1").count() == 1
