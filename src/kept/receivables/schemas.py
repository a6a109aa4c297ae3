"""Request and response shapes of /api/v1/invoices, /payments, /receivables/ageing and
/customers/{code}/credit.

Money is answered as a string with two places ("120.50"); requests accept numbers or
strings. Customers and invoices are named by their codes and numbers, payments by id.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import PlainSerializer

from kept.receivables.choices import InvoiceStatus, PaymentMethod, StatusFilter

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
CODE_FILTER_PATTERN = r"^([A-Za-z0-9][A-Za-z0-9._-]*)?$"
MONEY_IN = {"gt": 0, "max_digits": 14, "decimal_places": 2}

# The same two places whether the value comes from a column or a sum.
Money = Annotated[
    Decimal,
    PlainSerializer(lambda value: str(value.quantize(Decimal("0.01"))), return_type=str),
]


def _username(user) -> str | None:
    return user.get_username() if user else None


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


# Invoices ---------------------------------------------------------------------------------


class InvoiceIn(Schema):
    customer: str = Field(..., max_length=32, pattern=CODE_PATTERN, description="Customer code.")
    amount: Decimal = Field(..., **MONEY_IN)
    issue_date: date | None = Field(None, description="Business date; default today.")
    due_date: date | None = Field(
        None, description="Default: issue date + the customer's payment terms."
    )
    number: str | None = Field(
        None, max_length=32, pattern=CODE_PATTERN, description="Default: the next INV-000123."
    )
    order_number: str = Field("", max_length=32)
    note: str = Field("", max_length=2000)


class AllocationOut(Schema):
    payment: int
    invoice: str = Field(..., description="Invoice number.")
    amount: Money
    created_at: datetime

    @staticmethod
    def resolve_payment(allocation) -> int:
        return allocation.payment_id

    @staticmethod
    def resolve_invoice(allocation) -> str:
        return allocation.invoice.number


class InvoiceOut(Schema):
    number: str
    customer: str = Field(..., description="Customer code.")
    customer_name: str
    issue_date: date
    due_date: date
    amount: Money
    paid_amount: Money = Field(..., description="Σ of the payments allocated to it.")
    open_amount: Money = Field(..., description="Amount − paid amount.")
    status: InvoiceStatus = Field(..., description="Derived: open, overdue (past due) or paid.")
    order_number: str | None
    note: str
    created_at: datetime
    created_by: str | None

    @staticmethod
    def resolve_customer(invoice) -> str:
        return invoice.customer.code

    @staticmethod
    def resolve_customer_name(invoice) -> str:
        return invoice.customer.name

    @staticmethod
    def resolve_created_by(invoice) -> str | None:
        return _username(invoice.created_by)


class InvoiceDetailOut(InvoiceOut):
    allocations: list[AllocationOut]

    @staticmethod
    def resolve_allocations(invoice) -> list:
        return invoice.allocation_list


class InvoicePage(Schema):
    count: int
    items: list[InvoiceOut]


class InvoiceQuery(PageQuery):
    customer: str = Field("", max_length=32, pattern=CODE_FILTER_PATTERN, description="Code.")
    status: StatusFilter | None = None
    date_from: date | None = Field(None, description="Issued on or after.")
    date_to: date | None = Field(None, description="Issued on or before.")


# Payments ---------------------------------------------------------------------------------


class AllocationIn(Schema):
    invoice: str = Field(..., max_length=32, pattern=CODE_PATTERN, description="Invoice number.")
    amount: Decimal = Field(..., **MONEY_IN)


class PaymentIn(Schema):
    customer: str = Field(..., max_length=32, pattern=CODE_PATTERN, description="Customer code.")
    amount: Decimal = Field(..., **MONEY_IN)
    received_on: date | None = Field(None, description="Business date; default today.")
    method: PaymentMethod
    reference: str = Field("", max_length=64)
    allocate: Literal["oldest", "none"] | None = Field(
        None,
        description='"oldest" (the default without `allocations`): oldest due invoices first; '
        '"none": keep it all as credit.',
    )
    allocations: list[AllocationIn] | None = Field(
        None, max_length=500, description="Allocate exactly these amounts to these invoices."
    )


class PaymentOut(Schema):
    id: int
    customer: str = Field(..., description="Customer code.")
    customer_name: str
    received_on: date
    amount: Money
    method: PaymentMethod
    reference: str
    allocated_amount: Money
    unallocated_amount: Money = Field(..., description="What is left as the customer's credit.")
    created_at: datetime
    created_by: str | None

    @staticmethod
    def resolve_customer(payment) -> str:
        return payment.customer.code

    @staticmethod
    def resolve_customer_name(payment) -> str:
        return payment.customer.name

    @staticmethod
    def resolve_created_by(payment) -> str | None:
        return _username(payment.created_by)


class PaymentDetailOut(PaymentOut):
    allocations: list[AllocationOut]

    @staticmethod
    def resolve_allocations(payment) -> list:
        return payment.allocation_list


class PaymentPage(Schema):
    count: int
    items: list[PaymentOut]


class PaymentQuery(PageQuery):
    customer: str = Field("", max_length=32, pattern=CODE_FILTER_PATTERN, description="Code.")
    method: PaymentMethod | None = None
    date_from: date | None = Field(None, description="Received on or after.")
    date_to: date | None = Field(None, description="Received on or before.")


# Reports ----------------------------------------------------------------------------------


class Buckets(Schema):
    current: Money = Field(..., description="Not yet due (due today included).")
    days_0_30: Money = Field(..., description="1 to 30 days past the due date.")
    days_31_60: Money
    days_61_90: Money
    days_over_90: Money = Field(..., description="91 days or more past the due date.")
    total: Money


class AgeingRowOut(Buckets):
    customer: str = Field(..., description="Customer code.")
    customer_name: str
    oldest_overdue_days: int

    @staticmethod
    def resolve_customer(row) -> str:
        return row.code

    @staticmethod
    def resolve_customer_name(row) -> str:
        return row.name


class DsoOut(Schema):
    days: int = Field(..., description="Length of the period in days.")
    first_day: date
    receivables: Money = Field(..., description="Open today.")
    credit_sales: Money = Field(..., description="Invoiced from first_day to today.")
    value: Decimal | None = Field(
        ..., description="receivables / credit_sales × days; null without sales."
    )


class AgeingOut(Schema):
    as_of: date
    totals: Buckets
    dso: DsoOut
    count: int
    items: list[AgeingRowOut]


class AgeingQuery(PageQuery):
    group: str = Field("", max_length=32, pattern=CODE_FILTER_PATTERN, description="Group code.")
    owner: str = Field("", max_length=150, description="Owner's username.")


class CreditOut(Schema):
    customer: str
    as_of: date
    open_balance: Money = Field(..., description="Σ open amounts of unpaid invoices.")
    overdue_amount: Money = Field(..., description="The part past its due date.")
    oldest_overdue_days: int = Field(..., description="0 when nothing is overdue.")
    unallocated_credit: Money = Field(..., description="Payments not yet allocated.")
    credit_limit: Money | None = Field(..., description="Null: no limit.")
