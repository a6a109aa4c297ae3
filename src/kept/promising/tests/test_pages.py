"""The promise pages: desk (dry run as you type, promise), order (accept, approve, change,
cancel, ledger), orders list, promises at risk, and the notebook section."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.contrib.messages import get_messages
from django.template import Context, Template
from django.urls import reverse

from kept.catalog import actions as catalog
from kept.customers.models import Customer
from kept.promising import actions
from kept.promising.models import Commitment, Order, PromiseVersion


def desk_data(customer="H1", lines=(), **extra) -> dict:
    """POST data of the desk: lines as dicts of product, quantity, requested_date, …"""
    data = {
        "customer": customer,
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "50",
        **extra,
    }
    for index, line in enumerate(lines):
        for name, value in line.items():
            if name == "accept_partial":
                if value:
                    data[f"lines-{index}-accept_partial"] = "on"
            else:
                data[f"lines-{index}-{name}"] = str(value)
    return data


def messages_of(response) -> list[str]:
    """The messages the response added (earlier unread ones of the session come first)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1:]


@pytest.fixture
def counter_order(customer, make_product, line, staff, today):
    """8 rice asked for tomorrow, 5 on hand, 20 arriving in 6 days, partial accepted."""
    rice = make_product(on_hand="5")
    catalog.schedule_receipt(rice, D(20), today + timedelta(days=6))
    order, _ = actions.promise_order(customer, [line(rice, "8", accept_partial=True)], actor=staff)
    return order


# Desk ---------------------------------------------------------------------------------------


def test_desk_shows_a_first_line_for_tomorrow_and_the_sellable_products(
    client_as, staff, make_product, today
):
    make_product("RICE10", on_hand="5")
    make_product("OLD", sellable=False)
    body = client_as(staff).get(reverse("promising:desk")).content.decode()
    assert 'value="RICE10"' in body and 'value="OLD"' not in body
    assert f'value="{(today + timedelta(days=1)).isoformat()}"' in body
    assert 'name="lines-TOTAL_FORMS"' in body and "Choose a customer to see the decision." in body


def test_desk_preselects_the_customer_with_their_credit(client_as, staff, customer, today):
    from kept.receivables import actions as receivables

    customer.credit_limit = D("1000")
    customer.save()
    receivables.issue_invoice(customer, D("300"), today - timedelta(days=40))
    body = client_as(staff).get(reverse("promising:desk") + "?customer=H1").content.decode()
    assert 'name="customer" value="H1"' in body
    assert "¥1,000.00" in body and "¥300.00" in body  # limit, open invoices
    assert "Credit left" in body and "¥700.00" in body
    assert "oldest 40 days overdue" in body  # no payment terms: due on the day of issue


def test_customer_suggestions_by_name_code_or_phone(client_as, staff):
    Customer.objects.create(code="H1", name="王芳", phone="13800138000")
    Customer.objects.create(code="R1", name="金龙餐厅", alias="Golden Dragon")
    client = client_as(staff)
    url = reverse("promising:customer_suggestions")
    by_phone = client.get(url, {"q": "1380013"}).content.decode()
    assert "王芳" in by_phone and "金龙餐厅" not in by_phone
    assert "customer_panel" not in by_phone and "/promising/desk/customer/?code=H1" in by_phone
    assert "金龙餐厅" in client.get(url, {"q": "golden"}).content.decode()
    assert "No customer matches" in client.get(url, {"q": "nobody"}).content.decode()


def test_customer_panel_rechecks_the_decision(client_as, staff, customer):
    body = client_as(staff).get(reverse("promising:customer_panel"), {"code": "H1"}).content
    body = body.decode()
    assert 'name="customer" value="H1" form="desk-form"' in body
    assert 'hx-trigger="load"' in body and "no limit" in body


def test_availability_shows_fourteen_days_of_atp_and_on_hand(client_as, staff, make_product, today):
    rice = make_product("RICE10", on_hand="5")
    catalog.schedule_receipt(rice, D(20), today + timedelta(days=6))
    params = {
        "lines-0-product": "RICE10",
        "lines-0-quantity": "8",
        "lines-0-requested_date": (today + timedelta(days=1)).isoformat(),
    }
    body = client_as(staff).get(reverse("promising:availability"), params).content.decode()
    assert body.count('class="atp-bar') == 14
    assert "On hand: 5 bag" in body and "free to promise today: 5" in body
    assert body.count("short") == 6  # 5 < 8 until the receipt lands on day 6
    assert '<td class="num">25</td>' in body  # ATP once the receipt arrives
    assert "bottom: 32%" in body  # the asked 8 against the top of 25


