"""/api/v1/invoices, /payments, /receivables/ageing and /customers/{code}/credit."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from kept.core.api_support import ERRORS, ApiError, needs
from kept.customers.models import Customer
from kept.receivables import actions, queries
from kept.receivables.choices import Allocate
from kept.receivables.models import Invoice
from kept.receivables.schemas import (
    AgeingOut,
    AgeingQuery,
    CreditOut,
    InvoiceDetailOut,
    InvoiceIn,
    InvoiceOut,
    InvoicePage,
    InvoiceQuery,
    PaymentDetailOut,
    PaymentIn,
    PaymentPage,
    PaymentQuery,
)

router = Router(tags=["receivables"])
PAYMENT_ID = Path(..., ge=1, le=2**63 - 1)
VIEW_INVOICE, VIEW_PAYMENT = "receivables.view_invoice", "receivables.view_payment"
ADD_ALLOCATION = "receivables.add_allocation"


def _page(queryset, page) -> dict:
    return {
        "count": queryset.count(),
        "items": list(queryset[page.offset : page.offset + page.limit]),
    }


def _referenced_customer(code: str) -> Customer:
    """A customer named in a request body: unknown is invalid input (422), not a missing page."""
    customer = Customer.objects.filter(code=code).first()
    if customer is None:
        raise ValidationError({"customer": _("No customer with code %(code)s.") % {"code": code}})
    return customer


def _invoice(number: str):
    invoice = get_object_or_404(queries.invoice_by_number(number))
    invoice.allocation_list = list(queries.invoice_allocations(invoice))
    return invoice


def _payment(payment_id: int):
    payment = get_object_or_404(queries.payment_list().filter(pk=payment_id))
    payment.allocation_list = list(queries.payment_allocations(payment))
    return payment


def _over_allocation(error: actions.OverAllocation) -> ApiError:
    return ApiError(422, "over_allocation", " ".join(error.messages), error.figures)


# Invoices ---------------------------------------------------------------------------------


@router.get("/invoices", response={200: InvoicePage, **ERRORS}, auth=needs(VIEW_INVOICE))
def list_invoices(request: HttpRequest, query: Query[InvoiceQuery]):
    """Invoices, newest issued first, with paid and open amounts and the derived status."""
    filters = queries.InvoiceFilters(
        query.customer, query.status or "", query.date_from, query.date_to
    )
    return _page(queries.invoice_list(filters), query)


@router.post(
    "/invoices", response={201: InvoiceOut, **ERRORS}, auth=needs("receivables.add_invoice")
)
def issue_invoice(request: HttpRequest, payload: InvoiceIn):
    if payload.number and Invoice.objects.filter(number=payload.number).exists():
        raise ApiError(
            409, "duplicate", _("Invoice %(number)s already exists.") % {"number": payload.number}
        )
    invoice = actions.issue_invoice(
        _referenced_customer(payload.customer),
        payload.amount,
        payload.issue_date or timezone.localdate(),
        number=payload.number,
        due_date=payload.due_date,
        order_number=payload.order_number,
        note=payload.note,
        actor=request.user,
    )
    return Status(201, _invoice(invoice.number))


@router.get(
    "/invoices/{number}", response={200: InvoiceDetailOut, **ERRORS}, auth=needs(VIEW_INVOICE)
)
def get_invoice(request: HttpRequest, number: str):
    """The invoice with the payments allocated to it."""
    return _invoice(number)


# Payments ---------------------------------------------------------------------------------


@router.get("/payments", response={200: PaymentPage, **ERRORS}, auth=needs(VIEW_PAYMENT))
def list_payments(request: HttpRequest, query: Query[PaymentQuery]):
    filters = queries.PaymentFilters(
        query.customer, query.method or "", query.date_from, query.date_to
    )
    return _page(queries.payment_list(filters), query)


@router.post(
    "/payments", response={201: PaymentDetailOut, **ERRORS}, auth=needs("receivables.add_payment")
)
def record_payment(request: HttpRequest, payload: PaymentIn):
    """Record a payment and allocate it: oldest due invoices first unless `allocations` name
    the invoices, or `"allocate": "none"` keeps it all as credit."""
    customer = _referenced_customer(payload.customer)
    allocate = _allocation_choice(payload, customer)
    if allocate is not None and not request.user.has_perm(ADD_ALLOCATION):
        raise PermissionDenied
    try:
        payment = actions.record_payment(
            customer,
            payload.amount,
            payload.received_on or timezone.localdate(),
            method=payload.method,
            reference=payload.reference,
            allocate=allocate,
            actor=request.user,
        )
    except actions.OverAllocation as error:
        raise _over_allocation(error) from error
    return Status(201, _payment(payment.pk))


def _allocation_choice(payload: PaymentIn, customer: Customer):
    if payload.allocations is None:
        return None if payload.allocate == Allocate.NONE else Allocate.OLDEST
    if payload.allocate is not None:
        raise ValidationError({"allocate": _("Give either allocate or allocations, not both.")})
    numbers = [line.invoice for line in payload.allocations]
    if len(set(numbers)) != len(numbers):
        raise ValidationError({"allocations": _("Each invoice may appear only once.")})
    invoices = {i.number: i for i in Invoice.objects.filter(customer=customer, number__in=numbers)}
    unknown = [number for number in numbers if number not in invoices]
    if unknown:
        raise ValidationError(
            {
                "allocations": _("%(customer)s has no invoice %(numbers)s.")
                % {"customer": customer.code, "numbers": ", ".join(unknown)}
            }
        )
    return {invoices[line.invoice]: line.amount for line in payload.allocations} or None


@router.get(
    "/payments/{payment_id}", response={200: PaymentDetailOut, **ERRORS}, auth=needs(VIEW_PAYMENT)
)
def get_payment(request: HttpRequest, payment_id: int = PAYMENT_ID):
    """The payment with the invoices it was allocated to."""
    return _payment(payment_id)


# Reports ----------------------------------------------------------------------------------


def _owner_id(username: str) -> int | None:
    username = username.replace("\x00", "").strip()
    if not username:
        return None
    found = get_user_model().objects.filter(username=username).values_list("pk", flat=True)
    return found.first() or -1  # an unknown owner owns nothing


@router.get("/receivables/ageing", response={200: AgeingOut, **ERRORS}, auth=needs(VIEW_INVOICE))
def ageing_report(request: HttpRequest, query: Query[AgeingQuery]):
    """Open amounts per customer in the ageing buckets (largest total first), the totals,
    and DSO over the last 90 days, as of today's business date."""
    today, owner = timezone.localdate(), _owner_id(query.owner)
    rows = queries.ageing_rows(today, query.group, owner)
    page = rows[query.offset : query.offset + query.limit]
    return {
        "as_of": today,
        "totals": queries.ageing_totals(today, query.group, owner),
        "dso": queries.dso(today, group=query.group, owner=owner),
        "count": rows.count(),
        "items": [queries.ageing_row(values, today) for values in page],
    }


@router.get(
    "/customers/{code}/credit",
    response={200: CreditOut, **ERRORS},
    auth=needs(VIEW_INVOICE, VIEW_PAYMENT),
)
def customer_credit(request: HttpRequest, code: str):
    """What the customer owes, how much is overdue and for how long, and their credit."""
    if "\x00" in code:
        raise Http404
    customer = get_object_or_404(Customer, code=code)
    today = timezone.localdate()
    position = queries.credit_position(customer, today)
    return {
        "customer": customer.code,
        "as_of": today,
        "credit_limit": customer.credit_limit,
        **vars(position),
    }
