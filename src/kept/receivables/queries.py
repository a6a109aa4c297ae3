"""Reads for receivables: credit positions, ageing, DSO and the lists. All sums are in SQL.

Open amounts come from ``Invoice.objects.with_amounts()`` (amount − Σ allocations, kept as
the running ``paid_amount``); reports group them per customer in the database, so their
cost does not grow with Python loops over invoices.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, F, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from kept.customers.models import Customer
from kept.receivables import ageing
from kept.receivables.choices import StatusFilter
from kept.receivables.models import (
    HALF_CENT,
    ZERO,
    Allocation,
    Invoice,
    Payment,
    cents,
    money,
)

DSO_DAYS = 90


def _clean(text: str) -> str:
    return (text or "").replace("\x00", "").strip()  # PostgreSQL refuses NUL in text


# Credit position --------------------------------------------------------------------------


@dataclass(frozen=True)
class CreditPosition:
    """What a customer owes and has paid ahead, on a business date.

    ``open_balance``: Σ open amounts of all unpaid invoices (overdue included);
    ``overdue_amount``: the part of it past its due date; ``oldest_overdue_days``: days
    since the due date of the oldest unpaid overdue invoice (0 when none is overdue);
    ``unallocated_credit``: Σ of payments not yet allocated to any invoice. The credit is
    not netted against the balance: ``open_balance − unallocated_credit`` is the net exposure.
    """

    open_balance: Decimal = ZERO
    overdue_amount: Decimal = ZERO
    oldest_overdue_days: int = 0
    unallocated_credit: Decimal = ZERO

    @property
    def net_exposure(self) -> Decimal:
        return self.open_balance - self.unallocated_credit


def credit_position(customer: Customer | int, today: date | None = None) -> CreditPosition:
    """The customer's position on ``today`` (default: today's business date). Two queries."""
    customer_id = customer if isinstance(customer, int) else customer.pk
    return credit_positions([customer_id], today)[customer_id]


def credit_positions(
    customers: Iterable[Customer | int] | QuerySet[Customer], today: date | None = None
) -> dict[int, CreditPosition]:
    """{customer id: CreditPosition} for many customers (zeros when clean) in two queries;
    three for a queryset of customers, which is used as a subquery (no long IN lists)."""
    today = today or timezone.localdate()
    if isinstance(customers, QuerySet):
        scope, ids = customers.values("pk"), list(customers.values_list("pk", flat=True))
    else:
        ids = [c if isinstance(c, int) else c.pk for c in customers]
        scope = ids
    credits = _credit_by_customer(scope)
    positions = {pk: CreditPosition(unallocated_credit=cents(credits.get(pk))) for pk in ids}
    for row in _balances_by_customer(scope, today):
        oldest = row["oldest_due"]
        positions[row["customer_id"]] = CreditPosition(
            open_balance=cents(row["open_balance"]),
            overdue_amount=cents(row["overdue_amount"]),
            oldest_overdue_days=ageing.days_overdue(oldest, today) if oldest else 0,
            unallocated_credit=cents(credits.get(row["customer_id"])),
        )
    return positions


def _balances_by_customer(scope, today: date) -> QuerySet:
    return (
        Invoice.objects.filter(customer_id__in=scope)
        .with_amounts()
        .unpaid()
        .order_by()
        .values("customer_id")
        .annotate(
            open_balance=Sum("open_amount"),
            overdue_amount=Sum("open_amount", filter=Q(due_date__lt=today), default=ZERO),
            oldest_due=Min("due_date", filter=Q(due_date__lt=today)),
        )
    )


def _credit_by_customer(scope) -> dict[int, Decimal]:
    return dict(
        Payment.objects.filter(customer_id__in=scope)
        .with_amounts()
        .with_credit()
        .order_by()
        .values("customer_id")
        .annotate(credit=Sum("unallocated_amount"))
        .values_list("customer_id", "credit")
    )


# Ageing -----------------------------------------------------------------------------------


def _due_in(bucket: ageing.Bucket, today: date) -> Q:
    """Invoices whose days overdue (today − due date) fall in the bucket, as dates."""
    condition = Q()
    if bucket.first_day is not None:
        condition &= Q(due_date__lte=today - timedelta(days=bucket.first_day))
    if bucket.last_day is not None:
        condition &= Q(due_date__gte=today - timedelta(days=bucket.last_day))
    return condition


def _bucket_sums(today: date) -> dict:
    sums = {
        b.key: Sum("open_amount", filter=_due_in(b, today), default=ZERO) for b in ageing.BUCKETS
    }
    return {**sums, "total": Sum("open_amount", default=ZERO)}


def _unpaid_invoices(group: str | None, owner: int | None) -> QuerySet[Invoice]:
    invoices = Invoice.objects.all()
    if group:
        invoices = invoices.filter(customer__group__code=_clean(group))
    if owner:
        invoices = invoices.filter(customer__owner_id=owner)
    return invoices.with_amounts().unpaid().order_by()


@dataclass(frozen=True)
class AgeingRow:
    """Open amounts of one customer (or of all, for the totals) per ageing bucket."""

    current: Decimal
    days_0_30: Decimal
    days_31_60: Decimal
    days_61_90: Decimal
    days_over_90: Decimal
    total: Decimal
    code: str = ""
    name: str = ""
    oldest_overdue_days: int = 0

    @property
    def amounts(self) -> list[Decimal]:
        """The bucket amounts in ``ageing.BUCKETS`` order."""
        return [getattr(self, b.key) for b in ageing.BUCKETS]

    @property
    def overdue(self) -> Decimal:
        return self.total - self.current


def ageing_rows(today: date, group: str | None = None, owner: int | None = None) -> QuerySet:
    """One row per customer with money owed, largest total first (a values() queryset)."""
    return (
        _unpaid_invoices(group, owner)
        .values("customer__code", "customer__name")
        .annotate(**_bucket_sums(today), oldest_due=Min("due_date", filter=Q(due_date__lt=today)))
        .order_by("-total", "customer__name", "customer__code")
    )


def ageing_row(values: dict, today: date) -> AgeingRow:
    oldest = values.get("oldest_due")
    return AgeingRow(
        **{b.key: cents(values[b.key]) for b in ageing.BUCKETS},
        total=cents(values["total"]),
        code=values["customer__code"],
        name=values["customer__name"],
        oldest_overdue_days=ageing.days_overdue(oldest, today) if oldest else 0,
    )


def ageing_totals(today: date, group: str | None = None, owner: int | None = None) -> AgeingRow:
    sums = _unpaid_invoices(group, owner).aggregate(**_bucket_sums(today))
    return AgeingRow(**{key: cents(value) for key, value in sums.items()})


@dataclass(frozen=True)
class AgeingReport:
    today: date
    rows: list[AgeingRow]
    totals: AgeingRow


def ageing_report(today: date, group: str | None = None, owner: int | None = None):
    """Every customer's open amount per bucket, and the totals (three queries)."""
    rows = [ageing_row(values, today) for values in ageing_rows(today, group, owner)]
    return AgeingReport(today, rows, ageing_totals(today, group, owner))