def test_check_explains_lead_time_and_writes_nothing(
    client_as, staff, customer, make_product, today
):
    make_product("RICE10", on_hand="50", delivery_lead_days=3)
    tomorrow, earliest = today + timedelta(days=1), today + timedelta(days=3)
    data = desk_data(
        lines=[{"product": "RICE10", "quantity": "4", "requested_date": tomorrow.isoformat()}]
    )
    body = client_as(staff).post(reverse("promising:check"), data).content.decode()
    assert 'data-code="LEAD_TIME"' in body
    assert (
        f"{tomorrow.isoformat()} is too soon: this needs 3 days, so the earliest date is "
        f"{earliest.isoformat()}." in body
    )
    assert f"What can be done instead: Promise it for {earliest.isoformat()}." in body
    assert f"4 bag on {earliest.isoformat()}" in body  # offer 1
    assert "Counter-offer" in body and not Order.objects.exists()


def test_check_explains_not_enough_on_date_with_both_offers(
    client_as, staff, customer, make_product, today
):
    rice = make_product("RICE10", on_hand="5")
    catalog.schedule_receipt(rice, D(20), today + timedelta(days=6))
    tomorrow, later = today + timedelta(days=1), today + timedelta(days=6)
    data = desk_data(
        lines=[
            {
                "product": "RICE10",
                "quantity": "8",
                "requested_date": tomorrow.isoformat(),
                "accept_partial": True,
            }
        ]
    )
    body = client_as(staff).post(reverse("promising:check"), data).content.decode()
    assert 'data-code="NOT_ENOUGH_ON_DATE"' in body
    # the engine writes the stock figure as stored (5.000); the sentence is what matters
    assert re.search(
        rf"Only 5(\.0+)? can be promised for {tomorrow.isoformat()}; 8 were asked for\.", body
    )
    assert "What can be done instead: Take one of the offers below." in body
    assert "Offer 1" in body and "Offer 2" in body
    assert f"5 bag on {tomorrow.isoformat()}" in body and f"3 bag on {later.isoformat()}" in body
    assert not Commitment.objects.exists()


def test_check_says_what_is_missing(client_as, staff, customer, make_product):
    make_product("RICE10", on_hand="5")
    client = client_as(staff)
    no_customer = client.post(reverse("promising:check"), desk_data(customer="", lines=[{}]))
    assert "Choose a customer to see the decision." in no_customer.content.decode()
    no_quantity = client.post(reverse("promising:check"), desk_data(lines=[{"product": "RICE10"}]))
    assert "Line 1: Quantity: Say how many." in no_quantity.content.decode()
    broken = client.post(reverse("promising:check"), {"customer": "H1"})  # no management form
    assert broken.status_code == 200 and "errorlist" in broken.content.decode()


def test_promise_from_the_desk_redirects_to_the_order(
    client_as, staff, customer, make_product, today
):
    make_product("RICE10", on_hand="10")
    day = (today + timedelta(days=2)).isoformat()
    data = desk_data(
        lines=[
            {"product": "RICE10", "quantity": "6", "requested_date": day},
            {"product": "RICE10", "quantity": "1", "requested_date": day, "DELETE": "on"},
        ],
        note="ring twice",
    )
    response = client_as(staff).post(reverse("promising:desk"), data)
    order = Order.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "promising:order", args=[order.number]
    )
    assert order.decision == "commit" and order.note == "ring twice" and order.created_by == staff
    assert [line.requested_quantity for line in order.lines.all()] == [D(6)]  # removed line skipped
    assert messages_of(response) == [f"Order {order.number} is promised as asked."]


def test_promise_without_customer_shows_the_desk_again(client_as, staff, make_product, today):
    make_product("RICE10", on_hand="10")
    data = desk_data(customer="", lines=[{"product": "RICE10", "quantity": "6"}])
    response = client_as(staff).post(reverse("promising:desk"), data)
    assert response.status_code == 422 and not Order.objects.exists()
    body = response.content.decode()
    assert "Choose a customer first." in body and 'value="6"' in body


