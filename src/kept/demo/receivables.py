"""Invoices for every delivery of the history, and the payments that settled them.

An invoice is issued on the delivery date, due after the customer's terms (households on
the day, paying at the door; restaurants after 30 days). Each payment pays whole invoices,
oldest first, and is allocated to them in full: the running sums (``paid_amount``,
``allocated_amount``) are written with the rows, as ``actions._add_allocation`` keeps them.
Invoices a customer has not paid are still open today: some overdue in every ageing bucket.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time

from kept.demo.accounts import Bill
from kept.demo.context import DemoContext
from kept.demo.habits import Buyer
from kept.receivables.actions import INVOICE_DIGITS, INVOICE_PREFIX, INVOICE_SERIES
from kept.receivables.choices import PaymentMethod
from kept.receivables.models import Allocation, Invoice, NumberSequence, Payment

BATCH = 1000
NOTE = "需开增值税普通发票"


def save_receivables(ctx: DemoContext, buyers: list[Buyer]) -> dict[str, int]:
    rng = ctx.rng("receivables")
    billed = [(buyer, bill) for buyer in buyers for bill in buyer.account.bills]
    billed.sort(key=lambda pair: (pair[1].issue, pair[1].order.number))
    invoices = {}
    for number, (buyer, bill) in enumerate(billed, 1):
        bill.number = f"{INVOICE_PREFIX}{number:0{INVOICE_DIGITS}d}"
        invoices[id(bill)] = Invoice(
            number=bill.number,
            customer=buyer.customer,
            issue_date=bill.issue,
            due_date=bill.due,
            amount=bill.amount,
            paid_amount=bill.amount if bill.paid_on else 0,
            order_number=bill.order.number,
            note=NOTE if "需要发票" in {t.name for t in buyer.customer.tags.all()} else "",
            created_at=_moment(ctx, bill.issue, rng.randint(17, 20)),
            created_by=buyer.customer.owner,
        )
    Invoice.objects.bulk_create(invoices.values(), batch_size=BATCH)
    NumberSequence.objects.update_or_create(
        name=INVOICE_SERIES, defaults={"last_value": len(invoices)}
    )
    runs: dict[tuple, list[Bill]] = defaultdict(list)
    for buyer, bill in billed:
        if bill.paid_on is not None:
            runs[(bill.paid_on, buyer.code, id(buyer))].append(bill)
    by_id = {id(buyer): buyer for buyer in buyers}
    payments, allocations = [], []
    for sequence, ((day, _code, key), bills) in enumerate(sorted(runs.items(), key=_run_key), 1):
        buyer = by_id[key]
        method = buyer.payer.method
        at = _moment(ctx, day, rng.randint(9, 20))
        collector = buyer.customer.owner if method == PaymentMethod.CASH else ctx.users["manager"]
        amount = sum(bill.amount for bill in bills)
        payment = Payment(
            customer=buyer.customer,
            received_on=day,
            amount=amount,
            allocated_amount=amount,
            method=method,
            reference=_reference(method, day, sequence),
            created_at=at,
            created_by=collector,
        )
        payments.append(payment)
        allocations.extend(
            Allocation(
                payment=payment,
                invoice=invoices[id(bill)],
                amount=bill.amount,
                created_at=at,
                created_by=collector,
            )
            for bill in bills
        )
    Payment.objects.bulk_create(payments, batch_size=BATCH)
    Allocation.objects.bulk_create(allocations, batch_size=BATCH)
    return {"invoices": len(invoices), "payments": len(payments), "allocations": len(allocations)}


def _run_key(item) -> tuple:
    (day, code, _key), _bills = item
    return day, code


def _moment(ctx: DemoContext, day, hour: int) -> datetime:
    return datetime.combine(day, time(hour, (day.toordinal() * 7) % 60), tzinfo=ctx.tz)


def _reference(method: str, day, sequence: int) -> str:
    stamp = f"{day:%Y%m%d}"
    if method == PaymentMethod.BANK_TRANSFER:
        return f"网银回单 {stamp}{sequence:06d}"
    if method == PaymentMethod.WECHAT_PAY:
        return f"微信支付 4200{stamp}{sequence:08d}"
    if method == PaymentMethod.ALIPAY:
        return f"支付宝 2088{stamp}{sequence:08d}"
    return f"收款收据 No.{sequence:06d}"