# DSO --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DsoFigure:
    days: int
    first_day: date  # credit sales counted from this business date to today, inclusive
    receivables: Decimal
    credit_sales: Decimal
    value: Decimal | None  # days, one decimal place; None without credit sales


def dso(
    today: date, days: int = DSO_DAYS, group: str | None = None, owner: int | None = None
) -> DsoFigure:
    """Receivables open today over credit sales invoiced in the last ``days`` days (today
    included), × ``days``. See ``ageing.dso``."""
    invoices = Invoice.objects.filter(issue_date__lte=today)
    if group:
        invoices = invoices.filter(customer__group__code=_clean(group))
    if owner:
        invoices = invoices.filter(customer__owner_id=owner)
    first_day = today - timedelta(days=days - 1)
    sums = invoices.with_amounts().aggregate(
        receivables=Sum("open_amount", default=ZERO),
        sales=Sum("amount", filter=Q(issue_date__gte=first_day), default=ZERO),
    )
    receivables, sales = cents(sums["receivables"]), cents(sums["sales"])
    value = ageing.dso(receivables, sales, days)
    value = value.quantize(Decimal("0.1")) if value is not None else None
    return DsoFigure(days, first_day, receivables, sales, value)


# Lists ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceFilters:
    customer: str = ""  # customer code
    status: str = ""  # a StatusFilter value, or "" for any
    date_from: date | None = None  # issue date, inclusive
    date_to: date | None = None
    number: str = ""  # part of the invoice number


def _status_condition(status: str, today: date) -> Q:
    unpaid = Q(open_amount__gte=HALF_CENT)
    return {
        StatusFilter.OPEN: unpaid & Q(due_date__gte=today),
        StatusFilter.OVERDUE: unpaid & Q(due_date__lt=today),
        StatusFilter.UNPAID: unpaid,
        StatusFilter.PAID: Q(open_amount__lt=HALF_CENT),
    }.get(status, Q())


def invoice_list(filters: InvoiceFilters | None = None, today: date | None = None) -> QuerySet:
    """Invoices with paid/open amounts and status, newest issued first."""
    filters, today = filters or InvoiceFilters(), today or timezone.localdate()
    invoices = Invoice.objects.with_status(today).select_related("customer")
    if filters.customer:
        invoices = invoices.filter(customer__code=_clean(filters.customer))
    if filters.number:
        invoices = invoices.filter(number__icontains=_clean(filters.number))
    if filters.date_from:
        invoices = invoices.filter(issue_date__gte=filters.date_from)
    if filters.date_to:
        invoices = invoices.filter(issue_date__lte=filters.date_to)
    invoices = invoices.filter(_status_condition(filters.status, today))
    return invoices.order_by("-issue_date", "-id")


