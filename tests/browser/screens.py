"""Screenshots of the browser tests, written to docs/screenshots for the README."""

from __future__ import annotations

from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def shoot(page_or_element, name: str, *, max_height: int | None = None) -> None:
    """Save a whole page (or one element) as docs/screenshots/NAME.png; a long page is cut
    at ``max_height`` pixels (the top of a long list reads as well as all of it)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    options: dict = {"full_page": True} if hasattr(page_or_element, "goto") else {}
    if options and max_height:
        height = page_or_element.evaluate("document.documentElement.scrollHeight")
        width = page_or_element.viewport_size["width"]
        options["clip"] = {"x": 0, "y": 0, "width": width, "height": min(height, max_height)}
    page_or_element.screenshot(path=str(SCREENSHOTS / f"{name}.png"), **options)
