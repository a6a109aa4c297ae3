"""Reads for the customer list and the notebook page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from kept.customers.models import Contact, Customer, CustomerGroup, Interaction, Region

PAGE_SIZE = 50
TIMELINE_SIZE = 30


@dataclass(frozen=True)
class CustomerFilters:
    text: str = ""
    group: str = ""
    region: str = ""
    owner: int | None = None
    kind: str = ""
    tag: str = ""
    include_archived: bool = False


def filter_customers(filters: CustomerFilters) -> QuerySet[Customer]:
    customers = Customer.objects.all() if filters.include_archived else Customer.objects.active()
    if filters.text:
        customers = customers.search(filters.text)
    if filters.group:
        customers = customers.filter(group__code=filters.group)
    if filters.region:
        customers = customers.filter(region__code=filters.region)
    if filters.owner:
        customers = customers.filter(owner_id=filters.owner)
    if filters.kind:
        customers = customers.filter(kind=filters.kind)
    if filters.tag:
        customers = customers.filter(tags__name=filters.tag)
    return customers.select_related("group", "region", "owner").order_by("name", "code")


def customer_page(filters: CustomerFilters, page_number) -> Page:
    return Paginator(filter_customers(filters), PAGE_SIZE).get_page(page_number)


@dataclass(frozen=True)
class FilterChoices:
    groups: list = field(default_factory=list)
    regions: list = field(default_factory=list)
    owners: list = field(default_factory=list)


def filter_choices() -> FilterChoices:
    # EXISTS per user (a probe of the owner index each), not a join of every customer
    owners = (
        get_user_model()
        .objects.filter(Exists(Customer.objects.filter(owner=OuterRef("pk"))))
        .order_by("username")
    )
    return FilterChoices(
        groups=list(CustomerGroup.objects.order_by("name")),
        regions=list(Region.objects.order_by("name")),
        owners=list(owners),
    )


@dataclass(frozen=True)
class Notebook:
    customer: Customer
    contacts: list[Contact]
    timeline: list[Interaction]
    timeline_has_more: bool


def get_customer(code: str) -> Customer:
    return (
        Customer.objects.select_related("group", "region", "owner")
        .prefetch_related("tags")
        .get(code=code)
    )


def timeline(customer: Customer, offset: int = 0, limit: int = TIMELINE_SIZE) -> list[Interaction]:
    """One page of the timeline, newest first, plus one extra entry to tell if more exist."""
    entries = customer.interactions.select_related("author").order_by("-occurred_at", "-id")
    return list(entries[offset : offset + limit + 1])


def notebook(code: str) -> Notebook:
    customer = (
        Customer.objects.select_related("group", "region", "owner")
        .prefetch_related(
            "tags", Prefetch("contacts", queryset=Contact.objects.order_by("-is_primary", "name"))
        )
        .get(code=code)
    )
    entries = timeline(customer)
    return Notebook(
        customer=customer,
        contacts=list(customer.contacts.all()),
        timeline=entries[:TIMELINE_SIZE],
        timeline_has_more=len(entries) > TIMELINE_SIZE,
    )


def email_of(customer: Customer) -> str:
    """Where mail to the customer goes: their own address, else the first contact's that has
    one (the primary contact first)."""
    if customer.email:
        return customer.email
    found = customer.contacts.exclude(email="").values_list("email", flat=True)
    return found.first() or ""
