"""Results: CSAT % (share of 4–5) and NPS (% 9–10 − % 0–6) on hand-built answers, by staff,
customer, group and month; the page with service level beside satisfaction, and the
customer's words verbatim."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kept.customers.models import CustomerGroup
from kept.feedback import queries

pytestmark = pytest.mark.django_db
START, END = date(2026, 1, 1), date(2026, 3, 31)


def at(day: str, hour: int = 10) -> datetime:
    """A moment in the business time zone (Asia/Shanghai in the tests)."""
    return timezone.make_aware(datetime.fromisoformat(f"{day}T{hour:02d}:00"))


@pytest.fixture
def hand_built(zhang, smith, answered, staff, manager):
    """CSAT 5, 4, 3, 1 → 50 %; NPS 10, 9, 8, 6, 0 → 40 % − 40 % = 0; one survey unanswered."""
    restaurants = CustomerGroup.objects.create(code="REST", name="Restaurants")
    smith.group = restaurants
    smith.save()
    answered(zhang, 5, 10, at=at("2026-01-05"), staff=staff)
    answered(zhang, 4, 9, at=at("2026-01-20"), staff=staff)
    answered(smith, 3, 8, at=at("2026-02-03"), staff=manager)
    answered(smith, 1, 6, at=at("2026-02-10"), staff=manager)
    answered(smith, None, 0, at=at("2026-03-01"))
    answered(smith, at=at("2026-03-02"))  # sent, never answered
    return restaurants


def test_csat_and_nps_are_computed_exactly(hand_built):
    _rows, total = queries.results(START, END)
    assert (total.sent, total.answered) == (6, 5)
    assert (total.csat_answers, total.satisfied, total.csat_percent) == (4, 2, 50.0)
    assert (total.nps_answers, total.promoters, total.detractors) == (5, 2, 2)
    assert total.nps == 0.0
    assert total.response_rate == pytest.approx(100 * 5 / 6)


def test_no_answers_is_no_number_not_zero(db):
    _rows, total = queries.results(START, END)
    assert (total.sent, total.csat_percent, total.nps, total.response_rate) == (0, None, None, None)


def _by(by: str) -> dict:
    rows, _total = queries.results(START, END, by=by)
    return {row.key: (row.label, row.csat_percent, row.nps, row.sent) for row in rows}


def test_results_by_staff_customer_group_and_month(hand_built, staff, manager):
    assert _by("staff") == {
        "": ("", None, -100.0, 2),  # NPS 0 and one unanswered: nobody named
        manager.username: (manager.username, 0.0, -50.0, 2),  # CSAT 3, 1; NPS 8, 6
        staff.username: (staff.username, 100.0, 100.0, 2),
    }
    assert _by("customer") == {
        "H9": ("张伟家", 100.0, 100.0, 2),
        "R1": ("Smith's Kitchen", 0.0, -200 / 3, 4),  # NPS 8, 6, 0
    }
    assert _by("group") == {"": ("", 100.0, 100.0, 2), "REST": ("Restaurants", 0.0, -200 / 3, 4)}
    assert _by("month") == {
        "2026-01": ("2026-01", 100.0, 100.0, 2),
        "2026-02": ("2026-02", 0.0, -50.0, 2),
        "2026-03": ("2026-03", None, -100.0, 2),
    }


def test_months_are_business_months(smith, answered):
    # 20:00 UTC on 31 January is 04:00 on 1 February in Shanghai
    answered(smith, 5, at=datetime(2026, 1, 31, 20, tzinfo=UTC))
    assert list(_by("month")) == ["2026-02"]


def test_internal_departments_are_counted_apart(hand_built, make_customer, answered):
    kitchen = make_customer("D-KIT", "Kitchen", kind="internal")
    answered(kitchen, 1, 0, at=at("2026-01-10"), trigger="handoff")
    _rows, customers = queries.results(START, END)
    _rows, departments = queries.results(START, END, scope="internal")
    _rows, both = queries.results(START, END, scope="all")
    assert (customers.sent, departments.sent, both.sent) == (6, 1, 7)
    assert departments.csat_percent == 0.0 and customers.csat_percent == 50.0


def test_for_customer_gives_the_latest_answers(hand_built, smith):
    latest = queries.for_customer(smith, limit=2)
    assert [(s.csat, s.nps) for s in latest] == [(None, 0), (1, 6)]


def _results_page(client, **params):
    query = {"start": START.isoformat(), "end": END.isoformat(), **params}
    return client.get(reverse("feedback:results"), query)


def test_the_page_shows_the_numbers_and_every_grouping(client_as, viewer, hand_built):
    client = client_as(viewer)
    page = _results_page(client)
    assert page.status_code == 200
    tiles = page.content.decode().split('id="satisfaction-totals"')[1].split("</section>")[0]
    assert "50.0 %" in tiles and "<strong>0.0</strong>" in tiles and "83.3 %" in tiles
    for by, expected in [("staff", "clerk"), ("customer", "张伟家"), ("group", "Restaurants")]:
        assert expected in _results_page(client, by=by).content.decode()
    by_month = _results_page(client, by="month").content.decode()
    assert "2026-02" in by_month and "-50.0" in by_month


def test_comments_are_shown_verbatim_and_escaped(client_as, staff, smith, answered):
    words = "<script>alert('x')</script> 米有点潮 🍚"
    answered(smith, 2, 3, comment=words, at=at("2026-02-01"))
    page = _results_page(client_as(staff)).content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; 米有点潮 🍚" in page
    assert "<script>alert" not in page
    assert reverse("customers:notebook", args=[smith.code]) in page


def test_the_comments_cost_the_same_queries_however_many(client_as, staff, smith, answered):
    client = client_as(staff)
    answered(smith, 5, comment="one", at=at("2026-02-01"))
    _results_page(client)
    with CaptureQueriesContext(connection) as few:
        _results_page(client)
    for day in range(2, 12):
        answered(smith, 4, comment=f"more {day}", at=at(f"2026-02-{day:02d}"), staff=staff)
    with CaptureQueriesContext(connection) as many:
        _results_page(client)
    assert len(many) == len(few)


def test_service_level_is_drawn_beside_satisfaction(
    client_as, staff, zhang, answered, make_product, line
):
    from kept.fulfilment.actions import record_delivery
    from kept.promising import actions as promising

    rice = make_product("RICE", on_hand="50")
    order, _result = promising.promise_order(zhang, [line(rice, "10", 0)])
    record_delivery(order.lines.get(), Decimal(10))
    today = timezone.localdate()
    answered(zhang, 4, 9, at=timezone.now())
    answered(zhang, 2, 9, at=timezone.now())
    measures = queries.satisfaction_and_service(today.replace(day=1), today)
    assert measures["months"] == [today.strftime("%Y-%m")]
    assert measures["otif"] == [1.0] and measures["csat"] == [0.5]  # two lines, never one
    departments = queries.satisfaction_and_service(today.replace(day=1), today, "internal")
    assert departments["otif"] == [None]  # deliveries are not the departments' service
    page = client_as(staff).get(reverse("feedback:results")).content.decode()
    chart = page.split('id="beside-service-level"')[1].split("</section>")[0]
    assert 'class="series-service"' in chart
    assert "series-satisfaction" in chart
    assert "service level (OTIF) 100 %" in chart and "satisfaction (CSAT) 50 %" in chart


@pytest.mark.parametrize(("role", "status"), [("manager", 200), ("staff", 200), ("viewer", 200)])
def test_who_may_see_the_results(client_as, make_user, role, status):
    assert client_as(make_user(role)).get(reverse("feedback:results")).status_code == status


def test_the_warehouse_may_not_and_strangers_must_log_in(client, client_as, warehouse):
    url = reverse("feedback:results")
    assert client.get(url).status_code == 302
    assert client_as(warehouse).get(url).status_code == 403
    assert client_as(warehouse).get(reverse("feedback:send")).status_code == 403


@pytest.mark.parametrize(
    "period",
    [
        {"start": "2026-05-01", "end": "x"},
        {"start": "2026-05-01", "end": "2026-01-01"},
        {"start": "9999-01-01", "end": "9999-12-31"},
        {"start": "0001-01-01", "end": "0001-02-01"},
        {"by": "product", "scope": "x"},
    ],
)
def test_a_bad_period_falls_back_to_the_last_90_days(client_as, viewer, period):
    page = client_as(viewer).get(reverse("feedback:results"), period)
    assert page.status_code == 200
    assert 'class="errorlist' in page.content.decode()
