"""Writes of fulfilment: recording deliveries, and the tolerances service level uses."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kept.catalog.actions import checked_quantity, record_movement
from kept.catalog.choices import MovementReason
from kept.core import audit
from kept.customers.models import CustomerGroup
from kept.feedback.actions import survey_after_delivery
from kept.fulfilment import scores
from kept.fulfilment.choices import Defect
from kept.fulfilment.models import Delivery, ServiceTolerance
from kept.promising.choices import LineStatus
from kept.promising.models import Commitment, Order, OrderLine

THOUSANDTH = Decimal("0.001")
CLOCK_SKEW = timedelta(minutes=5)  # a phone's clock may run a little ahead of the server's


def _checked_time(delivered_at: datetime | None) -> datetime:
    now = timezone.now()
    if delivered_at is None:
        return now
    if timezone.is_naive(delivered_at):
        delivered_at = timezone.make_aware(delivered_at)
    if delivered_at > now + CLOCK_SKEW:
        raise ValidationError({"delivered_at": _("A delivery cannot be in the future.")})
    return delivered_at


def _checked_quality(quality_ok: bool, defect: str) -> str:
    defect = (defect or "").strip()
    if quality_ok and defect:
        raise ValidationError({"defect": _("A defect is only recorded when quality is not OK.")})
    if not quality_ok and defect not in Defect.values:
        raise ValidationError({"defect": _("Say what was wrong with the delivery.")})
    return defect


def delivered_quantity(line: OrderLine) -> Decimal:
    return sum(line.deliveries.values_list("quantity", flat=True), Decimal(0))


def _check_deliverable(line: OrderLine, quantity: Decimal) -> None:
    if line.status == LineStatus.CANCELLED:
        raise ValidationError({"line": _("This line was cancelled; nothing can be delivered.")})
    if line.status != LineStatus.PROMISED:
        raise ValidationError({"line": _("Nothing was promised on this line yet.")})
    promised = line.versions.order_by("-number").values_list("quantity", flat=True).first()
    already = delivered_quantity(line)
    if already + quantity > promised:
        raise ValidationError(
            {
                "quantity": _(
                    "Only %(left)s is left to deliver on this line (%(promised)s promised, "
                    "%(delivered)s delivered)."
                )
                % {"left": promised - already, "promised": promised, "delivered": already}
            }
        )


def _release_commitments(line: OrderLine, quantity: Decimal) -> None:
    """The stock the line held leaves with the goods: close its open commitments, earliest
    first; a partly delivered one is closed and its remainder committed anew."""
    left = quantity
    for commitment in line.commitments.filter(is_open=True).order_by("date", "id"):
        if left <= 0:
            break
        taken = min(commitment.quantity, left)
        commitment.is_open = False
        commitment.save(update_fields=["is_open"])
        if commitment.quantity > taken:
            Commitment.objects.create(
                line=line,
                version_id=commitment.version_id,
                product_id=commitment.product_id,
                date=commitment.date,
                quantity=commitment.quantity - taken,
                to_procure=commitment.to_procure,
            )
        left -= taken


@transaction.atomic
def record_delivery(
    line: OrderLine,
    quantity,
    *,
    delivered_at: datetime | None = None,
    quality_ok: bool = True,
    defect: str = "",
    note: str = "",
    actor=None,
) -> Delivery:
    """Record goods handed over for a promised line: the stock goes out (a delivery
    movement), the line's commitments shrink by as much, and the delivery is kept for
    service level. Over-delivery, cancelled lines and unpromised lines are refused."""
    quantity = checked_quantity(quantity).quantize(THOUSANDTH)
    if quantity <= 0:
        raise ValidationError({"quantity": _("The quantity must be more than zero.")})
    delivered_at = _checked_time(delivered_at)
    defect = _checked_quality(quality_ok, defect)
    # the order row first, as promise changes and cancellations do
    list(Order.objects.select_for_update().filter(pk=line.order_id).values_list("pk", flat=True))
    line = OrderLine.objects.select_related("order", "product").get(pk=line.pk)
    _check_deliverable(line, quantity)
    delivery = Delivery.objects.create(
        line=line,
        quantity=quantity,
        delivered_at=delivered_at,
        delivered_on=timezone.localdate(delivered_at),
        quality_ok=quality_ok,
        defect=defect,
        note=(note or "").strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record_movement(
        line.product,
        -quantity,
        MovementReason.DELIVERY,
        actor=actor,
        note=f"{line.order.number}/{line.number}",
        allow_negative=True,  # the goods are gone whatever the books said
    )
    _release_commitments(line, quantity)
    scores.mark_orders([line.order_id])
    # the last delivery of an order asks the customer; a failure there never undoes this one
    transaction.on_commit(lambda order=line.order: survey_after_delivery(order), robust=True)
    return delivery


@transaction.atomic
def mark_quality(delivery: Delivery, *, defect: str, reason: str, actor=None) -> Delivery:
    """A confirmed quality problem found after the delivery (e.g. from a complaint)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say how the problem was confirmed.")})
    defect = _checked_quality(False, defect)
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    delivery.quality_ok, delivery.defect = False, defect
    delivery.save(update_fields=["quality_ok", "defect"])
    scores.mark_orders(
        OrderLine.objects.filter(pk=delivery.line_id).values_list("order_id", flat=True)
    )
    audit.record(actor, "delivery.quality", delivery, reason=reason, changes={"defect": defect})
    return delivery


@transaction.atomic
def save_tolerance(group: CustomerGroup | None, values: dict, *, actor=None) -> ServiceTolerance:
    """The tolerances of a customer group (``None``: the default). Audited."""
    tolerance = ServiceTolerance.objects.select_for_update().filter(
        group=group
    ).first() or ServiceTolerance(group=group)
    names = ["early_days", "late_days", "short_percent"]
    changes = audit.diff(tolerance, names, values)
    for name in names:
        if name in values:
            setattr(tolerance, name, values[name])
    tolerance.full_clean(exclude=["group"])
    tolerance.save()
    scores.mark_group(group.pk if group else None)  # scored again by the next report
    audit.record(actor, "service_tolerance", tolerance, changes=changes)
    return tolerance
