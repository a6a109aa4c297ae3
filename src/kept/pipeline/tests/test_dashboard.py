"""The contract with the manager's dashboard: ``queries.dashboard_funnel`` and the
``kept/pipeline/_dashboard_funnel.html`` template that renders it."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from kept.pipeline import queries

pytestmark = pytest.mark.django_db


def test_this_month_per_stage_with_targets(make_lead, django_assert_max_num_queries):
    # given this month: 3 inquiries, one visit, one purchase
    make_lead("Inquiry")
    make_lead("Visit")
    make_lead("Purchase")
    # when
    with django_assert_max_num_queries(4):
        summary = queries.dashboard_funnel(timezone.localdate())
    # then
    assert [(r.stage.name, r.count) for r in summary.rows] == [
        ("Inquiry", 3), ("Visit", 2), ("Purchase", 1), ("Repeat / referral", 0)
    ]  # fmt: skip
    assert summary.rows[1].conversion == pytest.approx(2 / 3) and summary.rows[1].target == 70
    assert summary.rows[0].target == 500
    assert summary.overall == pytest.approx(1 / 3)
    assert summary.month == timezone.localdate().replace(day=1)


def test_the_alerts_of_the_rolling_window(make_lead):
    # given a funnel in use for months; 25 leads that came in three weeks ago, 20 visited
    # (80 %) and 8 of them bought (40 % < 60 %)
    make_lead("Inquiry", days_ago=200)
    for number in range(25):
        stage = "Inquiry" if number < 5 else "Visit" if number < 17 else "Purchase"
        make_lead(stage, days_ago=21)
    # when
    summary = queries.dashboard_funnel(timezone.localdate())
    # then the purchase stage is below target, and the volume (25 in the last 30 days, target
    # 493) too
    names = {(a.name, a.is_volume): round(a.measured) for a in summary.alerts}
    assert names == {("Purchase", False): 40, ("Inquiry", True): 25}
    assert summary.rows[2].is_below


def test_the_template_renders_the_summary(make_lead, manager):
    make_lead("Visit")
    summary = queries.dashboard_funnel(timezone.localdate())
    request = RequestFactory().get("/")
    request.user = manager
    html = render_to_string(
        "kept/pipeline/_dashboard_funnel.html", {"funnel": summary}, request=request
    )
    assert 'id="dashboard-funnel"' in html and "<svg" in html
    assert "/pipeline/" in html and "Visit" in html and "100 %" in html
