"""Today's rounds on a phone: a household about to run out is proposed; staff orders the
refill in one tap and sees the promise; the notebook draws the jar's level band."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from tests.browser.screens import shoot

pytestmark = pytest.mark.browser


@pytest.fixture
def household(transactional_db, make_user):
    """王芳's 15 kg jar, refilled with 10 kg every ten days for three months; the last
    refill ten days ago."""
    from kept.catalog import actions as catalog
    from kept.customers import actions as customers
    from kept.fulfilment.models import Delivery
    from kept.promising.models import Order, OrderLine
    from kept.promising.queries import business_today
    from kept.replenishment.actions import save_subscription

    customer = customers.create_customer(
        {"code": "H0001", "name": "王芳", "route": "East 3", "size": 3}, actor=None
    )
    rice = catalog.create_product(
        {"sku": "RICE1", "name": "东北大米 1 kg", "unit": "kg", "price": Decimal("7"),
         "cost": Decimal("5")}
    )  # fmt: skip
    catalog.record_movement(rice, Decimal(200), "opening")
    jar = save_subscription(customer, {"product": rice, "capacity": 15, "people": 3})
    today = business_today()
    for n in range(9, 0, -1):
        day = today - timedelta(days=10 * n)
        order = Order.objects.create(number=f"SO-H{n}", customer=customer)
        line = OrderLine.objects.create(
            order=order, number=1, product=rice, requested_quantity=10, requested_date=day,
            unit_price=7, unit_cost=5, decision="commit", status="promised",
            governing_quantity=10, governing_date=day,
        )  # fmt: skip
        at = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))
        Delivery.objects.create(line=line, quantity=10, delivered_at=at, delivered_on=day)
    return make_user("staff", "xiaowang"), jar


def test_order_a_refill_from_todays_rounds_on_a_phone(phone_page, login, household):
    user, jar = household
    page = phone_page
    login(page, user)
    page.goto("/replenishment/rounds/")
    card = page.locator(f"#proposal-{jar.pk}")
    expect(card).to_contain_text("王芳")
    expect(page.locator(".round h2").first).to_contain_text("East 3")
    shoot(page, "rounds-phone")
    card.get_by_role("button", name="Order").click()
    card = page.locator(f"#proposal-{jar.pk}")
    expect(card).to_contain_text("Accepted: ordered")
    expect(card).to_contain_text("SO-")
    page.goto("/replenishment/rounds/")
    expect(page.locator("#rounds-count")).to_contain_text("0 containers to refill")


def test_the_notebook_draws_the_jar(page, login, household):
    user, jar = household
    login(page, user)
    page.goto("/customers/H0001/")
    container = page.locator(f"#container-{jar.pk}")
    expect(container).to_contain_text("next visit")
    expect(container.locator("svg.outlook polygon")).to_have_count(1)
    container.scroll_into_view_if_needed()
    shoot(container, "notebook-jar")
