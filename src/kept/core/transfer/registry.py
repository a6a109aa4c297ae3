"""Which entities can be imported and exported, and who may do it.

Entities that are updated by their key (customers, contacts, products) need the
model's add and change permissions to import; entities that are only ever appended
(stock movements) need add; receipts need add and change because a row may cancel
one. Exporting needs the view permission.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kept.catalog.resources import ProductResource, ReceiptResource, StockMovementResource
from kept.core.transfer.resource import KeptResource
from kept.customers.resources import ContactResource, CustomerResource
from kept.fulfilment.resources import DeliveryResource
from kept.pipeline.resources import LeadResource
from kept.receivables.resources import InvoiceResource, PaymentResource
from kept.replenishment.resources import SubscriptionResource
from kept.servicedesk.resources import TicketResource


@dataclass(frozen=True)
class Entity:
    name: str
    label: Promise
    resource: type[KeptResource]
    #: Columns that identify a record; an empty tuple means every row creates one.
    key: tuple[str, ...]
    #: Columns a file must have.
    required: tuple[str, ...]
    import_permissions: tuple[str, ...]
    export_permissions: tuple[str, ...]

    @property
    def model(self):
        return self.resource._meta.model

    def may_import(self, user) -> bool:
        return user is None or user.has_perms(self.import_permissions)

    def may_export(self, user) -> bool:
        return user is None or user.has_perms(self.export_permissions)


ENTITIES: dict[str, Entity] = {
    entity.name: entity
    for entity in (
        Entity(
            "customers",
            gettext_lazy("Customers"),
            CustomerResource,
            key=("code",),
            required=("code", "name"),
            import_permissions=("customers.add_customer", "customers.change_customer"),
            export_permissions=("customers.view_customer",),
        ),
        Entity(
            "contacts",
            gettext_lazy("Contacts"),
            ContactResource,
            key=("customer", "name"),
            required=("customer", "name"),
            import_permissions=("customers.add_contact", "customers.change_contact"),
            export_permissions=("customers.view_contact",),
        ),
        Entity(
            "products",
            gettext_lazy("Products"),
            ProductResource,
            key=("sku",),
            required=("sku", "name", "unit", "price", "cost"),
            import_permissions=("catalog.add_product", "catalog.change_product"),
            export_permissions=("catalog.view_product",),
        ),
        Entity(
            "stock_movements",
            gettext_lazy("Stock movements"),
            StockMovementResource,
            key=(),
            required=("product", "quantity", "reason"),
            import_permissions=("catalog.add_stockmovement",),
            export_permissions=("catalog.view_stockmovement",),
        ),
        Entity(
            "receipts",
            gettext_lazy("Receipts"),
            ReceiptResource,
            key=(),
            required=("product", "quantity", "expected_date"),
            import_permissions=("catalog.add_receipt", "catalog.change_receipt"),
            export_permissions=("catalog.view_receipt",),
        ),
        Entity(
            "invoices",
            gettext_lazy("Invoices"),
            InvoiceResource,
            key=(),
            required=("customer", "issue_date", "amount"),
            import_permissions=("receivables.add_invoice", "receivables.view_invoice"),
            export_permissions=("receivables.view_invoice",),
        ),
        Entity(
            "payments",
            gettext_lazy("Payments"),
            PaymentResource,
            key=(),
            required=("customer", "received_on", "amount", "method"),
            import_permissions=("receivables.add_payment", "receivables.view_payment"),
            export_permissions=("receivables.view_payment",),
        ),
        Entity(
            "deliveries",
            gettext_lazy("Deliveries"),
            DeliveryResource,
            key=(),
            required=("line", "quantity"),
            import_permissions=("fulfilment.add_delivery", "fulfilment.view_delivery"),
            export_permissions=("fulfilment.view_delivery",),
        ),
        Entity(
            "subscriptions",
            gettext_lazy("Subscriptions (containers)"),
            SubscriptionResource,
            key=("customer", "product"),
            required=("customer", "product", "capacity"),
            import_permissions=(
                "replenishment.add_subscription",
                "replenishment.change_subscription",
            ),
            export_permissions=("replenishment.view_subscription",),
        ),
        Entity(
            "tickets",
            gettext_lazy("Tickets"),
            TicketResource,
            key=(),
            required=("customer", "subject"),
            import_permissions=("servicedesk.add_ticket", "servicedesk.view_ticket"),
            export_permissions=("servicedesk.view_ticket",),
        ),
        Entity(
            "leads",
            gettext_lazy("Leads"),
            LeadResource,
            key=(),
            required=("name",),
            import_permissions=("pipeline.add_lead", "pipeline.view_lead"),
            export_permissions=("pipeline.view_lead",),
        ),
    )
}


def get_entity(name: str) -> Entity:
    try:
        return ENTITIES[name]
    except KeyError:
        raise ValueError(
            _("Unknown kind of data %(name)s; choose one of %(names)s.")
            % {"name": name, "names": ", ".join(ENTITIES)}
        ) from None


def check_may_import(user, entity: Entity) -> None:
    if not entity.may_import(user):
        raise PermissionDenied(_("You may not import %(entity)s.") % {"entity": entity.label})


def check_may_export(user, entity: Entity) -> None:
    if not entity.may_export(user):
        raise PermissionDenied(_("You may not export %(entity)s.") % {"entity": entity.label})
