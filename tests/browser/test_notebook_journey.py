"""The foundation's journeys in a real browser: log in, find a customer, open the notebook,
log an interaction, create a customer, switch language — on a desk and on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from tests.browser.screens import shoot

pytestmark = pytest.mark.browser


@pytest.fixture
def customers(transactional_db, make_user):
    from kept.customers import actions

    owner = make_user("staff", "xiaowang")
    wang = actions.create_customer(
        {
            "code": "H0001",
            "name": "王芳",
            "alias": "Wang Fang",
            "phone": "13800138000",
            "size": 4,
            "preferences": "米缸 15 kg；周六上午在家",
            "preferred_days": [6],
        },
        actor=owner,
        tags=["老人家庭"],
    )
    actions.save_contact(wang, {"name": "王先生", "phone": "13900000000", "is_primary": True})
    actions.create_customer(
        {"code": "R0001", "name": "金龙餐厅", "alias": "Golden Dragon"}, actor=owner
    )
    return owner


def test_staff_finds_customer_logs_a_call_and_creates_a_customer(page, login, customers):
    login(page, customers)
    page.click("nav >> text=Customers")
    page.fill("#customer-search", "golden")
    expect(page.locator("#results")).to_contain_text("金龙餐厅")
    expect(page.locator("#results")).not_to_contain_text("王芳")
    page.fill("#customer-search", "1380013")
    expect(page.locator("#results")).to_contain_text("王芳")
    shoot(page, "customers")

    page.click("#results >> text=王芳")
    expect(page.locator("h1")).to_contain_text("王芳")
    expect(page.locator("#profile")).to_contain_text("米缸 15 kg")
    expect(page.locator("#contacts")).to_contain_text("王先生")
    expect(page.locator("#containers")).to_be_visible()

    page.select_option("#id_kind", "call")
    page.fill("#id_summary", "约好周六上午送两袋东北大米")
    page.click("text=Add to timeline")
    expect(page.locator("#timeline")).to_contain_text("约好周六上午送两袋东北大米")
    expect(page.locator("#timeline li").first).to_contain_text("Call")
    shoot(page, "notebook")

    page.goto("/customers/new/")
    page.fill("#id_code", "H0002")
    page.fill("#id_name", "李娜")
    page.fill("#id_phone", "13700000000")
    page.check("input[name=preferred_days][value='6']")
    page.click("button:has-text('Save')")
    expect(page).to_have_url(re.compile(r"/customers/H0002/$"))
    expect(page.locator("h1")).to_contain_text("李娜")


def test_create_customer_shows_validation_errors(page, login, customers):
    login(page, customers)
    page.goto("/customers/new/")
    page.fill("#id_code", "H0001")
    page.fill("#id_name", "重复")
    page.click("button:has-text('Save')")
    expect(page.locator(".errorlist")).to_contain_text("already exists")


def test_language_switch(page, login, customers):
    login(page, customers)
    expect(page.locator("nav")).to_contain_text("Customers")
    page.select_option("#language-select", "zh-hans")
    expect(page.locator("nav")).to_contain_text("客户")
    page.goto("/customers/H0001/")
    expect(page.locator("#timeline-section h2")).to_have_text("时间线")
    page.select_option("#language-select", "en")
    expect(page.locator("#timeline-section h2")).to_have_text("Timeline")


def test_default_language_is_chinese(page, customers):
    page.goto("/login/")
    expect(page.locator("h1")).to_have_text("登录 Kept")


def test_phone_layout_has_a_menu_and_no_sideways_scroll(phone_page, login, customers):
    login(phone_page, customers)
    phone_page.goto("/customers/H0001/")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    expect(phone_page.locator(".mainnav")).to_be_hidden()
    phone_page.click(".nav-toggle-label")
    expect(phone_page.locator(".mainnav")).to_be_visible()
    shoot(phone_page, "notebook-phone")
