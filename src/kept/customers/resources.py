"""Import and export columns of customers and contacts (django-import-export resources).

Column names are the model field names; references are by code (group, region,
customer), the owner by username, tags by name separated by commas, preferred
days as numbers 1 (Monday) to 7 (Sunday). Used through ``kept.core.transfer``.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kept.core.transfer.resource import KeptResource, column, has_permission
from kept.core.transfer.widgets import (
    BooleanWidget,
    ChoiceWidget,
    DecimalWidget,
    IntegerWidget,
    LookupWidget,
    NameListWidget,
    TextWidget,
    TimeWidget,
    WeekdaysWidget,
)
from kept.customers import actions
from kept.customers.choices import CustomerKind, CustomerType, Language, SizeUnit, Weekday
from kept.customers.models import Contact, Customer, CustomerGroup, Region, Tag


class CustomerResource(KeptResource):
    code = column("code", TextWidget())
    name = column("name", TextWidget())
    alias = column("alias", TextWidget())
    kind = column("kind", ChoiceWidget(CustomerKind), default=CustomerKind.EXTERNAL)
    customer_type = column(
        "customer_type", ChoiceWidget(CustomerType), default=CustomerType.END_CONSUMER
    )
    group = column("group", LookupWidget(CustomerGroup, "code"))
    owner = column("owner", LookupWidget(get_user_model(), "username"))
    phone = column("phone", TextWidget())
    email = column("email", TextWidget())
    language = column("language", ChoiceWidget(Language), default=Language.ZH_HANS)
    address = column("address", TextWidget())
    region = column("region", LookupWidget(Region, "code"))
    route = column("route", TextWidget())
    size = column("size", IntegerWidget())
    size_unit = column("size_unit", ChoiceWidget(SizeUnit), default=SizeUnit.PEOPLE)
    preferences = column("preferences", TextWidget())
    tags = column("tags", NameListWidget(Tag))
    preferred_days = column("preferred_days", WeekdaysWidget(Weekday))
    window_start = column("window_start", TimeWidget())
    window_end = column("window_end", TimeWidget())
    credit_limit = column("credit_limit", DecimalWidget())
    payment_terms_days = column("payment_terms_days", IntegerWidget(), default=0)
    is_blocked = column("is_blocked", BooleanWidget(), default=False)
    blocked_reason = column("blocked_reason", TextWidget())
    is_active = column("is_active", BooleanWidget(), readonly=True)

    # Archiving is its own action (archive_customer), not a column to overwrite.
    readonly_columns = ("is_active",)

    action_validates = True

    class Meta:
        model = Customer
        fields = (
            "code", "name", "alias", "kind", "customer_type", "group", "owner", "phone",
            "email", "language", "address", "region", "route", "size", "size_unit",
            "preferences", "tags", "preferred_days", "window_start", "window_end",
            "credit_limit", "payment_terms_days", "is_blocked", "blocked_reason", "is_active",
        )  # fmt: skip
        export_order = fields
        import_id_fields = ("code",)

    def __init__(self, *, actor=None):
        super().__init__(actor=actor)
        self.fields["tags"].widget.create_missing = has_permission(actor, "customers.add_tag")
        self.may_manage_credit = has_permission(actor, "customers.manage_credit")

    def get_export_queryset(self):
        return (
            Customer.objects.select_related("group", "owner", "region")
            .prefetch_related("tags")
            .order_by("code")
        )

    def import_instance(self, instance, row, **kwargs):
        before = {name: getattr(instance, name) for name in actions.CREDIT_FIELDS}
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "tags" in row:
            # Tags are written after the customer is saved; check them now, with the rest.
            try:
                self.fields["tags"].widget.names(row["tags"])
            except ValueError as error:
                errors["tags"] = [ValidationError(str(error))]
        errors.update(self._credit_errors(instance, before, skip=errors))
        if errors:
            raise ValidationError(errors)

    def _credit_errors(self, instance, before: dict, *, skip) -> dict:
        if self.may_manage_credit:
            return {}
        return {
            name: [ValidationError(_("Only a manager may change this."))]
            for name in actions.CREDIT_FIELDS
            if name not in skip and getattr(instance, name) != before[name]
        }

    def save_instance(self, instance, is_create, row, **kwargs):
        tags = self.fields["tags"].widget.names(row["tags"]) if "tags" in row else None
        data = {name: getattr(instance, name) for name in actions.EDITABLE_FIELDS}
        if is_create:
            data["code"] = instance.code
            saved = actions.create_customer(data, actor=self.actor, tags=tags)
            instance.pk, instance.owner = saved.pk, saved.owner
        else:
            actions.update_customer(instance, data, actor=self.actor, tags=tags, reason=_("Import"))

    def save_m2m(self, instance, row, **kwargs):
        pass  # tags are set by the customer actions in save_instance


class ContactResource(KeptResource):
    customer = column("customer", LookupWidget(Customer, "code"))
    name = column("name", TextWidget())
    role = column("role", TextWidget())
    phone = column("phone", TextWidget())
    email = column("email", TextWidget())
    is_primary = column("is_primary", BooleanWidget(), default=False)
    notes = column("notes", TextWidget())

    action_validates = True

    class Meta:
        model = Contact
        fields = ("customer", "name", "role", "phone", "email", "is_primary", "notes")
        export_order = fields
        import_id_fields = ("customer", "name")

    def get_export_queryset(self):
        return Contact.objects.select_related("customer").order_by("customer__code", "name", "id")

    def do_instance_save(self, instance, is_create):
        # save_contact keeps at most one primary contact per customer.
        actions.save_contact(instance.customer, {}, contact=instance)
