"""Admin for receivables: to look, not to write. Invoices and payments are issued and recorded
on the receivables pages (or the API, or an import), where allocation rules and the audit
log apply; here nothing is added, changed or deleted."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kept.receivables.choices import InvoiceStatus
from kept.receivables.models import Allocation, Invoice, Payment, cents


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AllocationInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Allocation
    fields = ["payment", "invoice", "amount", "created_at", "created_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class InvoiceAllocationInline(AllocationInline):
    fk_name = "invoice"


class PaymentAllocationInline(AllocationInline):
    fk_name = "payment"


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "number",
        "customer",
        "issue_date",
        "due_date",
        "amount",
        "open_amount",
        "status",
    ]
    list_filter = ["issue_date", "due_date"]
    search_fields = ["number", "customer__code", "customer__name", "order_number"]
    list_select_related = ["customer"]
    date_hierarchy = "issue_date"
    inlines = [InvoiceAllocationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_status(timezone.localdate())

    @admin.display(description=_("open"), ordering="open_amount")
    def open_amount(self, invoice):
        return cents(invoice.open_amount)

    @admin.display(description=_("status"), ordering="status")
    def status(self, invoice):
        return InvoiceStatus(invoice.status).label


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "customer",
        "received_on",
        "amount",
        "method",
        "reference",
        "unallocated_amount",
    ]
    list_filter = ["method", "received_on"]
    search_fields = ["customer__code", "customer__name", "reference"]
    list_select_related = ["customer"]
    date_hierarchy = "received_on"
    inlines = [PaymentAllocationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_amounts()

    @admin.display(description=_("not yet allocated"), ordering="unallocated_amount")
    def unallocated_amount(self, payment):
        return cents(payment.unallocated_amount)
