"""Actions beyond recording: a quality problem confirmed later, tolerances (audited)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kept.core.models import AuditEntry
from kept.fulfilment import actions, metrics
from kept.fulfilment.models import ServiceTolerance

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(make_product, customer, line):
    from django.utils import timezone

    from kept.promising import actions as promising

    rice = make_product("RICE", on_hand="50")
    order, _ = promising.promise_order(customer, [line(rice, "10", 0)])
    return actions.record_delivery(order.lines.get(), Decimal(10), delivered_at=timezone.now())


def test_a_confirmed_quality_problem_marks_the_delivery_and_changes_service_level(
    delivered, manager, today
):
    start, end = today - timedelta(days=1), today + timedelta(days=1)
    _rows, before = metrics.service_level(start, end, today=today)
    assert before.quality_lines == 1 and before.perfect_orders == 1
    with pytest.raises(ValidationError):
        actions.mark_quality(delivered, defect="damaged", reason=" ", actor=manager)
    actions.mark_quality(
        delivered, defect="damaged", reason="photo from the customer", actor=manager
    )
    delivered.refresh_from_db()
    assert not delivered.quality_ok and delivered.defect == "damaged"
    _rows, after = metrics.service_level(start, end, today=today)
    assert after.quality_lines == 0 and after.perfect_orders == 0
    assert AuditEntry.objects.filter(action="delivery.quality").count() == 1


def test_tolerances_are_saved_audited_and_validated(manager):
    saved = actions.save_tolerance(
        None, {"late_days": 1, "short_percent": Decimal(5)}, actor=manager
    )
    again = actions.save_tolerance(None, {"late_days": 2}, actor=manager)
    assert saved.pk == again.pk and ServiceTolerance.objects.count() == 1
    assert again.late_days == 2 and again.short_percent == Decimal(5)
    assert AuditEntry.objects.filter(action="service_tolerance").count() == 2
    with pytest.raises(ValidationError):
        actions.save_tolerance(None, {"short_percent": Decimal(100)}, actor=manager)


def test_admin_edits_tolerances_through_the_action_and_deliveries_are_read_only(
    client_as, manager, delivered
):
    manager.is_staff = True
    manager.save()
    client = client_as(manager)
    response = client.post(
        reverse("admin:fulfilment_servicetolerance_add"),
        {"early_days": "1", "late_days": "0", "short_percent": "0"},
    )
    assert response.status_code == 302, response.content[:500]
    assert AuditEntry.objects.filter(action="service_tolerance").exists()
    assert client.get(reverse("admin:fulfilment_delivery_add")).status_code == 403
