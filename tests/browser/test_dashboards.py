"""The role dashboards in a browser, on a small demo business: the manager's trends, profit,
funnel, alerts and held orders; a clerk's plan, tickets, customers and scorecard (no money);
the warehouse's deliveries; the empty chair on each. Screenshots for the README."""

from __future__ import annotations

import re

import pytest
from conftest import PASSWORD
from playwright.sync_api import expect
from tests.browser.screens import shoot

pytestmark = pytest.mark.browser


def _demo_user(username: str):
    """One of the demo's team, with the tests' password (the demo's people own its data)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


def _chair(page):
    chair = page.locator("#empty-chair")
    expect(chair).to_be_visible()
    expect(chair.locator("li.voice").first).to_be_visible()
    return chair


def test_each_role_reads_its_dashboard_with_the_empty_chair(page, phone_page, login, demo):
    # one demo for the three roles (a transactional test's flush drops the migrations' data)
    _manager_reads_trends_profit_funnel_alerts_and_held_orders(page, login)
    page.context.clear_cookies()
    _a_clerk_reads_customers_and_never_money(page, phone_page, login)
    page.context.clear_cookies()
    _the_warehouse_reads_todays_deliveries_and_the_chair_without_links(page, login)


def _manager_reads_trends_profit_funnel_alerts_and_held_orders(page, login):
    login(page, _demo_user("manager"))
    expect(page.locator("#dashboard")).to_have_attribute("data-role", "manager")
    expect(page.locator("#trend-service svg")).to_be_visible()
    expect(page.locator("#trend-satisfaction svg")).to_be_visible()
    expect(page.locator("#dash-profit [data-figure=revenue-year]")).not_to_be_empty()
    expect(page.locator("#dashboard-funnel")).to_be_visible()
    expect(page.locator("#dash-alerts")).to_contain_text("promises at risk")
    chair = _chair(page)
    expect(chair.locator("a").first).to_have_attribute("href", re.compile(r"^/customers/"))
    shoot(page, "dashboard-manager")
    held = page.locator("#dash-held tr[data-order] a").first
    if held.count():
        number = held.inner_text()
        held.click()
        expect(page.locator("h1")).to_contain_text(number)
        expect(page.locator(f"form[action$='/orders/{number}/approve/']")).to_have_count(1)


def _a_clerk_reads_customers_and_never_money(page, phone_page, login):
    clerk = _demo_user("staff1")
    login(page, clerk)
    expect(page.locator("#dashboard")).to_have_attribute("data-role", "staff")
    for section in ("#dash-plan", "#dash-tickets", "#dash-at-risk", "#dash-lapsing"):
        expect(page.locator(section)).to_be_visible()
    expect(page.locator("#my-scorecard")).to_be_visible()
    chair = _chair(page)
    chair.locator("a").first.click()
    expect(page).to_have_url(re.compile(r"/customers/[^/]+/$"))
    page.goto("/")
    body = page.locator("main").inner_text()
    for word in ("Profit", "profit", "Cost-to-serve", "CLV", "margin", "Revenue"):
        assert word not in body
    shoot(page, "dashboard-staff")
    login(phone_page, clerk)
    expect(phone_page.locator("#empty-chair")).to_be_visible()
    shoot(phone_page, "dashboard-staff-phone")


def _the_warehouse_reads_todays_deliveries_and_the_chair_without_links(page, login):
    login(page, _demo_user("warehouse"))
    expect(page.locator("#dashboard")).to_have_attribute("data-role", "warehouse")
    expect(page.locator("#dash-deliveries")).to_be_visible()
    expect(page.locator("#dash-at-risk")).to_be_visible()
    expect(page.locator("#dash-plan")).to_have_count(0)
    chair = _chair(page)
    expect(chair.locator("a")).to_have_count(0)
    assert "Profit" not in page.locator("main").inner_text()
    shoot(page, "dashboard-warehouse")
