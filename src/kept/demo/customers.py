"""Customer groups, regions, tags, and fast bulk saving of drafted customers."""

from __future__ import annotations

from dataclasses import dataclass, field

from kept.customers.models import Contact, Customer, CustomerGroup, Region, Tag
from kept.demo.context import DemoContext
from kept.demo.places import DISTRICTS

BATCH = 500

# (code, name, description)
GROUPS = [
    ("household", "家庭 Households", "住户：按米缸大小和人口预测补货。"),
    ("restaurant", "餐厅 Restaurants", "餐饮客户：25 kg 大袋米和 20 L 桶装油，月结 30 天。"),
    ("institution", "食堂与机构 Canteens & institutions", "学校、医院、养老院、园区食堂。"),
    ("internal", "内部部门 Internal departments", "公司内部的下游部门，也是我们的客户。"),
]

# Chinese and English, as a real team would mix them.
TAGS = [
    "老人家庭",
    "有小孩",
    "素食",
    "VIP",
    "周末配送",
    "无电梯",
    "价格敏感",
    "需要发票",
    "清真",
    "New customer",
    "Referral",
    "Late payer",
    "Bulk buyer",
]


@dataclass
class Draft:
    """An unsaved customer with the tag names and unsaved contacts that go with it."""

    customer: Customer
    tags: list[str] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)


def create_reference_data(ctx: DemoContext) -> None:
    """Groups, one region per district, and the tags; stored on the context by code/name."""
    for code, name, description in GROUPS:
        ctx.groups[code] = CustomerGroup.objects.create(
            code=code, name=name, description=description
        )
    for district in DISTRICTS:
        ctx.regions[district.code] = Region.objects.create(code=district.code, name=district.name)
    Tag.objects.bulk_create([Tag(name=name) for name in TAGS])
    ctx.tags = {tag.name: tag for tag in Tag.objects.filter(name__in=TAGS)}


def save_drafts(ctx: DemoContext, drafts: list[Draft]) -> tuple[int, int]:
    """Bulk-insert customers, then their contacts and tags. Returns (customers, contacts)."""
    Customer.objects.bulk_create([draft.customer for draft in drafts], batch_size=BATCH)
    codes = [draft.customer.code for draft in drafts]
    ids = dict(Customer.objects.filter(code__in=codes).values_list("code", "pk"))
    contacts, links = [], []
    Link = Customer.tags.through
    for draft in drafts:
        customer_id = ids[draft.customer.code]
        for contact in draft.contacts:
            contact.customer_id = customer_id
            contacts.append(contact)
        links.extend(
            Link(customer_id=customer_id, tag_id=ctx.tags[name].pk)
            for name in dict.fromkeys(draft.tags)
        )
    Contact.objects.bulk_create(contacts, batch_size=BATCH)
    Link.objects.bulk_create(links, batch_size=BATCH)
    return len(drafts), len(contacts)
