"""Plain words for each reason, in the reader's language, with what can be done instead."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kept.promising.rules import Reason


def message(reason: Reason) -> str:
    d = reason.details
    texts = {
        "BLOCKED": lambda: (
            _("The customer is blocked: %(reason)s") % {"reason": d.get("reason") or "—"}
        ),
        "OUT_OF_SCOPE": lambda: _("%(sku)s is not sold to this customer.") % {"sku": d["sku"]},
        "CREDIT_LIMIT": lambda: (
            _(
                "This order takes the customer to %(total)s against a credit limit of %(credit_limit)s "
                "(open invoices %(open_receivables)s, open orders %(open_orders)s, this order "
                "%(this_order)s): %(over_by)s over."
            )
            % d
        ),
        "OVERDUE": lambda: (
            _(
                "The customer has %(overdue_amount)s overdue; the oldest invoice is %(oldest_overdue_days)s "
                "days overdue."
            )
            % d
        ),
        "BELOW_MARGIN": lambda: (
            _(
                "The price %(unit_price)s is below the lowest allowed %(lowest_price)s (cost %(unit_cost)s "
                "plus %(min_margin_percent)s%% margin)."
            )
            % d
        ),
        "LEAD_TIME": lambda: (
            _(
                "%(requested_date)s is too soon: this needs %(lead_days)s days, so the earliest date is "
                "%(earliest_date)s."
            )
            % d
        ),
        "MAX_QUANTITY": lambda: (
            _("%(requested_quantity)s is more than the %(max_quantity)s allowed on one line.") % d
        ),
        "NOT_ENOUGH_ON_DATE": lambda: (
            _(
                "Only %(available)s can be promised for %(date)s; %(requested_quantity)s were asked for."
            )
            % d
        ),
        "NO_SUPPLY": lambda: (
            _(
                "There is no supply for %(requested_quantity)s: at most %(most_available)s can be promised "
                "and the product cannot be procured on demand."
            )
            % d
        ),
    }
    return texts[reason.code]()


def _ship_complete(details: dict) -> str:
    if details.get("date"):
        return _("The order ships complete: every line can go together on %(date)s.") % details
    if details.get("line"):
        return _("The order ships complete, so it waits for line %(line)s.") % details
    return _("The order ships complete, and not every line can be supplied.")


def instead(reason: Reason) -> str:
    texts = {
        "BLOCKED": lambda: _(
            "Settle the reason for the block with the customer; a manager can unblock."
        ),
        "OUT_OF_SCOPE": lambda: _("Offer a product this customer can buy."),
        "CREDIT_LIMIT": lambda: _(
            "A manager may approve the order, or the customer pays open invoices first."
        ),
        "OVERDUE": lambda: _("Collect the overdue invoices, or ask a manager to approve."),
        "BELOW_MARGIN": lambda: (
            _("Raise the price to at least %(lowest_price)s, or ask a manager to approve.")
            % reason.details
        ),
        "LEAD_TIME": lambda: _("Promise it for %(earliest_date)s.") % reason.details,
        "MAX_QUANTITY": lambda: _(
            "Split the quantity over several orders, or take the offer below."
        ),
        "NOT_ENOUGH_ON_DATE": lambda: _("Take one of the offers below."),
        "NO_SUPPLY": lambda: _("Offer a similar product, or schedule a receipt first."),
        "SHIP_COMPLETE": lambda: _(
            "Take the offer for the whole order, or let the customer accept part deliveries."
        ),
    }
    return texts[reason.code]()


def explained(reason: Reason) -> dict:
    """The API's view of a reason: code, message, details (with what can be done instead)."""
    return {
        "code": reason.code,
        "message": message(reason),
        "details": {**reason.details, "effect": reason.effect, "instead": instead(reason)},
    }


def late_promise_message(values: dict, new_date) -> str:
    """To the customer whose promise supply no longer covers (call inside their language)."""
    if new_date is None:
        return (
            _(
                "Dear %(name)s, we are sorry: we cannot deliver %(quantity)s %(unit)s of %(product)s on %(date)s (order %(order)s) as promised, and we do not yet know when we can. We will call you to agree what to do."
            )
            % values
        )
    return _(
        "Dear %(name)s, we are sorry: %(quantity)s %(unit)s of %(product)s promised for %(date)s (order %(order)s) will be late. The earliest we can deliver is %(new_date)s. Please reply to confirm, or tell us what would suit you better."
    ) % {**values, "new_date": new_date.isoformat()}
