"""The role dashboards on the home page (issue 8): each role's sections and figures on a
hand-built business, no money for anyone but managers, the empty chair verbatim and escaped,
and a number of queries that does not grow with the data."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kept.core import dashboards
from kept.fulfilment.tests.history import delivered_line
from kept.pipeline.tests.conftest import make_lead, stages  # noqa: F401 (fixtures)

# Queries per dashboard, whatever the data (the same bound holds with 3× the rows). About 12
# of them are the request's own (session, user, permissions, notifications, tiles).
BOUNDS = {"manager": 55, "staff": 38, "viewer": 28, "warehouse": 18}
PRICE, COST = Decimal("50"), Decimal("40")


def _past(day: date):
    return timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))


class Business:
    """``scale`` households of one clerk, each with a rice jar refilled every 10 days, a
    complaint assigned to the clerk and the customer's answer on it, a survey answered with a
    comment, a line to deliver today, an order held on its credit limit, a promise that a
    write-off leaves at risk, an overdue invoice and a lapsing purchase pattern."""

    def __init__(self, scale: int, clerk, boss, today: date):
        self.scale, self.clerk, self.boss, self.today = scale, clerk, boss, today
        self.customers = []

    def build(self) -> Business:
        from kept.catalog import actions as catalog

        self.rice = catalog.create_product(
            {"sku": "RICE", "name": "Rice 10 kg", "unit": "bag", "price": PRICE, "cost": COST}
        )
        catalog.record_movement(self.rice, Decimal(1000), "opening")
        self.oil = catalog.create_product(
            {"sku": "OIL", "name": "Oil 5 L", "unit": "can", "price": PRICE, "cost": COST}
        )
        catalog.record_movement(self.oil, Decimal(2 * self.scale), "opening")
        self.water = catalog.create_product(
            {"sku": "WATER", "name": "Water 18 L", "unit": "jug", "price": PRICE, "cost": COST}
        )
        catalog.record_movement(self.water, Decimal(1000), "opening")
        for i in range(self.scale):
            self._household(i)
        catalog.record_movement(
            self.oil, Decimal(-2 * self.scale), "write_off", note="flood", actor=self.boss
        )
        return self

    def _household(self, i: int) -> None:
        from kept.customers.models import Customer

        customer = Customer.objects.create(
            code=f"C{i:03}", name=f"Household {i:03}", owner=self.clerk, route="R1"
        )
        self.customers.append(customer)
        self._jar(customer)
        self._voices(customer, i)
        self._orders(customer)
        self._money(customer, i)

    def _jar(self, customer) -> None:
        from kept.replenishment.actions import save_subscription

        jar = save_subscription(customer, {"product": self.rice, "capacity": 15, "people": 3})
        for n in range(8, 0, -1):
            delivered_line(jar.customer, jar.product, self.today - timedelta(days=10 * n), 10)

    def _voices(self, customer, i: int) -> None:
        from kept.feedback import actions as feedback
        from kept.servicedesk import actions as desk

        ticket = desk.open_ticket(
            customer,
            subject=f"Torn bag {i}",
            kind="complaint",
            complaint={"what_happened": f"The bag was torn <b>again</b> #{i}"},
            assignee=self.clerk,
            actor=self.clerk,
        )
        desk.reply(ticket, f"Still waiting for the new bag #{i}", from_customer=True)
        survey, token = feedback.send_survey(customer, trigger="manual", staff=self.clerk)
        feedback.answer(token, csat=2, comment=f"Rice <script>late</script> #{i}")

    def _orders(self, customer) -> None:
        from kept.promising.actions import promise_order
        from kept.promising.engine import LineInput

        # water, not rice: rice on its way would take the jar off today's plan
        promise_order(customer, [LineInput(self.water, Decimal(1), self.today)], actor=self.clerk)
        tomorrow = self.today + timedelta(days=1)
        promise_order(customer, [LineInput(self.oil, Decimal(2), tomorrow)], actor=self.clerk)
        customer.credit_limit = Decimal("1")
        customer.save(update_fields=["credit_limit"])
        promise_order(customer, [LineInput(self.water, Decimal(3), tomorrow)], actor=self.clerk)

    def _money(self, customer, i: int) -> None:
        from kept.receivables.actions import issue_invoice
        from kept.value.tests.test_retention_pages import _value, done_run

        long_ago = self.today - timedelta(days=60)
        issue_invoice(customer, Decimal("100"), long_ago, number=f"INV-{i}", due_date=long_ago)
        run = getattr(self, "run", None) or done_run()
        self.run = run
        _value(customer, run, overdue_on=self.today - timedelta(days=3 + i), p_alive=0.8)


@pytest.fixture
def business(db, make_user):
    """business(scale) → a Business built for the clerk (staff) and the boss (manager)."""
    clerk, boss = make_user("staff", "clerk"), make_user("manager", "boss")

    def build(scale: int = 3) -> Business:
        return Business(scale, clerk, boss, timezone.localdate()).build()

    return build


def _page(client, user) -> str:
    client.force_login(user)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def _section(body: str, section_id: str) -> str:
    start = body.index(f'id="{section_id}"')
    end = body.find("</section>", start)
    return body[start : end if end > 0 else None]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# Manager -----------------------------------------------------------------------------------


def test_the_manager_sees_trends_profit_alerts_and_held_orders(client, business):
    shop = business(3)
    body = _page(client, shop.boss)
    assert 'data-role="manager"' in body
    trends = _section(body, "dash-trends")
    assert 'id="trend-service"' in trends and 'id="trend-satisfaction"' in trends
    # satisfaction: three answers of 2 out of 5, none satisfied — its own chart, its own number
    assert re.search(r"Satisfaction \(CSAT\)</strong> <span class=\"dash-latest\">0 %", trends)
    # profit: 8 fills of 10 bags at 50 per household in the last 80 days (cost 40 a bag)
    profit = _section(body, "dash-profit")
    assert 'data-figure="revenue-year">12,000.00<' in profit  # 3 × 8 × 10 × 50
    assert 'data-figure="revenue-month">3,000.00<' in profit  # the fills of days 10 and 20
    assert reverse("value:profit") in profit
    alerts = _text(_section(body, "dash-alerts"))
    assert "3 promises at risk" in alerts
    assert "3 overdue invoices, 300.00 unpaid" in alerts
    assert "3 customers lapsing" in alerts
    held = _section(body, "dash-held")
    assert "3 orders wait for your decision" in held
    assert held.count('<tr data-order="') == 3 and "CREDIT_LIMIT" in held
    order = re.search(r'<tr data-order="([^"]+)"', held).group(1)
    assert reverse("promising:order", args=[order]) in held


def test_the_manager_dashboard_says_so_when_nothing_waits(client, manager):
    body = _page(client, manager)
    assert "No order is waiting for approval." in body
    assert "No customer has written to us yet." in body
    assert "Nothing measured in the last 12 months." in body


def test_sla_alerts_count_the_breached_tickets(client, business):
    from kept.servicedesk.models import Ticket

    shop = business(2)
    Ticket.objects.filter(customer=shop.customers[0]).update(
        first_response_state="breached", first_response_due=timezone.now() - timedelta(hours=1)
    )
    alerts = _section(_page(client, shop.boss), "dash-alerts")
    assert re.search(r'data-alert="sla-breached">1<', alerts)
    assert "?sla=breached" in alerts and "?sla=at_risk" in alerts


def test_the_manager_sees_the_funnel_against_targets_and_its_alerts(client, manager, make_lead):  # noqa: F811
    # 25 leads three weeks ago: 20 visited (80 %), 8 bought (40 %, target 60 %)
    make_lead("Inquiry", days_ago=200)
    for number in range(25):
        make_lead("Inquiry" if number < 5 else "Visit" if number < 17 else "Purchase", days_ago=21)
    body = _page(client, manager)
    assert 'id="dashboard-funnel"' in body
    alerts = _section(body, "dash-alerts")
    assert "Purchase: 40 % converted from the previous stage, target 60 %" in _text(alerts)
    assert reverse("pipeline:funnel") in alerts


# Staff and viewer --------------------------------------------------------------------------


def test_staff_see_their_plan_tickets_risks_and_lapsing_customers(client, business):
    shop = business(3)
    body = _page(client, shop.clerk)
    assert 'data-role="staff"' in body
    plan = _section(body, "dash-plan")
    assert "3 containers may run out" in plan and plan.count("<tr data-subscription=") == 3
    assert reverse("replenishment:rounds") in plan
    tickets = _section(body, "dash-tickets")
    assert "3 open tickets assigned to me" in tickets
    assert tickets.count("<li data-ticket=") == 3 and "on track" in tickets
    risks = _section(body, "dash-at-risk")
    assert "3 promises are no longer covered" in risks
    lapsing = _section(body, "dash-lapsing")
    assert "3 of my customers are overdue" in lapsing
    # the longest overdue first: C002 is 5 days overdue, C000 3
    assert re.findall(r'<li data-customer="(\w+)"', lapsing) == ["C002", "C001", "C000"]
    assert "5 days overdue" in lapsing
    assert 'id="my-scorecard"' in body


def test_staff_see_only_their_own_customers_and_tickets(client, business, make_user):
    business(2)
    other = make_user("staff", "other")
    body = _page(client, other)
    assert "No open ticket is assigned to you." in body
    assert "Every promise to your customers is covered" in body
    assert "None of your customers is overdue" in body
    assert "2 containers may run out" in body  # today's plan is the whole team's


@pytest.mark.parametrize("role", ["staff", "viewer", "warehouse"])
def test_no_money_figure_for_anyone_but_managers(client, business, make_user, role):
    shop = business(2)
    user = shop.clerk if role == "staff" else make_user(role)
    body = _page(client, user)
    words = re.compile(r"profit|cost-to-serve|margin|\bCLV\b|lifetime value|revenue", re.I)
    assert not words.search(_text(body))
    assert "200.00" not in body and "100.00" not in body  # the overdue invoices
    assert "dash-profit" not in body and "dash-held" not in body and "dash-alerts" not in body
    assert f'href="{reverse("value:profit")}"' not in body


def test_the_viewer_gets_the_staff_dashboard_without_a_scorecard(client, business, viewer):
    business(1)
    body = _page(client, viewer)
    assert 'data-role="staff"' in body and 'id="dash-plan"' in body
    assert "my-scorecard" not in body


# Warehouse ---------------------------------------------------------------------------------


def test_the_warehouse_sees_todays_deliveries_by_route_and_promises_at_risk(
    client, business, warehouse
):
    shop = business(3)
    body = _page(client, warehouse)
    assert 'data-role="warehouse"' in body
    deliveries = _section(body, "dash-deliveries")
    assert "3 lines promised for today" in deliveries
    assert "No region · R1" in _text(deliveries)
    assert deliveries.count("<li data-line=") == 3
    assert reverse("fulfilment:deliveries") in deliveries
    assert "3 promises are no longer covered" in _section(body, "dash-at-risk")
    assert 'id="dash-plan"' not in body and 'id="dash-tickets"' not in body
    assert shop.customers[0].name in body


# The empty chair ---------------------------------------------------------------------------


def test_the_empty_chair_is_verbatim_escaped_and_newest_first(client, business):
    shop = business(2)
    chair = _page(client, shop.clerk)
    chair = chair[chair.index('id="empty-chair"') : chair.index("</aside>")]
    assert "The bag was torn &lt;b&gt;again&lt;/b&gt; #1" in chair
    assert "<b>again</b>" not in chair and "<script>late" not in chair
    assert "Rice &lt;script&gt;late&lt;/script&gt; #1" in chair
    assert "Still waiting for the new bag #0" in chair
    notebook = reverse("customers:notebook", args=["C001"])
    assert f'<a href="{notebook}">Household 001</a>' in chair
    assert chair.count('<li class="voice') == 6  # 2 customers × complaint, message, survey
    said = re.findall(r'<time datetime="([^"]+)"', chair)
    assert said == sorted(said, reverse=True)


def test_the_empty_chair_keeps_the_latest_eight(business):
    shop = business(4)
    voices = dashboards.empty_chair()
    assert len(voices) == 8
    assert {v.kind for v in voices} <= {"survey", "complaint", "message"}
    assert voices[0].customer == shop.customers[-1]  # the last household spoke last


def test_the_warehouse_reads_the_chair_without_notebook_links(client, business, warehouse):
    business(1)
    body = _page(client, warehouse)
    chair = body[body.index('id="empty-chair"') : body.index("</aside>")]
    assert "Household 000" in chair
    assert reverse("customers:notebook", args=["C000"]) not in chair


# One request, bounded queries --------------------------------------------------------------


def _user_of(shop: Business, role: str, make_user):
    return {"manager": shop.boss, "staff": shop.clerk}.get(role) or make_user(role)


@pytest.mark.parametrize("role", sorted(BOUNDS))
@pytest.mark.parametrize("scale", [3, 9])
def test_each_dashboard_reads_a_bounded_number_of_queries(
    client, business, make_user, django_assert_max_num_queries, role, scale
):
    from kept.fulfilment import scores

    shop = business(scale)
    user = _user_of(shop, role, make_user)
    client.force_login(user)
    client.cookies["django_language"] = "en"
    scores.refresh()  # the service level's scoring queue, emptied by any report
    with django_assert_max_num_queries(BOUNDS[role]):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    assert 'id="empty-chair"' in response.content.decode()


def test_an_account_without_a_role_is_told_so(client, db, django_user_model):
    user = django_user_model.objects.create_user("nobody", password="x")
    assert "has no role yet" in _page(client, user)