def test_viewer_cannot_use_the_desk(client_as, viewer):
    client = client_as(viewer)
    assert client.get(reverse("promising:desk")).status_code == 403
    assert client.post(reverse("promising:check"), {}).status_code == 403


# Order page ---------------------------------------------------------------------------------


def test_order_page_shows_reasons_offers_and_accept_buttons(client_as, staff, counter_order, today):
    body = client_as(staff).get(reverse("promising:order", args=[counter_order.number])).content
    body = body.decode()
    assert counter_order.number in body and "王芳" in body
    assert re.search(r"Only 5(\.0+)? can be promised for", body)
    assert "Take one of the offers below." in body
    later = (today + timedelta(days=6)).isoformat()
    assert f"8 bag on {later}" in body and f"3 bag on {later}" in body
    assert body.count('name="offer"') == 2 and "No promise yet on this line." in body


def test_viewer_sees_the_order_without_buttons(client_as, viewer, counter_order):
    client = client_as(viewer)
    body = client.get(reverse("promising:order", args=[counter_order.number])).content.decode()
    assert "Offer 2" in body and 'name="offer"' not in body and "Cancel this order" not in body
    accept = client.post(reverse("promising:accept", args=[counter_order.number]), {"line": 1})
    assert accept.status_code == 403


def test_accepting_an_offer_commits_it_and_shows_the_ledger(client_as, staff, counter_order, today):
    client = client_as(staff)
    url = reverse("promising:accept", args=[counter_order.number])
    response = client.post(url, {"line": 1, "offer": 2})
    assert response.status_code == 302 and response.url.endswith("#line-1")
    assert messages_of(response) == ["Offer 2 on line 1 accepted: the promise is recorded."]
    version = PromiseVersion.objects.get()
    assert version.quantity == D(8) and [p["quantity"] for p in version.parts] == ["5.000", "3.000"]
    body = client.get(reverse("promising:order", args=[counter_order.number])).content.decode()
    assert "Counter-offer 2 accepted." in body and "Promise ledger" in body
    assert f"Promised: 8 bag by {(today + timedelta(days=6)).isoformat()}" in body
    assert 'data-status="promised"' in body and 'name="offer"' not in body


def test_a_stale_offer_shows_fresh_offers(client_as, staff, customer, counter_order, line):
    rice = counter_order.lines.get().product
    actions.promise_order(customer, [line(rice, "5")], actor=staff)  # the 5 on hand go
    client = client_as(staff)
    response = client.post(
        reverse("promising:accept", args=[counter_order.number]), {"line": 1, "offer": 2}
    )
    assert "went in the meantime, so nothing was promised" in messages_of(response)[0]
    assert not PromiseVersion.objects.filter(line__order=counter_order).exists()
    body = client.get(reverse("promising:order", args=[counter_order.number])).content.decode()
    assert "Offer 3" in body and "Offer 2" not in body and 'value="3"' in body


def test_accept_with_a_bad_offer_is_a_message(client_as, staff, counter_order):
    response = client_as(staff).post(
        reverse("promising:accept", args=[counter_order.number]), {"line": 1, "offer": 99}
    )
    assert response.status_code == 302
    assert messages_of(response) == ["Offer 99 is not open on this line."]


@pytest.fixture
def held_order(customer, make_product, line, staff):
    customer.credit_limit = D("100")
    customer.save()
    rice = make_product(on_hand="50")
    order, _ = actions.promise_order(customer, [line(rice, "3")], actor=staff)  # 150 > 100
    assert order.decision == "hold"
    return order


def test_staff_sees_a_held_order_but_cannot_approve_it(client_as, staff, held_order):
    client = client_as(staff)
    body = client.get(reverse("promising:order", args=[held_order.number])).content.decode()
    assert "only a manager can approve or reject it" in body and "CREDIT_LIMIT" in body
    assert "credit limit of 100.00" in body
    url = reverse("promising:approve", args=[held_order.number])
    assert client.post(url, {"reason": "ok"}).status_code == 403
    held_order.refresh_from_db()
    assert held_order.decision == "hold"


