"""The promise desk in a real browser: pick a customer, ask for more than is on hand, see the
counter-offer explained while typing, promise, then accept the partial offer in one click."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from tests.browser.business import rice_bags
from tests.browser.screens import shoot

pytestmark = pytest.mark.browser


@pytest.fixture
def shop(transactional_db, make_user):
    """Staff, 王芳 with a credit limit, 5 bags of rice on hand and 20 more arriving in 6 days."""
    from kept.customers import actions as customers

    clerk = make_user("staff", "xiaowang")
    customers.create_customer(
        {
            "code": "H0001",
            "name": "王芳",
            "alias": "Wang Fang",
            "phone": "13800138000",
            "credit_limit": Decimal("5000"),
            "preferred_days": [6],
        },
        actor=None,  # set up as the system; staff may not set credit limits
    )
    rice_bags(on_hand=5, arriving=20, in_days=6)
    return clerk


def test_staff_promises_part_now_and_the_rest_on_arrival(page, login, shop):
    login(page, shop)
    page.goto("/promising/desk/")
    page.fill("#desk-customer-search", "1380013")
    expect(page.locator("#customer-suggestions")).to_contain_text("王芳")
    page.click("#customer-suggestions >> text=王芳")
    expect(page.locator("#customer-panel")).to_contain_text("¥5,000.00")
    expect(page.locator("#decision")).to_contain_text("Choose a product")

    page.select_option("#id_lines-0-product", "RICE10")
    expect(page.locator(".line-availability")).to_contain_text("On hand: 5 bag")
    expect(page.locator(".atp-bar")).to_have_count(14)
    page.fill("#id_lines-0-quantity", "8")
    page.check("#id_lines-0-accept_partial")
    decision = page.locator("#decision")
    expect(decision).to_contain_text("Counter-offer")
    expect(decision).to_contain_text("can be promised for")
    expect(decision).to_contain_text("Take one of the offers below.")
    expect(decision.locator(".offers li")).to_have_count(2)
    expect(decision.locator(".offers li").nth(1)).to_contain_text("5 bag on")
    shoot(page, "promise-desk")

    page.click("#promise-button")
    expect(page).to_have_url(re.compile(r"/promising/orders/SO-\d+/$"))
    expect(page.locator(".messages")).to_contain_text("counter-offers")
    line = page.locator("#line-1")
    expect(line.locator(".offers li")).to_have_count(2)
    line.locator("button[data-offer='2']").click()
    expect(page.locator(".messages")).to_contain_text("Offer 2 on line 1 accepted")
    expect(page.locator("#line-1 [data-status]")).to_have_text("Promised")
    ledger = page.locator("#line-1 table.ledger tbody tr")
    expect(ledger).to_have_count(1)
    expect(ledger.first).to_contain_text("First promise")
    expect(ledger.first).to_contain_text("Counter-offer 2 accepted.")
    expect(ledger.first).to_contain_text("xiaowang")
    shoot(page, "order")


def test_adding_and_removing_lines_rechecks_the_decision(page, login, shop):
    login(page, shop)
    page.goto("/promising/desk/?customer=H0001")
    page.select_option("#id_lines-0-product", "RICE10")
    page.fill("#id_lines-0-quantity", "2")
    expect(page.locator("#decision")).to_contain_text("Everything can be promised as asked.")
    page.press("#id_lines-0-quantity", "Enter")  # Enter in a field does not promise
    expect(page).to_have_url(re.compile(r"/promising/desk/\?customer=H0001$"))
    page.click("#add-line")
    page.select_option("#id_lines-1-product", "RICE10")
    page.fill("#id_lines-1-quantity", "30")
    expect(page.locator("#decision")).to_contain_text("Line 2")
    expect(page.locator("#decision")).to_contain_text("There is no supply")
    page.locator(".line-row").nth(1).locator("[data-remove-line]").click()
    expect(page.locator("#decision")).not_to_contain_text("Line 2")
    expect(page.locator("#decision")).to_contain_text("Everything can be promised as asked.")
    page.click("#promise-button")
    expect(page.locator("#order-decision")).to_have_text("Committed")
    expect(page.locator(".order-line")).to_have_count(1)


def test_desk_fits_a_phone(phone_page, login, shop):
    login(phone_page, shop)
    phone_page.goto("/promising/desk/?customer=H0001")
    phone_page.select_option("#id_lines-0-product", "RICE10")
    expect(phone_page.locator(".atp-bar")).to_have_count(14)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
