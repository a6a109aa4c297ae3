from decimal import Decimal

from django.urls import reverse

from kept.customers import actions
from kept.customers.models import Customer, Interaction


def test_list_searches_and_paginates(client_as, staff):
    Customer.objects.bulk_create(Customer(code=f"H{i:03}", name=f"家庭{i:03}") for i in range(60))
    Customer.objects.create(code="R1", name="金龙餐厅", alias="Golden Dragon")
    client = client_as(staff)
    first = client.get(reverse("customers:list"))
    assert "61 customers" in first.content.decode()
    assert "Page 1 of 2" in first.content.decode()
    found = client.get(reverse("customers:list"), {"q": "golden"}).content.decode()
    assert "金龙餐厅" in found and "家庭001" not in found


def test_list_partial_for_htmx(client_as, staff):
    Customer.objects.create(code="R1", name="金龙餐厅")
    response = client_as(staff).get(
        reverse("customers:list"), {"q": "金龙"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "金龙餐厅" in body and "<html" not in body


def test_list_query_count_is_bounded(client_as, staff, django_assert_max_num_queries):
    Customer.objects.bulk_create(
        Customer(code=f"H{i:03}", name=f"H{i}", owner=staff) for i in range(50)
    )
    client = client_as(staff)
    with django_assert_max_num_queries(12):
        client.get(reverse("customers:list"))


def test_notebook_shows_profile_contacts_timeline_and_empty_sections(client_as, staff):
    customer = actions.create_customer(
        {
            "code": "H1",
            "name": "王芳",
            "size": 4,
            "preferences": "米缸 15 kg",
            "preferred_days": [6],
        },
        actor=staff,
        tags=["老人家庭"],
    )
    actions.save_contact(customer, {"name": "王先生", "phone": "13800000000", "is_primary": True})
    actions.log_interaction(customer, "visit", "量了米缸", actor=staff)
    body = client_as(staff).get(reverse("customers:notebook", args=["H1"])).content.decode()
    for text in [
        "王芳",
        "米缸 15 kg",
        "王先生",
        "13800000000",
        "量了米缸",
        "老人家庭",
        "Sat",
        "4 people",
    ]:
        assert text in body, text
    for section in ["containers", "promises", "tickets", "satisfaction"]:
        assert f'id="{section}"' in body
    assert 'id="value"' not in body  # staff never see value


def test_manager_sees_value_section(client_as, manager):
    Customer.objects.create(code="H1", name="H")
    body = client_as(manager).get(reverse("customers:notebook", args=["H1"])).content.decode()
    assert 'id="value"' in body


def test_notebook_query_count_is_bounded(client_as, staff, django_assert_max_num_queries):
    customer = actions.create_customer({"code": "H1", "name": "H"}, actor=staff, tags=["a", "b"])
    for i in range(5):
        actions.save_contact(customer, {"name": f"c{i}"})
        actions.log_interaction(customer, "note", f"n{i}", actor=staff)
    from kept.servicedesk.actions import open_ticket

    for i in range(3):
        open_ticket(customer, subject=f"t{i}", actor=staff)
    client = client_as(staff)
    # profile, contacts, timeline, tags, permissions, session, promises (3), service (2),
    # containers (1), tickets (2, and 4 for their SLA: calendars with intervals and holidays,
    # status histories), surveys (1),
    # unread notifications (1): a fixed budget, whatever the number of rows
    with django_assert_max_num_queries(23):
        client.get(reverse("customers:notebook", args=["H1"]))


def test_log_interaction_with_htmx_returns_the_timeline(client_as, staff):
    Customer.objects.create(code="H1", name="H")
    response = client_as(staff).post(
        reverse("customers:log_interaction", args=["H1"]),
        {"kind": "call", "summary": "周六送两袋"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "周六送两袋" in response.content.decode()
    assert Interaction.objects.get().author == staff


def test_create_customer_form_validates_and_saves(client_as, staff):
    client = client_as(staff)
    bad = client.post(reverse("customers:create"), {"code": "bad code", "name": ""})
    assert bad.status_code == 200
    assert not Customer.objects.exists()
    good = client.post(
        reverse("customers:create"),
        {
            "code": "H9",
            "name": "新客户",
            "kind": "external",
            "customer_type": "end_consumer",
            "language": "zh-hans",
            "size_unit": "people",
            "payment_terms_days": "0",
            "preferred_days": ["1", "3"],
            "tags_text": "VIP，新、老客户",
        },
    )
    assert good.status_code == 302
    customer = Customer.objects.get(code="H9")
    assert customer.preferred_days == [1, 3] and customer.owner == staff
    assert sorted(t.name for t in customer.tags.all()) == ["VIP", "新", "老客户"]


def test_staff_form_cannot_change_credit(client_as, staff):
    Customer.objects.create(code="H1", name="H", credit_limit=Decimal("100"))
    response = client_as(staff).post(
        reverse("customers:edit", args=["H1"]),
        {
            "name": "H2",
            "kind": "external",
            "customer_type": "end_consumer",
            "language": "zh-hans",
            "size_unit": "people",
            "payment_terms_days": "0",
            "credit_limit": "999999",
        },
    )
    assert response.status_code == 302
    customer = Customer.objects.get(code="H1")
    assert customer.name == "H2" and customer.credit_limit == Decimal("100")


def test_manager_blocks_with_reason(client_as, manager):
    Customer.objects.create(code="H1", name="H")
    client = client_as(manager)
    form = {
        "name": "H",
        "kind": "external",
        "customer_type": "end_consumer",
        "language": "zh-hans",
        "size_unit": "people",
        "payment_terms_days": "0",
        "is_blocked": "on",
    }
    refused = client.post(reverse("customers:edit", args=["H1"]), form)
    assert refused.status_code == 200 and "Give the reason" in refused.content.decode()
    client.post(reverse("customers:edit", args=["H1"]), {**form, "blocked_reason": "三张发票逾期"})
    assert Customer.objects.get(code="H1").blocked_reason == "三张发票逾期"