@dataclass(frozen=True)
class InvoiceTotals:
    count: int
    amount: Decimal
    open_amount: Decimal
    overdue_amount: Decimal


def invoice_totals(invoices: QuerySet[Invoice], today: date) -> InvoiceTotals:
    """Totals of an ``invoice_list`` queryset, in one query."""
    # Aliases differ from the annotations they sum, or Django would read them as the same.
    sums = invoices.order_by().aggregate(
        invoices=Count("pk"),
        invoiced=Sum("amount", default=ZERO),
        still_open=Sum("open_amount", default=ZERO),
        past_due=Sum("open_amount", filter=Q(due_date__lt=today), default=ZERO),
    )
    return InvoiceTotals(
        sums["invoices"],
        cents(sums["invoiced"]),
        cents(sums["still_open"]),
        cents(sums["past_due"]),
    )


def invoice_by_number(number: str, today: date | None = None) -> QuerySet[Invoice]:
    """The invoice with this number (or none), annotated like the list."""
    if "\x00" in number:
        return Invoice.objects.none()
    return invoice_list(today=today).filter(number=number).select_related("created_by")


def invoice_allocations(invoice: Invoice) -> QuerySet[Allocation]:
    allocations = invoice.allocations.select_related("payment", "invoice", "created_by")
    return allocations.order_by("created_at", "id")


@dataclass(frozen=True)
class PaymentFilters:
    customer: str = ""
    method: str = ""
    date_from: date | None = None  # received on, inclusive
    date_to: date | None = None


def payment_list(filters: PaymentFilters | None = None) -> QuerySet[Payment]:
    """Payments with allocated and unallocated amounts, newest received first."""
    filters = filters or PaymentFilters()
    payments = Payment.objects.with_amounts().select_related("customer", "created_by")
    if filters.customer:
        payments = payments.filter(customer__code=_clean(filters.customer))
    if filters.method:
        payments = payments.filter(method=filters.method)
    if filters.date_from:
        payments = payments.filter(received_on__gte=filters.date_from)
    if filters.date_to:
        payments = payments.filter(received_on__lte=filters.date_to)
    return payments.order_by("-received_on", "-id")


@dataclass(frozen=True)
class PaymentTotals:
    count: int
    amount: Decimal
    unallocated_amount: Decimal


def payment_totals(payments: QuerySet[Payment]) -> PaymentTotals:
    """Totals of a ``payment_list`` queryset, in one query."""
    sums = payments.order_by().aggregate(
        payments=Count("pk"),
        received=Sum("amount", default=ZERO),
        credit=Sum("unallocated_amount", default=ZERO),
    )
    return PaymentTotals(sums["payments"], cents(sums["received"]), cents(sums["credit"]))


def payment_allocations(payment: Payment) -> QuerySet[Allocation]:
    return payment.allocations.select_related("invoice", "created_by").order_by("created_at", "id")


def payments_with_credit(customer_id: int) -> QuerySet[Payment]:
    """The customer's payments with money not yet allocated, oldest first."""
    return (
        Payment.objects.filter(customer_id=customer_id)
        .with_amounts()
        .with_credit()
        .order_by("received_on", "id")
    )


def open_invoices(customer_id: int, today: date | None = None) -> QuerySet[Invoice]:
    """The customer's unpaid invoices, oldest due first (the order payments pay them in)."""
    return (
        Invoice.objects.filter(customer_id=customer_id)
        .with_status(today or timezone.localdate())
        .unpaid()
        .order_by("due_date", "issue_date", "id")
    )


# Consistency ------------------------------------------------------------------------------


def _sum_of_allocations(relation: str):
    rows = (
        Allocation.objects.filter(**{relation: OuterRef("pk")})
        .order_by()
        .values(relation)
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return money(Subquery(rows))


def _drifted(queryset: QuerySet, running: str, relation: str) -> QuerySet:
    drift = F(running) - _sum_of_allocations(relation)
    queryset = queryset.annotate(drift=money(drift))
    return queryset.filter(Q(drift__gte=HALF_CENT) | Q(drift__lte=-HALF_CENT))


@dataclass(frozen=True)
class Drift:
    invoices: list[str]  # numbers
    payments: list[int]  # ids


def total_drift() -> Drift:
    """Invoices and payments whose running sum differs from Σ of their allocations.

    Always empty unless something wrote allocations around ``actions`` (a raw SQL fix, a
    restore of part of the tables). Scans every invoice and payment: a check, not a report.
    """
    invoices = _drifted(Invoice.objects.all(), "paid_amount", "invoice")
    payments = _drifted(Payment.objects.all(), "allocated_amount", "payment")
    return Drift(
        sorted(invoices.values_list("number", flat=True)),
        sorted(payments.values_list("pk", flat=True)),
    )
