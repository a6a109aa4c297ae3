"""The dates a report may ask about. Outside them a business day's start, as an aware moment,
no longer converts between time zones (year 1 in Asia/Shanghai is before datetime.min in UTC):
refuse them with a clear message instead of a server error."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)
OUT_OF_RANGE = _("Choose dates between 1900 and 9998.")


def in_range(*days: date) -> bool:
    return all(FIRST_DAY <= day <= LAST_DAY for day in days)


# A report's period may span three years at most: enough to compare a season with the same
# season two years before, and a bound on what one request may aggregate.
MAX_PERIOD_DAYS = 3 * 366


class PeriodError(ValueError):
    """A period that cannot be reported on: ``message`` (translated) and the ``field`` at fault
    ("from" or "to")."""

    def __init__(self, message, field: str):
        super().__init__(str(message))
        self.message, self.field = message, field


def period(
    start: date | None,
    end: date | None,
    *,
    today: date,
    default_days: int,
    max_days: int = MAX_PERIOD_DAYS,
) -> tuple[date, date]:
    """The period a report asked for: ``end`` defaults to ``today`` and ``start`` to
    ``default_days`` before ``end``. Checked before any arithmetic, so no date asked for can
    overflow (year 1 minus a year is no date at all)."""
    end = end or today
    if not in_range(end):
        raise PeriodError(OUT_OF_RANGE, "to")
    if start is not None and not in_range(start):
        raise PeriodError(OUT_OF_RANGE, "from")
    start = start or end - timedelta(days=default_days)
    if not in_range(start):
        raise PeriodError(OUT_OF_RANGE, "from")
    if start > end:
        raise PeriodError(_("The start is after the end."), "from")
    if (end - start).days > max_days:
        raise PeriodError(_("Ask for three years at most."), "from")
    return start, end
