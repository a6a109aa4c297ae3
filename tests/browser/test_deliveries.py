"""Deliveries on a phone and service level in a browser: the warehouse records a short
delivery, the rest later; the service-level page then shows the broken promise."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from tests.browser.screens import shoot

pytestmark = pytest.mark.browser


@pytest.fixture
def warehouse(transactional_db, make_user):
    """Two promised lines due today for 王芳; the warehouse user who delivers them."""
    from kept.catalog import actions as catalog
    from kept.customers import actions as customers
    from kept.promising.actions import promise_order
    from kept.promising.engine import LineInput
    from kept.promising.queries import business_today

    customer = customers.create_customer(
        {"code": "H0001", "name": "王芳", "route": "East 3"}, actor=None
    )
    rice = catalog.create_product(
        {
            "sku": "RICE10",
            "name": "东北大米 10 kg",
            "unit": "bag",
            "price": Decimal("68"),
            "cost": Decimal("52"),
        }
    )
    catalog.record_movement(rice, Decimal(40), "opening")
    today = business_today()
    order, _ = promise_order(customer, [LineInput(rice, Decimal(10), today)])
    return make_user("warehouse", "laoli"), order


def test_a_short_delivery_on_a_phone_then_the_rest(phone_page, login, warehouse):
    user, order = warehouse
    page = phone_page
    login(page, user)
    page.goto("/fulfilment/deliveries/")
    card = page.locator(".delivery-card").first
    expect(card).to_contain_text(f"{order.number}/1")
    expect(card).to_contain_text("East 3")
    card.locator("input[name=quantity]").fill("7")
    card.get_by_role("button", name="Delivered").click()
    card = page.locator(".delivery-card").first
    expect(card).to_contain_text("Recorded: 7")
    expect(card).to_contain_text("7 delivered")
    expect(card.locator("input[name=quantity]")).to_have_value("3")  # what is left
    shoot(page, "deliveries-phone")
    card.locator("input[name=quality_ok]").uncheck()
    card.locator("select[name=defect]").select_option("damaged")
    card.get_by_role("button", name="Delivered").click()
    expect(page.locator(".delivery-card").first).to_contain_text("Damaged")
    page.goto("/fulfilment/deliveries/")
    expect(page.locator("#delivery-count")).to_contain_text("0 lines to deliver")


def test_service_level_shows_the_broken_promise(page, login, warehouse, make_user):
    from django.utils import timezone

    from kept.fulfilment.actions import record_delivery
    from kept.promising.models import OrderLine

    _user, order = warehouse
    line = order.lines.get()
    # promised for three days ago, delivered short today: late and not in full
    past = timezone.localdate() - timedelta(days=3)
    OrderLine.objects.filter(pk=line.pk).update(governing_date=past)
    line.versions.update(date=past)
    record_delivery(line, Decimal(6))
    login(page, make_user("manager", "boss"))
    page.goto("/fulfilment/service-level/?by=day")
    expect(page.locator("#service-totals")).to_contain_text("0.0 %")
    expect(page.locator("#trend svg").first).to_be_visible()
    shoot(page, "service-level")
    page.locator("#breakdown a", has_text="promise").first.click()
    expect(page.locator("#failures")).to_contain_text(f"{order.number}/1")
    expect(page.locator("#failures")).to_contain_text("late or early")
    expect(page.locator("#failures")).to_contain_text("short")
