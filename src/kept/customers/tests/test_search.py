from kept.customers import actions, queries
from kept.customers.models import Customer, CustomerGroup, Region


def make(code, name, **extra):
    return Customer.objects.create(code=code, name=name, **extra)


def codes(**filters):
    return sorted(c.code for c in queries.filter_customers(queries.CustomerFilters(**filters)))


def test_search_by_chinese_and_english_name_code_and_phone(db):
    make("H001", "张伟", alias="Zhang Wei", phone="13800138000")
    make("R002", "Golden Dragon 金龙餐厅", phone="021-5555")
    other = make("H003", "李娜")
    actions.save_contact(other, {"name": "小李", "phone": "13912345678"})
    assert codes(text="张") == ["H001"]
    assert codes(text="zhang") == ["H001"]
    assert codes(text="金龙") == ["R002"]
    assert codes(text="golden") == ["R002"]
    assert codes(text="r002") == ["R002"]
    assert codes(text="1380013") == ["H001"]
    assert codes(text="13912345678") == ["H003"]
    assert codes(text="小李") == ["H003"]
    assert codes(text="nobody") == []


def test_search_with_two_matching_contacts_lists_the_customer_once(db):
    customer = make("H1", "王")
    actions.save_contact(customer, {"name": "王一", "phone": "1"})
    actions.save_contact(customer, {"name": "王二", "phone": "2"})
    assert codes(text="王") == ["H1"]


def test_filters_combine(db, staff):
    homes = CustomerGroup.objects.create(code="HOME", name="Households")
    north = Region.objects.create(code="N", name="North")
    make("A", "A", group=homes, region=north, owner=staff)
    make("B", "B", group=homes)
    make("C", "C", kind="internal", region=north)
    make("D", "D", is_active=False, group=homes)
    assert codes(group="HOME") == ["A", "B"]
    assert codes(group="HOME", region="N") == ["A"]
    assert codes(owner=staff.pk) == ["A"]
    assert codes(kind="internal") == ["C"]
    assert codes(group="HOME", include_archived=True) == ["A", "B", "D"]
