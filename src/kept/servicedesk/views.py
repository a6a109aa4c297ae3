"""Pages of the service desk: the queue (live SLA countdowns, filters), a new ticket, the
ticket (thread, reply, status, edit, complaint). Each writes through ``actions``."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kept.core.pages import query_without_page
from kept.core.roles import can_see_financials
from kept.customers.models import Customer
from kept.promising.models import OrderLine
from kept.servicedesk import actions, queries
from kept.servicedesk.actions import ALLOWED
from kept.servicedesk.choices import TicketKind, TicketStatus
from kept.servicedesk.forms import (
    ComplaintForm,
    ConfirmForm,
    EditForm,
    QueueForm,
    ReplyForm,
    StatusForm,
    TicketForm,
)
from kept.servicedesk.models import Complaint, Ticket

VIEW, ADD, CHANGE = "servicedesk.view_ticket", "servicedesk.add_ticket", "servicedesk.change_ticket"
REPLY, COMPLAIN = "servicedesk.add_ticketmessage", "servicedesk.change_complaint"
CONFIRM = "servicedesk.confirm_complaint"
PER_PAGE = 50


def _filters(request: HttpRequest, form: QueueForm) -> queries.QueueFilter:
    data = form.cleaned_data if form.is_valid() else {}
    assignee = data.get("assignee") or ""
    if assignee == "me":
        assignee_id = request.user.pk
    elif assignee == "none":
        assignee_id = 0
    else:
        assignee_id = int(assignee) if re.fullmatch(r"[0-9]{1,12}", assignee) else None
    scope = data.get("scope") or ""
    return queries.QueueFilter(
        status=data.get("status") or "open",
        kind=data.get("kind") or "",
        priority=data.get("priority") or "",
        sla=data.get("sla") or "",
        assignee=assignee_id,
        internal=None if not scope else scope == "internal",
        q=data.get("q") or "",
    )


@require_GET
@permission_required(VIEW, raise_exception=True)
def queue(request: HttpRequest) -> HttpResponse:
    """The queue, most urgent first; htmx refreshes the results every minute."""
    form = QueueForm(request.GET, user=request.user)
    now = timezone.now()
    page = Paginator(
        queries.queue(_filters(request, form), now=now, user=request.user), PER_PAGE
    ).get_page(request.GET.get("page"))
    tickets = list(page.object_list)
    live = queries.live(tickets, now=now)
    context = {
        "form": form,
        "page": page,
        "rows": [(ticket, live.get(ticket.pk)) for ticket in tickets],
        "counts": queries.counts(now=now, user=request.user),
        "now": now,
        "query_string": query_without_page(request),
    }
    template = (
        "kept/servicedesk/_queue_results.html" if request.htmx else "kept/servicedesk/queue.html"
    )
    return render(request, template, context)


def _refusal(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You may not do this.")


def _attempt(request: HttpRequest, write: Callable[[], object]) -> object | None:
    """Run the action; its refusal becomes an error message (None), never a 500."""
    try:
        return write()
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _refusal(error))
        return None


def _line_of(customer: Customer, order: str, line: int | None) -> OrderLine | None:
    if not order:
        return None
    lines = OrderLine.objects.filter(order__number=order.strip(), order__customer=customer)
    found = lines.filter(number=line or 1).first()
    if found is None:
        raise ValidationError({"order": _("No such order line for this customer.")})
    return found


def _delivery_of(pk: int | None):
    from kept.fulfilment.models import Delivery

    if not pk:
        return None
    found = Delivery.objects.select_related("line__order").filter(pk=pk).first()
    if found is None:
        raise ValidationError({"delivery": _("No such delivery.")})
    return found  # open_ticket checks that it is the customer's


@require_http_methods(["GET", "POST"])
@permission_required(ADD, raise_exception=True)
def create(request: HttpRequest) -> HttpResponse:
    initial = {"customer": request.GET.get("customer", ""), "delivery": request.GET.get("delivery")}
    if request.GET.get("kind") in TicketKind.values:
        initial["kind"] = request.GET["kind"]
    form = TicketForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        customer = Customer.objects.filter(code=data["customer"].strip()).first()
        if customer is None:
            form.add_error("customer", _("No customer with this code."))
        elif not request.user.has_perm("customers.view_customer") and not customer.is_internal():
            form.add_error("customer", _("You may open tickets for departments only."))
        else:
            try:
                ticket = actions.open_ticket(
                    customer,
                    subject=data["subject"],
                    description=data["description"],
                    kind=data["kind"],
                    priority=data["priority"],
                    channel=data["channel"],
                    assignee=data["assignee"],
                    department=data["department"],
                    order_line=_line_of(customer, data["order"], data["line"]),
                    delivery=_delivery_of(data["delivery"]),
                    actor=request.user,
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                messages.success(
                    request, _("Ticket %(number)s opened.") % {"number": ticket.number}
                )
                return redirect("servicedesk:ticket", pk=ticket.pk)
    return render(request, "kept/servicedesk/new.html", {"form": form})


def _ticket_page(request: HttpRequest, ticket: Ticket, **forms) -> HttpResponse:
    financials = can_see_financials(request.user)
    complaint = Complaint.objects.filter(ticket=ticket).first()
    evaluated = queries.live([ticket]).get(ticket.pk)
    initial_complaint = {}
    if complaint is not None:
        initial_complaint = {name: getattr(complaint, name) for name in actions.COMPLAINT_FIELDS}
    context = {
        "ticket": ticket,
        "sla": evaluated,
        "complaint": complaint,
        "financials": financials,
        "next_statuses": [s for s in TicketStatus if s in ALLOWED[ticket.status]],
        "reply_form": forms.get("reply_form")
        or ReplyForm(statuses=[s for s in TicketStatus if s in ALLOWED[ticket.status]]),
        "status_form": forms.get("status_form") or StatusForm(),
        "edit_form": forms.get("edit_form")
        or EditForm(
            ticket=ticket,
            auto_id="edit_%s",
            initial={
                "subject": ticket.subject,
                "description": ticket.description,
                "kind": ticket.kind,
                "priority": ticket.priority,
                "channel": ticket.channel,
                "assignee": ticket.assignee_id,
                "department": ticket.department_id,
                "delivery": ticket.delivery_id,
            },
        ),
        "complaint_form": forms.get("complaint_form")
        or ComplaintForm(initial=initial_complaint, financials=financials),
        "confirm_form": forms.get("confirm_form") or ConfirmForm(auto_id="confirm_%s"),
        "now": timezone.now(),
    }
    return render(request, "kept/servicedesk/ticket.html", context)


def _get(pk: int, user) -> Ticket:
    try:
        return queries.ticket_detail(pk, user)
    except Ticket.DoesNotExist:
        raise Http404(_("No such ticket.")) from None


@require_GET
@permission_required(VIEW, raise_exception=True)
def ticket(request: HttpRequest, pk: int) -> HttpResponse:
    return _ticket_page(request, _get(pk, request.user))


def _back(pk: int) -> HttpResponse:
    return redirect(reverse("servicedesk:ticket", args=[pk]))


@require_POST
@permission_required(REPLY, raise_exception=True)
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket.objects.filter(queries.visible_to(request.user)), pk=pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _ticket_page(request, _get(pk, request.user), reply_form=form)
    mode, status = form.cleaned_data["mode"], form.cleaned_data["status"]
    if status and not request.user.has_perm(CHANGE):
        raise PermissionDenied(_("You may not change the status."))

    @transaction.atomic  # the reply and the move together, or neither (no mail twice)
    def write():
        message = actions.reply(
            ticket,
            form.cleaned_data["body"],
            public=mode != "note",
            from_customer=mode == "customer",
            minutes_spent=form.cleaned_data["minutes_spent"] or 0,
            actor=request.user,
        )
        if status:
            actions.change_status(ticket, status, actor=request.user)
        return message

    message = _attempt(request, write)
    if message is not None:
        if message.emailed_to:
            messages.success(
                request, _("Reply sent to %(address)s.") % {"address": message.emailed_to}
            )
        else:
            messages.success(request, _("Saved."))
    return _back(pk)


@require_POST
@permission_required(CHANGE, raise_exception=True)
def status(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket.objects.filter(queries.visible_to(request.user)), pk=pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
        return _back(pk)
    done = _attempt(
        request,
        lambda: actions.change_status(
            ticket,
            form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
            actor=request.user,
        ),
    )
    if done is not None:
        messages.success(request, _("Status: %(status)s.") % {"status": done.get_status_display()})
    return _back(pk)


@require_POST
@permission_required(CHANGE, raise_exception=True)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket.objects.filter(queries.visible_to(request.user)), pk=pk)
    form = EditForm(request.POST, ticket=ticket)
    if not form.is_valid():
        form.auto_id = "edit_%s"
        return _ticket_page(request, _get(pk, request.user), edit_form=form)
    if _attempt(
        request, lambda: actions.update_ticket(ticket, form.cleaned_data, actor=request.user)
    ):
        messages.success(request, _("Saved."))
    return _back(pk)


@require_POST
@permission_required(COMPLAIN, raise_exception=True)
def complaint(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket.objects.filter(queries.visible_to(request.user)), pk=pk)
    form = ComplaintForm(request.POST, financials=can_see_financials(request.user))
    if not form.is_valid():
        return _ticket_page(request, _get(pk, request.user), complaint_form=form)
    values = dict(form.cleaned_data)
    if "remedy_cost" in values and values["remedy_cost"] is None:
        values["remedy_cost"] = 0
    if _attempt(request, lambda: actions.save_complaint(ticket, values, actor=request.user)):
        messages.success(request, _("Complaint saved."))
    return _back(pk)


@require_POST
@permission_required(CONFIRM, raise_exception=True)
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket.objects.filter(queries.visible_to(request.user)), pk=pk)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        form.auto_id = "confirm_%s"
        return _ticket_page(request, _get(pk, request.user), confirm_form=form)
    done = _attempt(
        request,
        lambda: actions.confirm_complaint(
            ticket,
            reason=form.cleaned_data["reason"],
            defect=form.cleaned_data["defect"],
            actor=request.user,
        ),
    )
    if done is not None:
        messages.success(request, _("Complaint confirmed."))
    return _back(pk)
