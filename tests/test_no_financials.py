"""Issue 7, item 8: staff, warehouse and viewer see no cost, margin, profit or CLV anywhere —
pages, API, exports — while a manager does (so this test can fail).

The data carries distinctive figures (a product costing 987.65, a complaint remedy of
555.44, a CLV of 43,210.98, odd activity rates, …); every page and GET operation a role may
use (the tables of test_routes_by_role) and every export it may download is searched for
them and for the words that name them."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from test_routes_by_role import API, PAGES, _api_url, world  # noqa: F401

COST, PRICE = Decimal("987.65"), Decimal("1234.56")
REMEDY_COST = Decimal("555.44")
PER_ORDER, PER_DELIVERY = Decimal("13.57"), Decimal("24.68")
CLV, AVERAGE_SPEND, EXPECTED_SPEND = Decimal("43210.98"), Decimal("3217.31"), Decimal("3105.79")
WORDS = re.compile(
    r"cost[- _]to[- _]serve|gross[- _]margin|\bCLV\b|lifetime value|\bprofit\b|unit[_ ]cost"
    r"|cost[_ ]of[_ ]goods|remedy cost",
    re.IGNORECASE,
)
CUSTOMER = "C1"
NOT_MANAGERS = ["staff", "warehouse", "viewer"]


def _variants(amount: Decimal) -> set[str]:
    amount = abs(amount).quantize(Decimal("0.01"))
    return {f"{amount}", f"{amount:,}"}


def _markers(figures: list[Decimal]) -> set[str]:
    return set().union(*(_variants(figure) for figure in figures))


@pytest.fixture
def money(world, make_user):  # noqa: F811
    """The routes' world with a delivered sale of a product costing 987.65, a complaint
    remedy of 555.44 and a scored customer (CLV 43,210.98) on customer C1; answers the
    world's keys pointed at these, and the figures no one but a manager may see."""
    from kept.catalog import actions as catalog
    from kept.customers.models import Customer
    from kept.fulfilment.actions import record_delivery
    from kept.promising.actions import promise_order
    from kept.promising.engine import LineInput
    from kept.servicedesk import actions as servicedesk
    from kept.value import queries_profit
    from kept.value.models import CustomerValue, ValueSettings

    boss = make_user("manager", "money-boss")
    ValueSettings.objects.update_or_create(
        pk=1, defaults={"per_order": PER_ORDER, "per_delivery": PER_DELIVERY}
    )
    customer = Customer.objects.get(code=CUSTOMER)
    product = catalog.create_product(
        {"sku": "GOLD", "name": "Gold rice", "unit": "bag", "price": PRICE, "cost": COST}
    )
    catalog.record_movement(product, Decimal("3"), "opening")
    order, _evaluation = promise_order(
        customer, [LineInput(product, Decimal("1"), timezone.localdate())], actor=boss
    )
    line = order.lines.get()
    record_delivery(line, Decimal("1"), actor=boss)
    ticket = servicedesk.open_ticket(customer, subject="袋子破了", kind="complaint", actor=boss)
    servicedesk.save_complaint(
        ticket, {"what_happened": "破袋", "remedy": "refund", "remedy_cost": REMEDY_COST}
    )
    CustomerValue.objects.filter(customer=customer).update(
        clv=CLV, average_spend=AVERAGE_SPEND, expected_spend=EXPECTED_SPEND
    )
    today = timezone.localdate()
    pnl = queries_profit.customer_profit(customer, today.replace(day=1, month=1), today)
    figures = [COST, REMEDY_COST, PER_ORDER, PER_DELIVERY, CLV, AVERAGE_SPEND, EXPECTED_SPEND]
    figures += [PRICE - COST, pnl.cost_to_serve, pnl.profit]
    # the world's order number also names its invoice: the sale is walked on its own
    keys = {"sku": "GOLD", "product": "GOLD", "line_pk": line.pk}
    return {
        "data": {**world, **keys},
        "order": order.number,
        "ticket": ticket.pk,
        "markers": _markers(figures),
    }


