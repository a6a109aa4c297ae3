"""The whole journey in a browser, once in English and once in Simplified Chinese.

A manager sets 王芳's credit limit; staff promise her an order on the promise desk, get a
counter-offer (five bags on hand, eight asked) and accept it; the warehouse records a short
delivery; staff open a complaint on that delivery and answer it within the SLA; resolving it
mails 王芳 a survey, which she answers on her phone; today's plan turns a proposal into an
order; two days later the service-level page shows the broken promise. Every step goes
through the login form and the pages; only the business that exists beforehand is set up
in the database. In Chinese the language is switched the way a person does, from the top
bar, and each step's headings are read for English leftovers.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from conftest import PASSWORD
from django.utils import timezone, translation
from playwright.sync_api import expect
from tests.browser.business import jar_with_refills, rice_bags
from tests.browser.conftest import restore_migration_data
from tests.browser.screens import shoot

pytestmark = pytest.mark.browser

COMPLAINT = "少送了四袋米，今天家里不够吃"
COMMENT = "送货少了，但客服很快就处理好了"
# Latin words a Chinese heading may carry: names of measures, and names in the data
LATIN_ALLOWED = {"SLA", "OTIF", "CSAT", "NPS", "Kept", "East", "kg", "boss", "xiaowang", "laoli"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def t(language: str, message: str, **values) -> str:
    """The message as the page should say it in ``language`` (the project's catalogue)."""
    with translation.override(language):
        text = translation.gettext(message)
    return text % values if values else text


@pytest.fixture
def business(transactional_db, make_user, request):
    """The business before the day starts: three people; 王芳 (no credit limit yet); five
    bags of rice on hand and twenty arriving tomorrow; 李娜's rice jar, refilled every ten
    days, the last time ten days ago."""
    from kept.customers import actions as customers

    restore_migration_data()  # the default SLA policy (a transactional test's flush drops it)
    language = request.param
    people = {
        "manager": make_user("manager", "boss"),
        "staff": make_user("staff", "xiaowang"),
        "warehouse": make_user("warehouse", "laoli"),
    }
    customers.create_customer(
        {
            "code": "H0001",
            "name": "王芳",
            "phone": "13800138000",
            "email": "wang@example.com",
            "route": "East 3",
            "language": language,
            "owner": people["staff"],
        },
        actor=None,
    )
    rice_bags(on_hand=5, arriving=20, in_days=1)
    jar = jar_with_refills("H0002", "李娜")
    return language, people, jar


@pytest.mark.parametrize("business", ["en", "zh-hans"], indirect=True, ids=["en", "zh"])
def test_the_whole_journey(page, phone_page, business, monkeypatch):
    language, people, jar = business
    _manager_sets_the_credit_limit(page, people["manager"], language)
    number = _staff_promise_and_accept_the_counter_offer(page, people["staff"], language)
    _warehouse_delivers_short(page, people["warehouse"], language, number)
    _staff_answer_the_complaint_in_time(page, people["staff"], language, number)
    _the_customer_answers_the_survey_on_her_phone(phone_page, language)
    _todays_plan_turns_a_proposal_into_an_order(page, people["staff"], language, jar)
    _two_days_later(monkeypatch)
    _service_level_shows_the_broken_promise(page, people["manager"], language, number)


# The steps -------------------------------------------------------------------------------


def _manager_sets_the_credit_limit(page, manager, language):
    page.goto("/login/")
    page.select_option("#language-select", "en")
    expect(page.locator("h1")).to_have_text("Log in to Kept")
    _log_in(page, manager)
    if language != "en":  # switched from the top bar, as a person does
        page.select_option("#language-select", language)
        expect(page.locator("nav.mainnav")).to_contain_text(t(language, "Customers"))
    _read_in(page, language)
    page.click(f"nav.mainnav >> text={t(language, 'Customers')}")
    page.fill("#customer-search", "王芳")
    page.click("#results >> text=王芳")
    profile = page.locator("#profile")
    expect(profile).to_contain_text(t(language, "no limit"))
    _read_in(page, language)
    page.click(f"a.button:text-is('{t(language, 'Edit')}')")
    page.fill("#id_credit_limit", "3000")
    page.fill("#id_reason", "老客户，按时付款")
    page.click(f"button:text-is('{t(language, 'Save')}')")
    expect(page.locator(".messages")).to_contain_text(t(language, "Changes saved."))
    expect(profile).to_contain_text("¥3000.00")
    expect(profile).not_to_contain_text(t(language, "no limit"))
    _log_out(page, language)


def _staff_promise_and_accept_the_counter_offer(page, staff, language) -> str:
    _log_in(page, staff)
    page.click("nav.mainnav a[href='/promising/desk/']")
    _read_in(page, language)
    page.fill("#desk-customer-search", "1380013")
    page.click("#customer-suggestions >> text=王芳")
    # the manager's new limit, and all of it left (zh writes no thousands separator)
    expect(page.locator("#credit")).to_contain_text(re.compile(r"¥3,?000\.00"))
    expect(page.locator("#credit")).to_contain_text(t(language, "Credit left"))
    page.select_option("#id_lines-0-product", "RICE10")
    page.fill("#id_lines-0-quantity", "8")
    page.fill("#id_lines-0-requested_date", timezone.localdate().isoformat())  # wanted today
    page.check("#id_lines-0-accept_partial")
    decision = page.locator("#decision")
    expect(decision).to_contain_text(t(language, "Counter-offer"))
    expect(decision).to_contain_text(t(language, "Take one of the offers below."))
    expect(decision.locator(".offers li")).to_have_count(2)
    if language != "en":
        shoot(page, f"promise-desk-{_short(language)}")
    page.click("#promise-button")
    expect(page).to_have_url(re.compile(r"/promising/orders/SO-\d+/$"))
    number = page.url.rstrip("/").rsplit("/", 1)[-1]
    expect(page.locator("h1")).to_contain_text(number)
    _read_in(page, language)
    line = page.locator("#line-1")
    expect(line.locator(".offers li")).to_have_count(2)
    line.locator("button[data-offer='2']").click()  # five bags today, the rest tomorrow
    expect(page.locator("#line-1 [data-status]")).to_have_text(t(language, "Promised"))
    ledger = page.locator("#line-1 table.ledger tbody tr")
    expect(ledger).to_have_count(1)
    expect(ledger.first).to_contain_text(t(language, "Counter-offer %(n)s accepted.", n=2))
    expect(ledger.first).to_contain_text("xiaowang")
    if language != "en":
        shoot(page, f"order-{_short(language)}")
    _log_out(page, language)
    return number


def _warehouse_delivers_short(page, warehouse, language, number):
    _log_in(page, warehouse)
    page.click("nav.mainnav a[href='/fulfilment/deliveries/']")
    _read_in(page, language)
    # the promise is complete tomorrow (the receipt's day): the warehouse looks a day ahead
    page.select_option("#delivery-ahead", "1")
    page.click("form.filters button[type=submit]")
    card = page.locator(".delivery-card", has_text=f"{number}/1")
    expect(card).to_contain_text("East 3")
    card.locator("input[name=quantity]").fill("4")
    card.get_by_role("button", name=t(language, "Delivered")).click()
    card = page.locator(".delivery-card", has_text=f"{number}/1")
    expect(card).to_contain_text(t(language, "Recorded: %(quantity)s", quantity="4"))
    expect(card).to_contain_text(t(language, "%(delivered)s delivered", delivered="4"))
    expect(card.locator("input[name=quantity]")).to_have_value("4")  # four still to come
    _log_out(page, language)


def _staff_answer_the_complaint_in_time(page, staff, language, number):
    from django.core import mail

    _log_in(page, staff)
    page.click("nav.mainnav a[href='/servicedesk/']")
    _read_in(page, language)
    page.click(f"text={t(language, 'New ticket')}")
    page.fill("#id_customer", "H0001")
    page.fill("#id_subject", "米少送了")
    page.fill("#id_description", COMPLAINT)
    page.select_option("#id_kind", "complaint")
    page.select_option("#id_priority", "high")
    page.fill("#id_order", number)
    page.fill("#id_line", "1")
    page.click(f"button:text-is('{t(language, 'Open ticket')}')")
    expect(page.locator(".messages")).to_be_visible()
    expect(page.locator("#links")).to_contain_text(f"{number}/1")
    _read_in(page, language)
    # the complaint is about the short delivery itself
    page.click(f"#edit summary:text-is('{t(language, 'Edit the ticket')}')")
    page.locator("#edit select[name=delivery]").select_option(index=1)
    page.click(f"#edit button:text-is('{t(language, 'Save')}')")
    today = timezone.localdate().isoformat()
    expect(page.locator("#links")).to_contain_text(f"{today} · 4")
    first_response = page.locator("#sla dd").first
    expect(first_response).to_contain_text(t(language, "on track"))

    page.fill("#id_body", "非常抱歉，剩下的四袋今天下午送到。")
    page.check("input[name=mode][value=public]")
    page.click("#reply-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("wang@example.com")
    expect(first_response.locator(".sla-met")).to_contain_text(t(language, "met"))
    page.select_option("#id_root_cause", "short")
    page.select_option("#id_remedy", "redeliver")
    page.click(f"button:text-is('{t(language, 'Save complaint')}')")
    expect(page.locator("#complaint")).to_contain_text(t(language, "Redeliver"))
    page.select_option("#move-status", "resolved")
    page.click(f"button:text-is('{t(language, 'Change status')}')")
    expect(page.locator(".section-head")).to_contain_text(t(language, "Resolved"))
    expect(page.locator("#sla .sla-met")).to_have_count(2)  # answered and resolved in time
    expect(page.locator("#sla")).not_to_contain_text(t(language, "breached"))
    if language != "en":
        shoot(page, f"ticket-{_short(language)}")
    _log_out(page, language)
    # resolving the ticket mailed 王芳 a survey: the only place the raw link exists
    surveys = [m for m in mail.outbox if "/feedback/s/" in m.body]
    assert [m.to for m in surveys] == [["wang@example.com"]]


def _the_customer_answers_the_survey_on_her_phone(phone, language):
    from django.core import mail

    body = next(m.body for m in mail.outbox if "/feedback/s/" in m.body)
    link = re.search(r"/feedback/s/[A-Za-z0-9_-]+/", body).group(0)
    phone.goto(link)  # no login: the link is the key
    expect(phone.locator("html")).to_have_attribute("lang", language)
    expect(phone.locator("h1")).to_have_text(t(language, "How did we do?"))
    _read_in(phone, language)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.locator('#csat label:text-is("4")').click()
    phone.locator('#nps label:text-is("9")').click()
    phone.locator("textarea").fill(COMMENT)
    phone.locator("button[type=submit]").click()
    expect(phone.locator("h1")).to_have_text(t(language, "Thank you"))
    phone.goto(link)  # once only
    expect(phone.locator("main")).to_contain_text(t(language, "This survey link is not valid."))


def _todays_plan_turns_a_proposal_into_an_order(page, staff, language, jar):
    _log_in(page, staff)
    page.click("nav.mainnav a[href='/replenishment/rounds/']")
    _read_in(page, language)
    card = page.locator(f"#proposal-{jar.pk}")
    expect(card).to_contain_text("李娜")
    card.get_by_role("button", name=t(language, "Order"), exact=True).click()
    card = page.locator(f"#proposal-{jar.pk}")
    expect(card).to_contain_text(t(language, "Accepted: ordered"))
    order = card.locator("a[href^='/promising/orders/SO-']")
    expect(order).to_have_count(1)
    refill = order.inner_text()
    order.click()
    expect(page.locator("h1")).to_contain_text(refill)
    expect(page.locator("main")).to_contain_text("李娜")
    expect(page.locator("#line-1 [data-status]")).to_have_text(t(language, "Promised"))
    _log_out(page, language)


def _two_days_later(monkeypatch):
    """Move the clock two days on, for the live server too (it runs in this process): the
    short line's window (tomorrow) has closed, and a line still short then has failed."""
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(days=2))


def _service_level_shows_the_broken_promise(page, manager, language, number):
    _log_in(page, manager)
    page.click("nav.mainnav a[href='/fulfilment/service-level/']")
    page.select_option("#id_by", "customer")
    page.click("form.filters button[type=submit]")
    _read_in(page, language)
    row = page.locator("#breakdown tbody tr", has_text="H0001")
    expect(row.locator("td").nth(4)).to_have_text("0.0 %")  # OTIF
    expect(row.locator("td").nth(6)).to_have_text("0.0 %")  # in full
    if language != "en":
        shoot(page, f"service-level-{_short(language)}")
    row.get_by_role("link", name=t(language, "promise"), exact=True).click()
    failures = page.locator("#failures")
    expect(failures.locator("tbody tr")).to_have_count(1)
    expect(failures).to_contain_text(f"{number}/1")
    expect(failures).to_contain_text("王芳")
    expect(failures).to_contain_text(t(language, "short"))
    _read_in(page, language)
    # satisfaction beside it: her answer, verbatim
    page.goto("/feedback/")
    expect(page.locator("#comments")).to_contain_text(COMMENT)
    _read_in(page, language)


# Helpers ---------------------------------------------------------------------------------


def _log_in(page, user):
    page.goto("/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    expect(page.locator("#dashboard")).to_be_visible()


def _log_out(page, language):
    page.click("form.logout button[type=submit]")
    expect(page.locator("h1")).to_have_text(t(language, "Log in to Kept"))


def _short(language: str) -> str:
    return language.split("-")[0]


def _read_in(page, language):
    """The page is in ``language``: <html lang>, and in Chinese no English word left in the
    main headings."""
    expect(page.locator("html")).to_have_attribute("lang", language)
    if language == "en":
        return
    headings = page.locator("main h1, main h2").all_inner_texts()
    assert headings
    for heading in headings:
        # codes with digits in them (SO-000010, RICE10, H0001) are names, not English
        words = {w for w in re.findall(r"[A-Za-z][\w-]*", heading, re.ASCII) if w.isalpha()}
        leftovers = words - LATIN_ALLOWED
        assert not leftovers, f"English left in a heading of {page.url}: {heading!r}"
    assert any(CJK.search(heading) for heading in headings), f"{headings} on {page.url}"
