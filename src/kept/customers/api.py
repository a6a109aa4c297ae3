"""/api/v1/customers — the notebook over REST, keyed by customer code."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field as SchemaField
from ninja import Query, Router, Schema, Status

from kept.core.api_support import ERRORS, ApiError, needs
from kept.customers import actions, queries
from kept.customers.choices import CustomerKind
from kept.customers.models import Contact, Customer, CustomerGroup, Region
from kept.customers.schemas import (
    ContactIn,
    ContactOut,
    CustomerIn,
    CustomerOut,
    CustomerPage,
    CustomerPatch,
    CustomerUpdate,
    InteractionIn,
    InteractionOut,
    InteractionPage,
)

router = Router(tags=["customers"])
REFERENCES = {"group": (CustomerGroup, "code"), "region": (Region, "code")}


class CustomerQuery(Schema):
    q: str = SchemaField("", max_length=100, description="Name, other name, code or phone.")
    group: str = SchemaField("", max_length=32)
    region: str = SchemaField("", max_length=32)
    owner: str = SchemaField("", max_length=150, description="Owner's username.")
    kind: CustomerKind | None = None
    tag: str = SchemaField("", max_length=50)
    include_archived: bool = False
    limit: int = SchemaField(50, ge=1, le=500)
    offset: int = SchemaField(0, ge=0, le=10_000_000)


def _resolve(values: dict) -> dict:
    """Turn group/region codes and the owner's username into objects, with a clear 422."""
    resolved = dict(values)
    for name, (model, key) in REFERENCES.items():
        if resolved.get(name):
            found = model.objects.filter(**{key: resolved[name]}).first()
            if found is None:
                raise ValidationError(
                    {
                        name: _("No %(what)s with code %(code)s.")
                        % {"what": model._meta.verbose_name, "code": resolved[name]}
                    }
                )
            resolved[name] = found
        elif name in resolved:
            resolved[name] = None
    if resolved.get("owner"):
        owner = get_user_model().objects.filter(username=resolved["owner"], is_active=True).first()
        if owner is None:
            raise ValidationError(
                {"owner": _("No user named %(name)s.") % {"name": resolved["owner"]}}
            )
        resolved["owner"] = owner
    elif "owner" in resolved:
        resolved["owner"] = None
    return resolved


def _customer(code: str) -> Customer:
    return get_object_or_404(
        Customer.objects.select_related("group", "region", "owner").prefetch_related("tags"),
        code=code,
    )


@router.get("", response={200: CustomerPage, **ERRORS}, auth=needs("customers.view_customer"))
def list_customers(request: HttpRequest, query: Query[CustomerQuery]):
    owner_id = None
    if query.owner:
        owner_id = (
            get_user_model()
            .objects.filter(username=query.owner)
            .values_list("pk", flat=True)
            .first()
            or -1
        )
    filters = queries.CustomerFilters(
        text=query.q,
        group=query.group,
        region=query.region,
        owner=owner_id,
        kind=query.kind or "",
        tag=query.tag,
        include_archived=query.include_archived,
    )
    customers = queries.filter_customers(filters).prefetch_related("tags")
    items = customers[query.offset : query.offset + query.limit]
    return {"count": customers.count(), "items": list(items)}


@router.post("", response={201: CustomerOut, **ERRORS}, auth=needs("customers.add_customer"))
def create_customer(request: HttpRequest, payload: CustomerIn):
    if Customer.objects.filter(code=payload.code).exists():
        raise ApiError(
            409,
            "duplicate",
            _("A customer with code %(code)s already exists.") % {"code": payload.code},
        )
    data = _resolve(payload.dict(exclude={"tags"}))
    customer = actions.create_customer(data, actor=request.user, tags=payload.tags)
    return Status(201, _customer(customer.code))


@router.get("/{code}", response={200: CustomerOut, **ERRORS}, auth=needs("customers.view_customer"))
def get_customer(request: HttpRequest, code: str):
    return _customer(code)


def _update(request: HttpRequest, code: str, values: dict, reason: str, tags):
    customer = _customer(code)
    actions.update_customer(
        customer, _resolve(values), actor=request.user, reason=reason, tags=tags
    )
    return _customer(code)


@router.put(
    "/{code}", response={200: CustomerOut, **ERRORS}, auth=needs("customers.change_customer")
)
def replace_customer(request: HttpRequest, code: str, payload: CustomerUpdate):
    values = payload.dict(exclude={"tags", "reason"})
    return _update(request, code, values, payload.reason, payload.tags)


@router.patch(
    "/{code}", response={200: CustomerOut, **ERRORS}, auth=needs("customers.change_customer")
)
def patch_customer(request: HttpRequest, code: str, payload: CustomerPatch):
    values = payload.dict(exclude_unset=True, exclude={"tags", "reason"})
    if values.get("preferred_days", []) is None:
        values["preferred_days"] = []
    return _update(request, code, values, payload.reason, payload.tags)


@router.delete("/{code}", response={204: None, **ERRORS}, auth=needs("customers.delete_customer"))
def archive_customer(request: HttpRequest, code: str):
    """Archive the customer: history is kept, the customer leaves the lists."""
    actions.archive_customer(_customer(code), actor=request.user)
    return Status(204, None)


@router.get(
    "/{code}/contacts",
    response={200: list[ContactOut], **ERRORS},
    auth=needs("customers.view_contact"),
)
def list_contacts(request: HttpRequest, code: str):
    return list(_customer(code).contacts.all())


@router.post(
    "/{code}/contacts", response={201: ContactOut, **ERRORS}, auth=needs("customers.add_contact")
)
def add_contact(request: HttpRequest, code: str, payload: ContactIn):
    return Status(201, actions.save_contact(_customer(code), payload.dict()))


@router.put(
    "/{code}/contacts/{contact_id}",
    response={200: ContactOut, **ERRORS},
    auth=needs("customers.change_contact"),
)
def update_contact(request: HttpRequest, code: str, contact_id: int, payload: ContactIn):
    customer = _customer(code)
    contact = get_object_or_404(Contact, pk=contact_id, customer=customer)
    return actions.save_contact(customer, payload.dict(), contact=contact)


@router.delete(
    "/{code}/contacts/{contact_id}",
    response={204: None, **ERRORS},
    auth=needs("customers.delete_contact"),
)
def delete_contact(request: HttpRequest, code: str, contact_id: int):
    contact = get_object_or_404(Contact, pk=contact_id, customer__code=code)
    actions.delete_contact(contact, actor=request.user)
    return Status(204, None)


class PageQuery(Schema):
    limit: int = SchemaField(50, ge=1, le=500)
    offset: int = SchemaField(0, ge=0, le=10_000_000)


@router.get(
    "/{code}/interactions",
    response={200: InteractionPage, **ERRORS},
    auth=needs("customers.view_interaction"),
)
def list_interactions(request: HttpRequest, code: str, page: Query[PageQuery]):
    entries = _customer(code).interactions.select_related("author").order_by("-occurred_at", "-id")
    return {
        "count": entries.count(),
        "items": list(entries[page.offset : page.offset + page.limit]),
    }


@router.post(
    "/{code}/interactions",
    response={201: InteractionOut, **ERRORS},
    auth=needs("customers.add_interaction"),
)
def log_interaction(request: HttpRequest, code: str, payload: InteractionIn):
    interaction = actions.log_interaction(
        _customer(code),
        payload.kind,
        payload.summary,
        actor=request.user,
        occurred_at=payload.occurred_at,
    )
    return Status(201, interaction)
