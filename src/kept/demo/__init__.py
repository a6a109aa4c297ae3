"""Demo data: a rice and cooking-oil distributor in Chengdu (SPEC 4).

    from kept.demo import build_demo, has_demo_data, DEMO_LOGINS, DEMO_PASSWORD

    summary = build_demo(seed=1, progress=print)   # about 2,000 households, 100 restaurants
    build_demo(seed=1, scale=0.05, reset=True)     # a small copy, rebuilt from scratch

The same seed (and the same ``today``) always gives the same data. ``DEMO_PASSWORD`` is
public and for the demo only: every demo login uses it.

This module imports no Django models at import time, so ``kept.cli`` may import it early.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from kept.demo.people import DEMO_LOGINS, DEMO_PASSWORD, DemoLogin
from kept.demo.summary import DemoError, DemoSummary

__all__ = [
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "DemoError",
    "DemoLogin",
    "DemoSummary",
    "build_demo",
    "has_demo_data",
]


def build_demo(
    seed: int = 1,
    *,
    scale: float = 1.0,
    reset: bool = False,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Build the demo business in one transaction and return what was made.

    ``scale`` multiplies the number of customers and their timeline (1.0: about 2,000
    households, 100 restaurants, 8 canteens and institutions; the 5 internal departments,
    the team and the catalog are always complete), and with them their two years of
    orders, invoices and payments (1.0: about 20,000 orders). This week's orders go through
    the promise engine against today's stock. ``today`` anchors every date (default:
    today in the business time zone). ``progress`` receives one translated line per step.

    Raises ``DemoError`` if the database is not empty, unless ``reset`` is true and the
    database was built by the demo: then the previous demo data is deleted first.
    """
    from kept.demo.build import build

    return build(seed, scale=scale, reset_existing=reset, today=today, progress=progress)


def has_demo_data() -> bool:
    """True if the database holds data built by ``build_demo``."""
    from kept.demo.reset import has_demo_data as check

    return check()
