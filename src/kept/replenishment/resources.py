"""Import and export columns of subscriptions (django-import-export, via
``kept.core.transfer``): one row per customer and product (the key), the product by SKU,
preferred days as numbers 1 (Monday) to 7 (Sunday). Rows go through
``kept.replenishment.actions.save_subscription``, so an import obeys the page's rules.
A file is all or nothing."""

from __future__ import annotations

from kept.catalog.models import Product
from kept.core.transfer.resource import KeptResource, column
from kept.core.transfer.widgets import (
    BooleanWidget,
    ChoiceWidget,
    DecimalWidget,
    IntegerWidget,
    LookupWidget,
    TextWidget,
    WeekdaysWidget,
)
from kept.customers.choices import Weekday
from kept.customers.models import Customer
from kept.replenishment import actions
from kept.replenishment.choices import FillPolicy, Window
from kept.replenishment.models import Subscription


class SubscriptionResource(KeptResource):
    customer = column("customer", LookupWidget(Customer, "code"))
    product = column("product", LookupWidget(Product, "sku"))
    capacity = column("capacity", DecimalWidget())
    people = column("people", IntegerWidget(), default=1)
    fill_policy = column("fill_policy", ChoiceWidget(FillPolicy), default=FillPolicy.TO_CAPACITY)
    fixed_quantity = column("fixed_quantity", DecimalWidget())
    preferred_days = column("preferred_days", WeekdaysWidget(Weekday))
    window = column("window", ChoiceWidget(Window), default=Window.ANY)
    is_active = column("is_active", BooleanWidget(), default=True)
    note = column("note", TextWidget())

    action_validates = True

    class Meta:
        model = Subscription
        fields = (
            "customer", "product", "capacity", "people", "fill_policy", "fixed_quantity",
            "preferred_days", "window", "is_active", "note",
        )  # fmt: skip
        export_order = fields
        import_id_fields = ("customer", "product")

    def get_export_queryset(self):
        return Subscription.objects.select_related("customer", "product").order_by(
            "customer__code", "product__sku"
        )

    def do_instance_save(self, instance, is_create):
        values = {name: getattr(instance, name) for name in actions.FIELDS}
        saved = actions.save_subscription(
            instance.customer,
            values,
            subscription=None if is_create else instance,
            actor=self.actor,
        )
        instance.pk = saved.pk
