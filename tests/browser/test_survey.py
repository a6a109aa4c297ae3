"""A customer answers a survey on a phone without logging in; the manager sees the answer
verbatim on the results page, with service level beside satisfaction."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.browser.screens import shoot

pytestmark = pytest.mark.browser


@pytest.fixture
def survey_link(transactional_db):
    from kept.customers.models import Customer
    from kept.feedback.actions import send_survey

    customer = Customer.objects.create(
        code="H0007", name="李娜", email="lina@example.com", language="zh-hans"
    )
    _survey, token = send_survey(customer, trigger="manual")
    return f"/feedback/s/{token}/"


def test_a_customer_answers_on_a_phone_and_the_manager_reads_it(
    phone_page, page, login, make_user, survey_link
):
    phone = phone_page
    phone.goto(survey_link)
    expect(phone.locator("html")).to_have_attribute("lang", "zh-hans")
    phone.locator('#csat label:text-is("4")').click()
    phone.locator('#nps label:text-is("9")').click()
    phone.locator("textarea").fill("送货很准时，米也好 👍 <b>谢谢</b>")
    shoot(phone, "survey-phone")
    phone.locator("button[type=submit]").click()
    expect(phone.locator("h1")).to_be_visible()
    phone.goto(survey_link)  # the link works once
    expect(phone.locator("main")).to_contain_text("This survey link is not valid.")

    login(page, make_user("manager"))
    page.goto("/feedback/")
    expect(page.locator("#satisfaction-totals")).to_contain_text("100.0 %")
    expect(page.locator("#comments")).to_contain_text("送货很准时，米也好 👍 <b>谢谢</b>")
    expect(page.locator("#beside-service-level svg")).to_be_visible()
    shoot(page, "satisfaction")
