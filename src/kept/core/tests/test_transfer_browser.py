"""The import journey in a real browser (htmx): check a broken file, fix it, confirm.

Runs with the browser tests (``pytest -m browser``), on Debian's Chromium. Set
KEPT_SCREENSHOTS to a directory to keep screenshots of each step.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def page(page, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return page


def shoot(page, name: str) -> None:
    directory = os.environ.get("KEPT_SCREENSHOTS")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(directory) / f"{name}.png"), full_page=True)


def test_warehouse_imports_stock_movements(
    page, login, transactional_db, make_user, make_csv, tmp_path
):
    from playwright.sync_api import expect

    from kept.catalog import actions
    from kept.catalog.models import StockLevel

    rice = actions.create_product(
        {"sku": "RICE5", "name": "大米", "unit": "bag", "price": Decimal(40), "cost": Decimal(30)}
    )
    header = ["product", "quantity", "reason", "note"]
    broken = tmp_path / "broken.csv"
    broken.write_bytes(make_csv([header, ["RICE5", "20", "opening", ""], ["RICE9", "x", "", ""]]))
    fixed = tmp_path / "fixed.csv"
    fixed.write_bytes(
        make_csv([header, ["RICE5", "20", "opening", ""], ["RICE5", "-2", "damage", "破袋"]])
    )
    login(page, make_user("warehouse", "keeper"))

    page.click("nav >> text=Import / export")
    shoot(page, "transfer-index")
    page.get_by_role("link", name="Import Stock movements…").click()
    page.set_input_files("#id_file", str(broken))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#report")).to_contain_text("Nothing was imported")
    expect(page.locator("#report")).to_contain_text("There is no product with SKU 'RICE9'.")
    shoot(page, "transfer-problems")

    page.set_input_files("#id_file", str(fixed))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#report")).to_contain_text("2 to add, 0 to update")
    shoot(page, "transfer-preview")
    assert StockLevel.objects.get(product=rice).on_hand == 0
    page.get_by_role("button", name="Confirm import").click()
    expect(page.locator("#report")).to_contain_text("fixed.csv: 2 added, 0 updated.")
    shoot(page, "transfer-done")
    assert StockLevel.objects.get(product=rice).on_hand == 18
