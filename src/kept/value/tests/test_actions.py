"""The value settings' writes: each audited, bad input refused with a message per field and
nothing written; and the settings views around them (POST, redirect, 400 with errors)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kept.core.models import AuditEntry
from kept.value import actions
from kept.value.models import MarketingSpend, QuadrantStrategy, ValueSettings, VipService


@pytest.fixture
def profit_customer(db):
    from kept.customers.models import Customer

    return Customer.objects.create(code="H7", name="Zhang family")


def _entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action))


def _nothing_audited() -> bool:
    return not AuditEntry.objects.filter(action__startswith="value.").exists()


def test_changing_the_rates_is_audited_with_what_changed(manager):
    # given the default rates (all zero); when
    actions.update_value_settings(
        {"per_order": Decimal("5"), "per_delivery": "8.50", "clv_horizon_months": 12},
        actor=manager,
    )

    # then
    found = ValueSettings.current()
    assert (found.per_order, found.per_delivery) == (Decimal("5"), Decimal("8.50"))
    [entry] = _entries("value.rates_changed")
    assert entry.actor == manager
    assert entry.changes == {"per_order": ["0.00", "5"], "per_delivery": ["0.00", "8.50"]}


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"per_order": Decimal("-1")}, "per_order"),
        ({"vip_per_month": "lots"}, "vip_per_month"),
        ({"per_delivery": Decimal("1.234")}, "per_delivery"),
        ({"churned_below": Decimal("1.5")}, "churned_below"),
        ({"clv_horizon_months": 0}, "clv_horizon_months"),
    ],
)
def test_bad_rates_are_refused_and_nothing_is_written(manager, values, field):
    with pytest.raises(ValidationError) as refused:
        actions.update_value_settings({"per_order": Decimal("3"), **values}, actor=manager)

    assert field in refused.value.message_dict
    assert ValueSettings.current().per_order == 0
    assert not _entries("value.rates_changed")


def test_an_unknown_setting_is_refused(manager):
    with pytest.raises(ValidationError):
        actions.update_value_settings({"per_smile": Decimal("1")}, actor=manager)


def test_saving_the_same_rates_writes_no_audit_entry(manager):
    actions.update_value_settings({"per_order": Decimal("0.00")}, actor=manager)

    assert not _entries("value.rates_changed")


def test_quadrants_are_renamed_and_empty_means_the_default(manager):
    actions.rename_quadrants(
        {
            "partners": {"name": " Friends ", "strategy": "Call every week."},
            "transactional": {"name": "", "strategy": ""},
        },
        actor=manager,
    )

    partners = QuadrantStrategy.objects.get(key="partners")
    transactional = QuadrantStrategy.objects.get(key="transactional")
    assert (partners.display_name, partners.display_strategy) == ("Friends", "Call every week.")
    assert transactional.display_name == "Transactional"  # the translated default
    [entry] = _entries("value.quadrant_renamed")
    assert entry.object_id == str(partners.pk)
    assert entry.changes["name"] == ["", "Friends"]


def test_a_bad_quadrant_is_refused_and_nothing_is_written(manager):
    with pytest.raises(ValidationError) as refused:
        actions.rename_quadrants(
            {"partners": {"name": "Friends"}, "loyal_small": {"name": "x" * 61}}, actor=manager
        )
    with pytest.raises(ValidationError):
        actions.rename_quadrants({"whales": {"name": "Big"}}, actor=manager)

    assert "loyal_small_name" in refused.value.message_dict
    assert not QuadrantStrategy.objects.exists() and _nothing_audited()


def test_marketing_spend_is_upserted_by_month_on_its_first_day(manager):
    actions.record_marketing_spend(
        date(2026, 3, 17), Decimal("1000"), Decimal("200"), actor=manager
    )
    actions.record_marketing_spend(date(2026, 3, 2), Decimal("1200"), Decimal("200"), actor=manager)

    [spend] = MarketingSpend.objects.all()
    assert (spend.month, spend.acquisition, spend.retention) == (date(2026, 3, 1), 1200, 200)
    first, second = AuditEntry.objects.filter(action="value.spend_recorded").order_by("id")
    assert first.changes["acquisition"] == [None, "1000"]
    assert second.changes == {"acquisition": ["1000.00", "1200"]}


def test_negative_or_missing_spend_is_refused_and_nothing_is_written(manager):
    with pytest.raises(ValidationError) as negative:
        actions.record_marketing_spend(date(2026, 3, 1), Decimal("-5"), Decimal("0"), actor=manager)
    with pytest.raises(ValidationError) as no_month:
        actions.record_marketing_spend(None, Decimal("5"), Decimal("0"), actor=manager)

    assert "acquisition" in negative.value.message_dict
    assert "month" in no_month.value.message_dict
    assert not MarketingSpend.objects.exists() and _nothing_audited()


def test_a_vip_service_is_added_by_customer_code(manager, profit_customer):
    service = actions.add_vip_service(" H7 ", "A named driver", date(2026, 3, 1), actor=manager)

    assert (service.customer, service.ended_on) == (profit_customer, None)
    [entry] = _entries("value.vip_added")
    assert entry.changes["description"] == [None, "A named driver"]


@pytest.mark.parametrize(
    ("code", "description", "ended_on", "field"),
    [
        ("NOBODY", "Driver", None, "customer"),
        ("H7", "   ", None, "description"),
        ("H7", "Driver", date(2026, 2, 28), "ended_on"),
    ],
)
def test_a_bad_vip_service_is_refused(manager, profit_customer, code, description, ended_on, field):
    with pytest.raises(ValidationError) as refused:
        actions.add_vip_service(code, description, date(2026, 3, 1), ended_on, actor=manager)

    assert field in refused.value.message_dict
    assert not VipService.objects.exists() and _nothing_audited()


def test_a_department_gets_no_vip_service(manager):
    from kept.customers.models import Customer

    Customer.objects.create(code="KITCHEN", name="Kitchen", kind="internal")

    with pytest.raises(ValidationError) as refused:
        actions.add_vip_service("KITCHEN", "Driver", date(2026, 3, 1), actor=manager)

    assert "customer" in refused.value.message_dict


def test_ending_a_vip_service_sets_today_unless_a_day_is_given(manager, profit_customer):
    running = VipService.objects.create(
        customer=profit_customer, description="Driver", started_on=date(2026, 3, 1)
    )
    other = VipService.objects.create(
        customer=profit_customer, description="Tea", started_on=date(2026, 3, 1)
    )

    actions.end_vip_service(running.pk, actor=manager)
    actions.end_vip_service(other.pk, date(2026, 6, 30), actor=manager)

    running.refresh_from_db()
    other.refresh_from_db()
    assert running.ended_on == timezone.localdate() and other.ended_on == date(2026, 6, 30)
    assert len(_entries("value.vip_ended")) == 2


def test_a_vip_service_cannot_end_before_it_starts_or_twice(manager, profit_customer):
    service = VipService.objects.create(
        customer=profit_customer, description="Driver", started_on=date(2026, 3, 1)
    )

    with pytest.raises(ValidationError) as early:
        actions.end_vip_service(service.pk, date(2026, 2, 1), actor=manager)
    actions.end_vip_service(service.pk, date(2026, 4, 1), actor=manager)
    with pytest.raises(ValidationError) as twice:
        actions.end_vip_service(service.pk, actor=manager)

    assert "ended_on" in early.value.message_dict and "ended_on" in twice.value.message_dict
    service.refresh_from_db()
    assert service.ended_on == date(2026, 4, 1)
    assert len(_entries("value.vip_ended")) == 1


# The views around them ---------------------------------------------------------------------


def test_saving_rates_redirects_with_a_message(client_as, manager):
    form = {
        "per_order": "5",
        "per_delivery": "8",
        "per_ticket_hour": "30",
        "per_complaint_remedy": "20",
        "per_collection_reminder": "3",
        "vip_per_month": "121.75",
        "clv_horizon_months": "12",
        "annual_discount_percent": "10",
        "churned_below": "0.30",
    }

    response = client_as(manager).post(reverse("value:save_rates"), form, follow=True)

    assert response.redirect_chain[-1][0] == reverse("value:settings") + "#rates"
    assert "The rates and CLV settings are saved." in response.content.decode()
    assert ValueSettings.current().vip_per_month == Decimal("121.75")


def test_a_negative_rate_is_shown_back_with_status_400(client_as, manager):
    form = {"per_order": "-5", "clv_horizon_months": "12", "churned_below": "0.3"}

    response = client_as(manager).post(reverse("value:save_rates"), form)

    assert response.status_code == 400
    assert "greater than or equal to 0" in response.content.decode()
    assert _nothing_audited()


def test_an_unknown_customer_code_is_shown_back_on_the_vip_form(client_as, manager):
    form = {"customer": "NOBODY", "description": "Driver", "started_on": "2026-03-01"}

    response = client_as(manager).post(reverse("value:add_vip"), form)

    assert response.status_code == 400
    assert "No customer with this code." in response.content.decode()


def test_spend_and_quadrants_and_vip_through_the_pages(client_as, manager, profit_customer):
    browser = client_as(manager)
    spend = {"month": "2026-03", "acquisition": "1000", "retention": "250"}
    quadrants = {"partners_name": "Friends", "partners_strategy": ""}
    vip = {"customer": "H7", "description": "Driver", "started_on": "2026-03-01"}

    answers = [
        browser.post(reverse("value:save_spend"), spend),
        browser.post(reverse("value:save_quadrants"), quadrants),
        browser.post(reverse("value:add_vip"), vip),
    ]
    service = VipService.objects.get()
    ended = browser.post(reverse("value:end_vip", args=[service.pk]), {"ended_on": ""})
    missing = browser.post(reverse("value:end_vip", args=[service.pk + 1]), {})

    assert [a.status_code for a in answers] == [302, 302, 302] and ended.status_code == 302
    assert missing.status_code == 404
    assert MarketingSpend.objects.get().month == date(2026, 3, 1)
    assert QuadrantStrategy.objects.get(key="partners").name == "Friends"
    service.refresh_from_db()
    assert service.ended_on == timezone.localdate()
    page = browser.get(reverse("value:settings")).content.decode()
    assert "2026-03" in page and "1,000.00" in page and "Zhang family" in page


def test_ending_a_vip_too_early_shows_the_error_by_its_row(client_as, manager, profit_customer):
    service = VipService.objects.create(
        customer=profit_customer,
        description="Driver",
        started_on=timezone.localdate() - timedelta(days=3),
    )
    too_early = (service.started_on - timedelta(days=1)).isoformat()

    response = client_as(manager).post(
        reverse("value:end_vip", args=[service.pk]), {"ended_on": too_early}
    )

    assert response.status_code == 400
    assert "cannot end before it starts" in response.content.decode()


@pytest.mark.parametrize("role", ["staff", "warehouse", "viewer"])
def test_only_managers_may_change_the_settings(client_as, make_user, profit_customer, role):
    browser = client_as(make_user(role))
    posts = [
        (reverse("value:save_rates"), {"per_order": "1"}),
        (reverse("value:save_quadrants"), {"partners_name": "Mine"}),
        (reverse("value:save_spend"), {"month": "2026-03", "acquisition": "1", "retention": "1"}),
        (
            reverse("value:add_vip"),
            {"customer": "H7", "description": "x", "started_on": "2026-03-01"},
        ),
        (reverse("value:end_vip", args=[1]), {}),
    ]

    assert [browser.post(url, data).status_code for url, data in posts] == [403] * 5
    assert _nothing_audited() and not VipService.objects.exists()