def _page_urls(role: str, data: dict) -> list[str]:
    return [
        reverse(name, kwargs=kwargs(data))
        for name, (method, kwargs, allowed) in sorted(PAGES.items())
        if method == "get" and role in allowed
    ]


def _api_urls(role: str, data: dict) -> list[str]:
    return [
        _api_url(path, data)
        for (method, path), allowed in sorted(API.items())
        if method == "get" and role in allowed
    ]


def _export_urls(user) -> list[str]:
    from kept.core.transfer import ENTITIES, FORMATS

    urls = []
    for name, entity in sorted(ENTITIES.items()):
        for fmt in FORMATS:
            if entity.may_export(user):
                urls.append(reverse("transfer:export", kwargs={"entity": name, "fmt": fmt}))
            if entity.may_import(user):
                urls.append(reverse("transfer:template", kwargs={"entity": name, "fmt": fmt}))
    return urls


def _text(response) -> str:
    if response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    ):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(response.content), read_only=True)
        cells = (
            cell for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
        )
        return "\n".join(str(cell) for cell in cells if cell is not None)
    return response.content.decode("utf-8-sig")


def _walk(client, urls: list[str]) -> dict[str, str]:
    """Every URL's text; pages and files must answer 200, the API 200 or 404 (a customer
    without a policy of their own)."""
    found = {}
    for url in urls:
        response = client.get(url)
        allowed = {200, 404} if url.startswith("/api/") else {200}
        assert response.status_code in allowed, (url, response.status_code)
        found[url] = _text(response)
    return found


def _leaks(texts: dict[str, str], markers: set[str]) -> list[tuple[str, str]]:
    leaks = [(url, marker) for url, text in texts.items() for marker in markers if marker in text]
    leaks += [(url, hit.group(0)) for url, text in texts.items() for hit in WORDS.finditer(text)]
    return leaks


def _sale_urls(role: str, money: dict) -> list[str]:
    """The sale's order (its lines carry their cost), and the complaint ticket with its remedy
    cost for the roles that see customers' tickets (the warehouse sees only hand-offs between
    departments)."""
    number, ticket = money["order"], money["ticket"]
    urls = [reverse("promising:order", kwargs={"number": number}), f"/api/v1/orders/{number}"]
    if role != "warehouse":
        urls += [reverse("servicedesk:ticket", kwargs={"pk": ticket}), f"/api/v1/tickets/{ticket}"]
    return urls


@pytest.mark.parametrize("role", NOT_MANAGERS)
def test_no_cost_margin_profit_or_clv_for(client, make_user, money, role):
    user = make_user(role)
    client.force_login(user)
    client.cookies["django_language"] = "en"
    urls = _page_urls(role, money["data"]) + _api_urls(role, money["data"])
    urls += _export_urls(user) + _sale_urls(role, money)

    texts = _walk(client, urls)

    assert len(texts) > 20
    # the sale itself is in what was walked: its price may be seen, its cost may not
    assert any(price in text for text in texts.values() for price in _variants(PRICE))
    assert _leaks(texts, money["markers"]) == []


def test_a_manager_sees_them_on_the_same_walk(client, make_user, money):
    user = make_user("manager")
    client.force_login(user)
    client.cookies["django_language"] = "en"
    urls = _page_urls("manager", money["data"]) + _api_urls("manager", money["data"])
    urls += _export_urls(user) + _sale_urls("manager", money)
    urls.append(reverse("customers:notebook", kwargs={"code": CUSTOMER}))

    texts = _walk(client, urls)

    seen = {marker for _url, marker in _leaks(texts, money["markers"])}
    for amount in (COST, REMEDY_COST, CLV, PER_ORDER):
        assert _variants(amount) & seen, amount
    assert {"CLV", "Cost-to-serve", "profit"} <= seen
