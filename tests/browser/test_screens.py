"""Screenshots of the main pages that no journey shoots, on the small demo business: orders,
promises at risk, deliveries, failed lines, products, stock, stock targets, receipts,
invoices, ageing, today's rounds, funnel, leads, scorecards, value settings, import/export
and the settings (Django admin) — and a few of them in Chinese. Each page is read before it
is shot: its heading in the language asked, and the data it exists to show."""

from __future__ import annotations

import re

import pytest
from conftest import PASSWORD
from django.utils import translation
from playwright.sync_api import expect
from tests.browser.screens import shoot

pytestmark = pytest.mark.browser

TALLEST = 1800  # pixels of a long page kept in its screenshot
# (address, screenshot, the heading's message, what must be on the page)
PAGES = [
    ("/promising/orders/", "orders", "Orders", "#results tbody tr"),
    ("/promising/at-risk/", "promises-at-risk", "Promises at risk", "#risk-count"),
    ("/fulfilment/deliveries/?ahead=7", "deliveries", "Deliveries", ".delivery-card"),
    ("/fulfilment/service-level/failures/", "service-level-failures", "Failed lines",
     "#failures tbody tr a"),
    ("/catalog/products/", "products", "Products", "main table tbody tr a"),
    ("/catalog/stock/", "stock", "Stock", "#ledger tbody tr"),
    ("/catalog/stock/targets/", "stock-targets", "Stock targets", "#targets tbody tr"),
    ("/catalog/receipts/", "receipts", "Receipts", "main table tbody tr"),
    ("/receivables/invoices/", "invoices", "Invoices", "main table tbody tr a"),
    ("/receivables/ageing/", "receivables-ageing", "Receivables ageing", "#ageing-totals"),
    ("/replenishment/rounds/", "rounds", "Today's rounds", ".delivery-card"),
    ("/pipeline/", "funnel", "Funnel", "#funnel-chart svg"),
    ("/pipeline/leads/", "leads", "Leads", "#lead-list tbody tr a"),
    ("/team/", "team-scorecards", "Value scorecards", "#board tbody tr"),
    ("/value/settings/", "value-settings", "Customer value settings", "main form"),
    ("/data/", "import-export", "Import / export", "main table tbody tr a[href$='/xlsx/']"),
]  # fmt: skip
IN_CHINESE = [
    ("/", "dashboard-manager-zh", None, "#dashboard #empty-chair"),
    ("/customers/", "customers-zh", "Customers", "#results tbody tr"),
    ("/replenishment/rounds/", "rounds-zh", "Today's rounds", ".delivery-card"),
    ("/feedback/", "satisfaction-zh", "Satisfaction", "#beside-service-level svg"),
    ("/pipeline/", "funnel-zh", "Funnel", "#funnel-chart svg"),
    ("/team/", "team-scorecards-zh", "Value scorecards", "#board tbody tr"),
]


def t(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def _demo_user(username: str):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


def _log_in(page, user, language: str):
    page.goto("/login/")
    page.select_option("#language-select", language)
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    expect(page.locator("#dashboard")).to_be_visible()


def _read_and_shoot(page, pages, language: str):
    for address, name, heading, content in pages:
        response = page.goto(address)
        assert response.status == 200, address
        if heading is not None:
            expect(page.locator("main h1").first).to_contain_text(t(language, heading))
        expect(page.locator(content).first).to_be_visible()
        shoot(page, name, max_height=TALLEST)


def test_the_main_pages_no_journey_shoots_in_english_then_some_in_chinese(page, demo):
    manager = _demo_user("manager")
    _log_in(page, manager, "en")
    _read_and_shoot(page, PAGES, "en")

    # one order, one product, one invoice, one person: the pages behind the lists
    page.goto("/promising/orders/")
    page.locator("#results tbody tr a").first.click()
    expect(page.locator("h1")).to_contain_text("SO-")
    page.goto("/catalog/products/")
    page.locator("main table tbody tr a").first.click()
    expect(page.locator("main")).to_contain_text(t("en", "On hand"))
    shoot(page, "product")
    page.goto("/receivables/invoices/")
    page.locator("main table tbody tr a").first.click()
    expect(page.locator("#invoice-amount")).to_contain_text(re.compile(r"\d\.\d\d"))
    shoot(page, "invoice")
    page.goto("/team/")
    page.locator("#board tbody tr a").first.click()
    expect(page.locator("#history")).to_be_visible()
    shoot(page, "team-person", max_height=TALLEST)

    # the settings: Django's admin, for the manager
    page.click(f"nav.mainnav >> text={t('en', 'Settings')}")
    expect(page.locator("#content")).to_contain_text("Service desk")
    shoot(page, "settings", max_height=TALLEST)

    page.goto("/")
    page.select_option("#language-select", "zh-hans")
    expect(page.locator("nav.mainnav")).to_contain_text(t("zh-hans", "Customers"))
    _read_and_shoot(page, IN_CHINESE, "zh-hans")
    page.goto("/customers/")
    page.locator("#results tbody tr a").first.click()
    expect(page.locator("#profile h2")).to_have_text(t("zh-hans", "Profile"))
    shoot(page, "notebook-zh", max_height=TALLEST)