def test_approve_needs_a_reason(client_as, manager, held_order):
    client = client_as(manager)
    assert (
        'id="approval-reason"'
        in client.get(reverse("promising:order", args=[held_order.number])).content.decode()
    )
    url = reverse("promising:approve", args=[held_order.number])
    refused = client.post(url, {"reason": "   "})
    assert "Give the reason for the decision" in messages_of(refused)[0]
    held_order.refresh_from_db()
    assert held_order.decision == "hold"
    approved = client.post(url, {"reason": "Pays weekly"})
    assert messages_of(approved) == [
        f"Order {held_order.number} approved; its lines were checked against stock again."
    ]
    held_order.refresh_from_db()
    assert held_order.decision == "commit" and Commitment.objects.get().quantity == D(3)
    body = client.get(reverse("promising:order", args=[held_order.number])).content.decode()
    assert "Hold approved" in body and "Pays weekly" in body and "approved: CREDIT_LIMIT" in body


def test_reject_a_hold(client_as, manager, held_order):
    client = client_as(manager)
    client.post(reverse("promising:reject", args=[held_order.number]), {"reason": "Unpaid"})
    held_order.refresh_from_db()
    assert held_order.decision == "decline"
    again = client.post(reverse("promising:reject", args=[held_order.number]), {"reason": "x"})
    assert messages_of(again) == ["Nothing on this order is waiting for approval."]


def test_change_a_promise_writes_an_agreed_version(
    client_as, staff, customer, make_product, line, today
):
    rice = make_product(on_hand="10")
    order, _ = actions.promise_order(customer, [line(rice, "6")], actor=staff)
    client = client_as(staff)
    url = reverse("promising:change", args=[order.number, 1])
    new_day = today + timedelta(days=4)
    data = {"quantity": "4", "date": new_day.isoformat(), "kind": "agreed", "reason": "Friday"}
    response = client.post(url, data)
    assert messages_of(response) == ["Line 1 has a new promise version."]
    latest = PromiseVersion.objects.order_by("-number").first()
    assert (latest.number, latest.kind, latest.quantity, latest.date) == (
        2,
        "agreed",
        D(4),
        new_day,
    )
    body = client.get(reverse("promising:order", args=[order.number])).content.decode()
    assert "Changed with the customer&#x27;s agreement" in body and "Friday" in body


def test_change_beyond_supply_is_refused_with_the_earliest_date(
    client_as, staff, customer, make_product, line, today
):
    rice = make_product(on_hand="10")
    order, _ = actions.promise_order(customer, [line(rice, "6")], actor=staff)
    url = reverse("promising:change", args=[order.number, 1])
    data = {"quantity": "11", "date": (today + timedelta(days=2)).isoformat()}
    missing = client_as(staff).post(url, {**data, "kind": "agreed"})
    assert "Why the promise changes" in messages_of(missing)[0]
    refused = client_as(staff).post(url, {**data, "kind": "agreed", "reason": "more"})
    assert "11 cannot be promised for" in messages_of(refused)[0]
    assert PromiseVersion.objects.count() == 1


def test_cancel_an_order_frees_its_stock(client_as, staff, customer, make_product, line):
    rice = make_product(on_hand="10")
    order, _ = actions.promise_order(customer, [line(rice, "6")], actor=staff)
    client = client_as(staff)
    url = reverse("promising:cancel", args=[order.number])
    response = client.post(url, {"by": "customer", "reason": "Moved away"})
    assert messages_of(response) == [f"Order {order.number} cancelled; its stock is free again."]
    assert not Commitment.objects.open().exists()
    body = client.get(reverse("promising:order", args=[order.number])).content.decode()
    assert "by: The customer" in body and "Moved away" in body and "Cancel this order" not in body
    again = client.post(url, {"by": "customer"})
    assert messages_of(again) == ["This order is already cancelled."]


def test_order_page_query_count_is_bounded(
    client_as, staff, customer, make_product, line, django_assert_max_num_queries
):
    products = [make_product(f"P{i}", on_hand="3") for i in range(6)]
    order, _ = actions.promise_order(
        customer, [line(p, "5", accept_partial=True) for p in products], actor=staff
    )
    client = client_as(staff)
    # session, user, permissions ×2, groups; order, lines, products, versions, offers, history
    with django_assert_max_num_queries(11):
        response = client.get(reverse("promising:order", args=[order.number]))
    assert response.content.decode().count('class="card order-line"') == 6


def test_unknown_order_is_404(client_as, staff):
    assert client_as(staff).get(reverse("promising:order", args=["SO-404"])).status_code == 404


