"""/api/v1/tickets (SPEC 2.6): the queue, a ticket with its thread and SLA, and the writes
of the desk (open, edit, reply or note, status, the complaint and its confirmation)."""

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from kept.core.api_support import ERRORS, ApiError, Paging, needs
from kept.core.roles import can_see_financials
from kept.customers.models import Customer
from kept.promising.models import OrderLine
from kept.servicedesk import actions, queries
from kept.servicedesk.choices import TicketStatus
from kept.servicedesk.models import Complaint, Ticket
from kept.servicedesk.schemas import (
    ComplaintIn,
    ComplaintOut,
    ConfirmIn,
    MessageIn,
    MessageOut,
    StatusIn,
    TicketIn,
    TicketOut,
    TicketPatch,
)

router = Router(tags=["servicedesk"])
VIEW, ADD, CHANGE = "servicedesk.view_ticket", "servicedesk.add_ticket", "servicedesk.change_ticket"
REPLY, COMPLAIN = "servicedesk.add_ticketmessage", "servicedesk.change_complaint"
CONFIRM = "servicedesk.confirm_complaint"


def _minutes(delta) -> int:
    return int(delta.total_seconds() // 60)


def _target(evaluation) -> dict | None:
    if evaluation is None:
        return None
    return {
        "state": evaluation.state,
        "target_minutes": _minutes(evaluation.target),
        "used_minutes": _minutes(evaluation.used),
        "remaining_minutes": _minutes(evaluation.remaining),
        "deadline": evaluation.deadline,
        "paused": evaluation.paused,
        "done_at": evaluation.done_at,
    }


def _complaint(complaint: Complaint | None, financials: bool) -> dict | None:
    if complaint is None:
        return None
    return {
        "what_happened": complaint.what_happened,
        "customer_wants": complaint.customer_wants,
        "root_cause": complaint.root_cause,
        "remedy": complaint.remedy,
        "remedy_cost": complaint.remedy_cost if financials else None,
        "follow_up_on": complaint.follow_up_on,
        "confirmed_at": complaint.confirmed_at,
    }


def ticket_out(ticket: Ticket, sla, *, request=None, full: bool = False) -> dict:
    line = ticket.order_line
    row = {
        "id": ticket.pk,
        "number": ticket.number,
        "customer": ticket.customer.code,
        "subject": ticket.subject,
        "description": ticket.description,
        "kind": ticket.kind,
        "priority": ticket.priority,
        "status": ticket.status,
        "channel": ticket.channel,
        "assignee": ticket.assignee.get_username() if ticket.assignee else None,
        "department": ticket.department.code if ticket.department else None,
        "order": line.order.number if line else None,
        "line": line.number if line else None,
        "delivery": ticket.delivery_id,
        "created_at": ticket.created_at,
        "first_responded_at": ticket.first_responded_at,
        "resolved_at": ticket.resolved_at,
        "policy": ticket.policy.name if ticket.policy else None,
        "first_response": _target(sla.first_response) if sla else None,
        "resolution": _target(sla.resolution) if sla else None,
    }
    if full:
        financials = can_see_financials(request.user)
        row["complaint"] = _complaint(Complaint.objects.filter(ticket=ticket).first(), financials)
        row["messages"] = [_message(m) for m in ticket.messages.all()]
    return row


def _message(message) -> dict:
    return {
        "id": message.pk,
        "author": message.author.get_username() if message.author else None,
        "public": message.public,
        "from_customer": message.from_customer,
        "body": message.body,
        "created_at": message.created_at,
        "emailed_to": message.emailed_to,
        "minutes_spent": message.minutes_spent,
    }


def _invalid(field: str, message: str, value) -> ApiError:
    return ApiError(422, "invalid", message, {field: value})


def _user(username: str | None):
    if not username:
        return None
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise _invalid("assignee", _("No active user %(name)s.") % {"name": username}, username)
    return user


def _department(code: str | None) -> Customer | None:
    if not code:
        return None
    department = Customer.objects.filter(code=code).first()
    if department is None:
        raise _invalid("department", _("No customer %(code)s.") % {"code": code}, code)
    return department


def _delivery(pk: int | None):
    from kept.fulfilment.models import Delivery

    if pk is None:
        return None
    found = Delivery.objects.select_related("line__order").filter(pk=pk).first()
    if found is None:
        raise _invalid("delivery", _("No such delivery."), pk)
    return found


class TicketFilter(Schema):
    status: str = "open"
    kind: str = ""
    priority: str = ""
    sla: str = ""
    assignee: str = ""
    customer: str = ""
    q: str = ""


@router.get("/tickets", response={200: list[TicketOut], **ERRORS}, auth=needs(VIEW))
@paginate(Paging)
def tickets(request: HttpRequest, filters: Query[TicketFilter]):
    """The queue, most urgent first (breached, at risk, then the nearest deadline).
    ``status``: open (default), all, or a status; ``sla``: at_risk, breached or paused;
    ``assignee``: a username, ``me`` or ``none``."""
    assignee = None
    if filters.assignee == "me":
        assignee = request.user.pk
    elif filters.assignee == "none":
        assignee = 0
    elif filters.assignee:
        found = get_user_model().objects.filter(username=filters.assignee).first()
        assignee = found.pk if found else -1
    chosen = queries.queue(
        user=request.user,
        filters=queries.QueueFilter(
            status=filters.status,
            kind=filters.kind,
            priority=filters.priority,
            sla=filters.sla,
            assignee=assignee,
            customer=filters.customer,
            q=filters.q[:100],
        ),
    ).select_related("order_line__order")
    return _Rows(chosen)


class _Rows:
    """A page of tickets evaluated live (the pager slices, then two queries evaluate)."""

    def __init__(self, queryset):
        self.queryset = queryset

    def __len__(self) -> int:
        return self.queryset.count()

    def __getitem__(self, window: slice):
        page = list(self.queryset[window])
        live = queries.live(page)
        return [ticket_out(ticket, live.get(ticket.pk)) for ticket in page]


@router.post("/tickets", response={201: TicketOut, **ERRORS}, auth=needs(ADD))
def create(request: HttpRequest, payload: TicketIn):
    customer = Customer.objects.filter(code=payload.customer).first()
    if customer is None:
        raise _invalid(
            "customer", _("No customer %(code)s.") % {"code": payload.customer}, payload.customer
        )
    if not request.user.has_perm("customers.view_customer") and not customer.is_internal():
        raise ApiError(403, "forbidden", _("You may open tickets for departments only."))
    line = None
    if payload.order:
        line = OrderLine.objects.filter(
            order__number=payload.order, order__customer=customer, number=payload.line or 1
        ).first()
        if line is None:
            raise _invalid("order", _("No such order line for this customer."), payload.order)
    complaint = None
    if payload.complaint is not None:
        complaint = payload.complaint.dict()
        if not can_see_financials(request.user) or complaint["remedy_cost"] is None:
            complaint.pop("remedy_cost")
    ticket = actions.open_ticket(
        customer,
        delivery=_delivery(payload.delivery),
        subject=payload.subject,
        description=payload.description,
        kind=payload.kind,
        priority=payload.priority,
        channel=payload.channel,
        assignee=_user(payload.assignee),
        department=_department(payload.department),
        order_line=line,
        complaint=complaint,
        actor=request.user,
    )
    return Status(201, _detail(request, ticket.pk))


def _detail(request, pk: int) -> dict:
    try:
        ticket = queries.ticket_detail(pk, request.user)
    except Ticket.DoesNotExist:
        raise ApiError(404, "not_found", _("No such ticket.")) from None
    return ticket_out(ticket, queries.live([ticket]).get(ticket.pk), request=request, full=True)


def _ticket(request, pk: int) -> Ticket:
    ticket = Ticket.objects.filter(queries.visible_to(request.user), pk=pk).first()
    if ticket is None:
        raise ApiError(404, "not_found", _("No such ticket."))
    return ticket


@router.get("/tickets/{ticket_id}", response={200: TicketOut, **ERRORS}, auth=needs(VIEW))
def detail(request: HttpRequest, ticket_id: int):
    """One ticket with its thread (replies, notes, what the customer said), its complaint
    and both SLA targets evaluated now."""
    return _detail(request, ticket_id)


@router.patch("/tickets/{ticket_id}", response={200: TicketOut, **ERRORS}, auth=needs(CHANGE))
def change(request: HttpRequest, ticket_id: int, payload: TicketPatch):
    values = payload.dict(exclude_unset=True)
    if "assignee" in values:
        values["assignee"] = _user(values["assignee"])
    if "department" in values:
        values["department"] = _department(values["department"])
    if "delivery" in values:
        values["delivery"] = _delivery(values["delivery"])
    for name in ("subject", "kind", "priority", "channel"):
        if name in values and values[name] is None:
            raise _invalid(name, _("This field cannot be empty."), None)
    if "description" in values and values["description"] is None:
        values["description"] = ""
    actions.update_ticket(_ticket(request, ticket_id), values, actor=request.user)
    return _detail(request, ticket_id)


@router.post(
    "/tickets/{ticket_id}/messages", response={201: MessageOut, **ERRORS}, auth=needs(REPLY)
)
def add_message(request: HttpRequest, ticket_id: int, payload: MessageIn):
    """A public reply (the first is the first response; emailed to the customer), an
    internal note (``public: false``), or what the customer said (``from_customer``)."""
    message = actions.reply(
        _ticket(request, ticket_id),
        payload.body,
        public=payload.public,
        from_customer=payload.from_customer,
        minutes_spent=payload.minutes_spent,
        actor=request.user,
    )
    return Status(201, _message(message))


@router.post("/tickets/{ticket_id}/status", response={200: TicketOut, **ERRORS}, auth=needs(CHANGE))
def set_status(request: HttpRequest, ticket_id: int, payload: StatusIn):
    """Move along the workflow; ``resolved`` → ``open`` reopens (the resolution clock
    resumes); ``closed`` is final. A complaint needs its root cause and remedy first."""
    ticket = _ticket(request, ticket_id)
    if payload.status == ticket.status:
        return _detail(request, ticket_id)
    if payload.status not in actions.ALLOWED[TicketStatus(ticket.status)]:
        raise ApiError(
            409,
            "conflict",
            _("A %(old)s ticket cannot become %(new)s.")
            % {
                "old": TicketStatus(ticket.status).label,
                "new": TicketStatus(payload.status).label,
            },
        )
    actions.change_status(ticket, payload.status, reason=payload.reason, actor=request.user)
    return _detail(request, ticket_id)


@router.put(
    "/tickets/{ticket_id}/complaint", response={200: ComplaintOut, **ERRORS}, auth=needs(COMPLAIN)
)
def put_complaint(request: HttpRequest, ticket_id: int, payload: ComplaintIn):
    """The structured complaint (SPEC 2.6). ``remedy_cost`` is taken from managers only."""
    financials = can_see_financials(request.user)
    values = payload.dict()
    if not financials or values["remedy_cost"] is None:
        values.pop("remedy_cost")
    complaint = actions.save_complaint(_ticket(request, ticket_id), values, actor=request.user)
    return _complaint(complaint, financials)


@router.post(
    "/tickets/{ticket_id}/complaint/confirm",
    response={200: ComplaintOut, **ERRORS},
    auth=needs(CONFIRM),
)
def confirm(request: HttpRequest, ticket_id: int, payload: ConfirmIn):
    """Confirm the complaint; a quality complaint on a delivery marks that delivery not OK
    and the service level counts it."""
    complaint = actions.confirm_complaint(
        _ticket(request, ticket_id),
        reason=payload.reason,
        defect=payload.defect,
        actor=request.user,
    )
    return _complaint(complaint, can_see_financials(request.user))
