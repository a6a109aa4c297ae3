"""Customer value in a browser, on a small demo business: the manager reads the P&L with the
whale curve, the segments, retention and a customer's value in the notebook; staff get the
lapsing call list and never a money figure. Screenshots for the README."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.browser.screens import shoot

pytestmark = pytest.mark.browser


def test_the_manager_reads_customer_value_and_staff_call_the_lapsing(page, login, make_user, demo):
    from kept.value.models import CustomerValue

    login(page, make_user("manager", username="boss"))
    page.goto("/value/")
    expect(page.locator("#whale-curve svg")).to_be_visible()
    expect(page.locator("#whale-desc")).to_contain_text("of customers earn")
    expect(page.get_by_role("heading", name="Customers who destroy profit")).to_be_visible()
    shoot(page, "value-profit")

    page.get_by_role("link", name="Segments").first.click()
    expect(page.locator("#quadrant-map")).to_contain_text("Partners")
    expect(page.locator("#refit-status")).to_contain_text("customers valued")
    shoot(page, "value-segments")

    page.goto("/value/retention/")
    expect(page.locator("#cohort-table")).to_be_visible()
    expect(page.locator("#repurchase svg")).to_be_visible()
    expect(page.locator("#cost-ratio")).to_contain_text("A new customer costs")
    shoot(page, "value-retention")

    valued = CustomerValue.objects.select_related("customer").order_by("-clv").first()
    page.goto(f"/customers/{valued.customer.code}/")
    expect(page.locator("#value-quadrant")).to_be_visible()
    expect(page.locator("#value-pnl")).to_be_visible()
    shoot(page.locator("#value"), "notebook-value")

    staff = make_user("staff", username="caller")
    page.context.clear_cookies()
    login(page, staff)
    page.goto("/value/lapsing/?who=everyone")
    expect(page.locator("#lapsing-count")).to_contain_text("to call")
    body = page.locator("main").inner_text()
    assert "¥" not in body and "CLV" not in body
    shoot(page, "value-lapsing")
    assert page.goto("/value/").status == 403
    page.goto(f"/customers/{valued.customer.code}/")
    expect(page.locator("#value")).to_have_count(0)
