"""Screenshots of the browser tests, written to docs/screenshots for the README."""

from __future__ import annotations

from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def shoot(page_or_element, name: str) -> None:
    """Save a whole page (or one element) as docs/screenshots/NAME.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    options = {"full_page": True} if hasattr(page_or_element, "goto") else {}
    page_or_element.screenshot(path=str(SCREENSHOTS / f"{name}.png"), **options)
