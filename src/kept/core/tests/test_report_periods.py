"""Every report's period is checked before any date arithmetic: no date asked for gives a
server error (schemathesis found year 1 minus a year on /service-level/failures)."""

from datetime import date

import pytest

from kept.core import dates

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (None, date(1, 1, 3), "to"),  # a year before year 1 is no date at all
        (None, date(1900, 3, 1), "from"),  # the default start falls before 1900
        (date(1, 1, 1), None, "from"),
        (None, date(9999, 12, 31), "to"),
        (date(2026, 5, 1), date(2026, 1, 1), "from"),  # backwards
        (date(2020, 1, 1), date(2026, 1, 1), "from"),  # over three years
    ],
)
def test_a_period_that_cannot_be_reported_names_its_field(start, end, field):
    with pytest.raises(dates.PeriodError) as refused:
        dates.period(start, end, today=TODAY, default_days=365)
    assert refused.value.field == field


def test_the_defaults_end_today_and_start_the_given_days_before():
    assert dates.period(None, None, today=TODAY, default_days=90) == (date(2026, 9, 8), TODAY)
    assert dates.period(date(2026, 1, 1), None, today=TODAY, default_days=90) == (
        date(2026, 1, 1),
        TODAY,
    )


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/service-level/failures?to=0001-01-03",
        "/api/v1/service-level?to=0001-01-03",
        "/api/v1/surveys/results?to=0001-01-03",
        "/api/v1/service-level?from=0001-01-01",
        "/api/v1/availability/RICE?from=9999-12-31",
    ],
)
def test_the_apis_refuse_them_with_a_422(db, api_as, manager, url):
    from kept.catalog.models import Product

    Product.objects.create(sku="RICE", name="Rice", unit="kg", price=5, cost=4)
    answer = api_as(manager).get(url)
    assert answer.status_code == 422, answer.content


@pytest.mark.parametrize(
    "url", ["/fulfilment/service-level/", "/feedback/"]
)  # the pages fall back to their default period
def test_the_pages_answer_them(db, client_as, manager, url):
    page = client_as(manager).get(url, {"end": "0001-01-03"})
    assert page.status_code == 200
