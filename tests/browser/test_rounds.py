"""Today's rounds on a phone: a household about to run out is proposed; staff orders the
refill in one tap and sees the promise; the notebook draws the jar's level band."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.browser.business import jar_with_refills
from tests.browser.screens import shoot

pytestmark = pytest.mark.browser


@pytest.fixture
def household(transactional_db, make_user):
    """王芳's 15 kg jar, refilled with 10 kg every ten days for three months; the last
    refill ten days ago."""
    jar = jar_with_refills("H0001", "王芳")
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