# Orders list ----------------------------------------------------------------------------------


def test_orders_list_filters_and_counts(client_as, staff, customer, make_product, line, today):
    rice = make_product(on_hand="10")
    catalog.schedule_receipt(rice, D(20), today + timedelta(days=6))
    other = Customer.objects.create(code="R1", name="金龙餐厅")
    first, _ = actions.promise_order(customer, [line(rice, "4"), line(rice, "9")], actor=staff)
    actions.promise_order(other, [line(rice, "2")], actor=staff)
    client = client_as(staff)
    body = client.get(reverse("promising:orders")).content.decode()
    assert "2 orders" in body and first.number in body and "金龙餐厅" in body
    assert '<span class="num">2</span>all orders' in body
    assert (
        'data-decision="counter" href="?q=&amp;decision=counter"><span class="num">1</span>' in body
    )
    assert "1 / 0 / 0" in body and "1 / 1 / 0" in body  # promised / offered / held
    by_name = client.get(reverse("promising:orders"), {"q": "王"}).content.decode()
    assert "1 order" in by_name and first.number in by_name and "金龙餐厅" not in by_name
    by_decision = client.get(reverse("promising:orders"), {"decision": "commit"}).content.decode()
    assert "1 order" in by_decision and first.number not in by_decision


def test_orders_list_query_count_is_bounded(
    client_as, staff, customer, make_product, line, django_assert_max_num_queries
):
    rice = make_product(on_hand="1000")
    for _ in range(30):
        actions.promise_order(customer, [line(rice, "1"), line(rice, "1")], actor=staff)
    client = client_as(staff)
    # session, user, permissions ×2, groups; count, page, its line counts, decision counts
    with django_assert_max_num_queries(9):
        response = client.get(reverse("promising:orders"))
    assert "30 orders" in response.content.decode()


def test_orders_list_with_htmx_returns_the_results_only(client_as, staff):
    response = client_as(staff).get(reverse("promising:orders"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "No order matches." in body and "<html" not in body


# Promises at risk ---------------------------------------------------------------------------


def test_at_risk_lists_the_promise_the_write_off_uncovered(
    client_as, staff, customer, make_product, line, today
):
    rice = make_product("RICE10", on_hand="10")
    actions.promise_order(customer, [line(rice, "4")], actor=staff)
    late, _ = actions.promise_order(customer, [line(rice, "6", days=2)], actor=staff)
    catalog.record_manual_movement(rice, D("-5"), "write_off", note="wet", actor=staff)
    client = client_as(staff)
    body = client.get(reverse("promising:at_risk")).content.decode()
    assert "1 promise at risk" in body and late.number in body and 'id="risk-RICE10"' in body
    assert "no supply yet" in body and "<textarea readonly" in body
    assert "尊敬的" in body or "王芳" in body  # drafted in the customer's language (zh-hans)
    assert (
        "0 promises at risk"
        in client.get(reverse("promising:at_risk"), {"sku": "NONE"}).content.decode()
    )


# Notebook section ---------------------------------------------------------------------------


def _render_tag(customer, user) -> str:
    template = Template("{% load promising_notebook %}{% customer_promises customer %}")
    return template.render(Context({"customer": customer, "user": user}))


def test_notebook_tag_lists_orders_and_open_promises(
    customer, make_product, line, staff, today, django_assert_max_num_queries
):
    rice = make_product(on_hand="10")
    order, _ = actions.promise_order(customer, [line(rice, "4", days=3)], actor=staff)
    actions.promise_order(customer, [line(rice, "40")], actor=staff)
    staff.has_perm("promising.view_order")  # a page has loaded the permissions already
    with django_assert_max_num_queries(3):  # open promises, recent orders, their line counts
        html = _render_tag(customer, staff)
    assert 'id="promises"' in html and "<h2>Promises</h2>" in html
    assert order.number in html and "1 promised · 0 offered · 0 held" in html
    assert f"4 bag RICE10 on {(today + timedelta(days=3)).isoformat()}" in html
    assert "Declined" in html and "/promising/desk/?customer=H1" in html


def test_notebook_tag_empty_and_hidden(customer, staff, make_user):
    assert "No promises yet" in _render_tag(customer, staff)
    from django.contrib.auth.models import AnonymousUser

    assert _render_tag(customer, AnonymousUser()).strip() == ""
