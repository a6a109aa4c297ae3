"""The service desk in a browser: staff open a complaint, the SLA counts down live, a public
reply answers it in time, the complaint gets its cause and remedy, and it is resolved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from tests.browser.screens import shoot

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(transactional_db, make_user):
    """An around-the-clock policy (the migration's default is flushed between browser
    tests), a customer, and a few tickets already in the queue."""
    from kept.customers import actions as customers
    from kept.servicedesk import actions
    from kept.servicedesk.models import BusinessCalendar, SlaPolicy, SlaTarget

    calendar = BusinessCalendar.objects.create(name="24×7", around_the_clock=True)
    policy = SlaPolicy.objects.create(name="Around the clock", position=1, calendar=calendar)
    for priority, first, resolve in [("urgent", 1, 4), ("high", 2, 8), ("normal", 4, 16)]:
        SlaTarget.objects.create(
            policy=policy, priority=priority, first_response=timedelta(hours=first),
            resolution=timedelta(hours=resolve),
        )  # fmt: skip
    staff = make_user("staff", "xiaoli")
    customer = customers.create_customer(
        {"code": "H0001", "name": "王芳", "email": "wang@example.com"}, actor=None
    )
    other = customers.create_customer({"code": "R0001", "name": "老成都面馆"}, actor=None)
    from django.utils import timezone

    now = timezone.now()
    late = actions.open_ticket(
        other, subject="发票开错了", kind="request", priority="high", assignee=staff,
        now=now - timedelta(hours=3),
    )  # fmt: skip
    actions.open_ticket(
        other, subject="下周能不能早点送", kind="question", assignee=staff,
        now=now - timedelta(hours=3, minutes=30),
    )  # fmt: skip
    return staff, customer, late


def test_a_complaint_answered_in_time(page, login, desk):
    staff, customer, late = desk
    login(page, staff)
    page.click("nav.mainnav >> text=Service desk")
    expect(page.locator("h1")).to_have_text("Service desk")
    # the ticket past its first-response deadline comes first, marked breached
    first_row = page.locator("tbody tr").first
    expect(first_row).to_contain_text(late.number)
    expect(first_row).to_contain_text("breached")
    page.click("text=New ticket")
    page.fill("#id_customer", customer.code)
    page.fill("#id_subject", "米袋破了，撒了一地")
    page.fill("#id_description", "昨天送的10公斤大米袋子破了")
    page.select_option("#id_kind", "complaint")
    page.select_option("#id_priority", "urgent")
    page.click("button:has-text('Open ticket')")
    expect(page.locator(".messages")).to_contain_text("opened")
    countdown = page.locator("#sla time.countdown").first
    expect(countdown).to_contain_text("in ")  # ticked by countdown.js: "in 59m"
    page.fill("#id_body", "非常抱歉，今天下午给您换一袋新的。")
    page.check("input[name=mode][value=public]")
    page.click("#reply-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("wang@example.com")
    expect(page.locator("#sla")).to_contain_text("met")
    page.select_option("#id_root_cause", "quality")
    page.select_option("#id_remedy", "redeliver")
    page.click("button:has-text('Save complaint')")
    expect(page.locator("#complaint")).to_contain_text("Redeliver")
    shoot(page, "ticket")
    page.select_option("#move-status", "resolved")
    page.click("button:has-text('Change status')")
    expect(page.locator(".section-head")).to_contain_text("Resolved")
    expect(page.locator("#sla")).not_to_contain_text("breached")
    page.goto("/servicedesk/?status=all")
    shoot(page, "service-desk")
