"""Pages: the warehouse's deliveries, the service-level report and its failures, the notebook."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from kept.fulfilment.models import Delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def promised(make_product, customer, line):
    from kept.promising import actions

    rice = make_product("RICE", on_hand="50")
    order, _ = actions.promise_order(customer, [line(rice, "10", 0), line(rice, "4", 5)])
    return order


def test_the_warehouse_sees_todays_lines_and_records_a_partial_delivery(page_as, promised):
    client = page_as("warehouse")
    page = client.get(reverse("fulfilment:deliveries"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f"{promised.number}/1" in html and f"{promised.number}/2" not in html  # due in 5 days
    first = promised.lines.get(number=1)
    response = client.post(
        reverse("fulfilment:record", args=[first.pk]), {"quantity": "6", "quality_ok": "on"}
    )
    assert response.status_code == 200 and "Recorded: 6" in response.content.decode()
    assert Delivery.objects.get(line=first).quantity == Decimal(6)
    bad = client.post(
        reverse("fulfilment:record", args=[first.pk]), {"quantity": "5", "quality_ok": "on"}
    )
    assert bad.status_code == 422 and "Only 4" in bad.content.decode()
    ahead = client.get(reverse("fulfilment:deliveries") + "?ahead=7").content.decode()
    assert f"{promised.number}/2" in ahead


def test_a_defect_needs_its_reason_on_the_page(page_as, promised):
    first = promised.lines.get(number=1)
    response = page_as("warehouse").post(
        reverse("fulfilment:record", args=[first.pk]), {"quantity": "1"}
    )
    assert response.status_code == 422 and not Delivery.objects.exists()


def test_staff_may_look_but_not_record(page_as, promised):
    client = page_as("staff")
    assert client.get(reverse("fulfilment:deliveries")).status_code == 200
    first = promised.lines.get(number=1)
    assert (
        client.post(reverse("fulfilment:record", args=[first.pk]), {"quantity": "1"}).status_code
        == 403
    )


def test_service_level_page_with_trend_breakdown_and_failures(page_as, promised, today):
    from django.utils import timezone

    from kept.fulfilment.actions import record_delivery

    first = promised.lines.get(number=1)
    record_delivery(first, Decimal(8), delivered_at=timezone.now())  # short on the day
    client = page_as("viewer")
    start, end = today - timedelta(days=3), today + timedelta(days=1)
    url = reverse("fulfilment:service_level") + f"?start={start}&end={end}&by=day"
    html = client.get(url).content.decode()
    # today's line is still pending (its window is open and it is short): nothing counted yet
    assert "0 orders, 0 lines counted" in html and "1 lines pending" in html
    monthly = client.get(reverse("fulfilment:service_level")).content.decode()
    assert 'id="trend"' in monthly and f'<td data-label="Month">{today:%Y-%m}</td>' in monthly


def test_failures_page_names_the_component(page_as, make_product, customer, line, today):
    from django.utils import timezone

    from kept.fulfilment.actions import record_delivery
    from kept.promising import actions
    from kept.promising.models import OrderLine

    rice = make_product("OIL", on_hand="50")
    order, _ = actions.promise_order(customer, [line(rice, "10", 1)])
    row = order.lines.get()
    # move the promise into the past so the window has closed (as if promised last week)
    OrderLine.objects.filter(pk=row.pk).update(governing_date=today - timedelta(days=3))
    row.versions.update(date=today - timedelta(days=3))
    record_delivery(row, Decimal(10), delivered_at=timezone.now())  # three days late
    client = page_as("viewer")
    html = client.get(reverse("fulfilment:failures")).content.decode()
    assert f"{order.number}/1" in html and "late or early" in html and "short" in html
    notebook = page_as("staff").get(reverse("customers:notebook", args=[customer.code]))
    text = notebook.content.decode()
    assert "0 of 1 promised lines kept" in text and f"{order.number}/1" in text


def test_a_period_measured_only_against_the_request_still_draws(page_as, promised, today):
    from django.utils import timezone

    from kept.fulfilment.actions import record_delivery
    from kept.promising.models import OrderLine

    first = promised.lines.get(number=1)
    past = today - timedelta(days=3)  # promised for three days ago, asked for today
    OrderLine.objects.filter(pk=first.pk).update(governing_date=past)
    first.versions.update(date=past)
    record_delivery(first, Decimal(10), delivered_at=timezone.now())
    response = page_as("manager").get(reverse("fulfilment:service_level") + "?by=day")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{past:%Y-%m-%d}" in html and f"{today:%Y-%m-%d}" in html
