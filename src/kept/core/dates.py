"""The dates a report may ask about. Outside them a business day's start, as an aware moment,
no longer converts between time zones (year 1 in Asia/Shanghai is before datetime.min in UTC):
refuse them with a clear message instead of a server error."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)
OUT_OF_RANGE = _("Choose dates between 1900 and 9998.")


def in_range(*days: date) -> bool:
    return all(FIRST_DAY <= day <= LAST_DAY for day in days)
