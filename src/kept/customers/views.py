from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kept.core.pages import query_without_page
from kept.customers import actions, queries
from kept.customers.choices import CustomerKind
from kept.customers.forms import ContactForm, CustomerForm, InteractionForm
from kept.customers.models import Contact, Customer


def _filters(request: HttpRequest) -> queries.CustomerFilters:
    owner = request.GET.get("owner", "")
    return queries.CustomerFilters(
        text=request.GET.get("q", "").strip()[:100],
        group=request.GET.get("group", ""),
        region=request.GET.get("region", ""),
        owner=int(owner) if owner.isdigit() else None,
        kind=request.GET.get("kind", "") if request.GET.get("kind") in CustomerKind.values else "",
        tag=request.GET.get("tag", "")[:50],
    )


@permission_required("customers.view_customer", raise_exception=True)
def customer_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    context = {
        "page": queries.customer_page(filters, request.GET.get("page")),
        "filters": filters,
        "choices": queries.filter_choices(),
        "kinds": CustomerKind.choices,
        "query_string": query_without_page(request),
    }
    template = "kept/customers/_list_results.html" if request.htmx else "kept/customers/list.html"
    return render(request, template, context)


def _get_or_404(code: str) -> queries.Notebook:
    try:
        return queries.notebook(code)
    except Customer.DoesNotExist:
        raise Http404 from None


@permission_required("customers.view_customer", raise_exception=True)
def notebook(request: HttpRequest, code: str) -> HttpResponse:
    book = _get_or_404(code)
    return render(
        request,
        "kept/customers/notebook.html",
        {
            "book": book,
            "customer": book.customer,
            "interaction_form": InteractionForm(),
        },
    )


@permission_required("customers.view_interaction", raise_exception=True)
def timeline(request: HttpRequest, code: str) -> HttpResponse:
    customer = get_object_or_404(Customer, code=code)
    offset = int(request.GET["offset"]) if request.GET.get("offset", "").isdigit() else 0
    entries = queries.timeline(customer, offset=offset)
    return render(
        request,
        "kept/customers/_timeline.html",
        {
            "customer": customer,
            "entries": entries[: queries.TIMELINE_SIZE],
            "has_more": len(entries) > queries.TIMELINE_SIZE,
            "next_offset": offset + queries.TIMELINE_SIZE,
        },
    )


@permission_required("customers.add_customer", raise_exception=True)
@require_http_methods(["GET", "POST"])
def customer_create(request: HttpRequest) -> HttpResponse:
    form = CustomerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in {"tags_text", "reason"}}
        try:
            customer = actions.create_customer(data, actor=request.user, tags=form.tag_names())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Customer %(name)s created.") % {"name": customer.name})
            return redirect("customers:notebook", code=customer.code)
    return render(request, "kept/customers/form.html", {"form": form, "customer": None})


@permission_required("customers.change_customer", raise_exception=True)
@require_http_methods(["GET", "POST"])
def customer_edit(request: HttpRequest, code: str) -> HttpResponse:
    customer = get_object_or_404(Customer, code=code)
    form = CustomerForm(request.POST or None, instance=customer, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {
            k: v for k, v in form.cleaned_data.items() if k not in {"tags_text", "reason", "code"}
        }
        data = {k: v for k, v in data.items() if not form.fields[k].disabled}
        try:
            actions.update_customer(
                Customer.objects.get(pk=customer.pk),
                data,
                actor=request.user,
                reason=form.cleaned_data.get("reason", ""),
                tags=form.tag_names(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("customers:notebook", code=customer.code)
    return render(request, "kept/customers/form.html", {"form": form, "customer": customer})


@permission_required("customers.add_interaction", raise_exception=True)
@require_POST
def log_interaction(request: HttpRequest, code: str) -> HttpResponse:
    customer = get_object_or_404(Customer, code=code)
    form = InteractionForm(request.POST)
    if form.is_valid():
        actions.log_interaction(
            customer, form.cleaned_data["kind"], form.cleaned_data["summary"], actor=request.user
        )
        if not request.htmx:
            messages.success(request, _("Logged."))
            return redirect("customers:notebook", code=code)
        form = InteractionForm()
    elif not request.htmx:
        messages.error(
            request, _("Nothing was logged: %(errors)s") % {"errors": form.errors.as_text()}
        )
        return redirect("customers:notebook", code=code)
    entries = queries.timeline(customer)
    return render(
        request,
        "kept/customers/_timeline_section.html",
        {
            "customer": customer,
            "interaction_form": form,
            "entries": entries[: queries.TIMELINE_SIZE],
            "has_more": len(entries) > queries.TIMELINE_SIZE,
            "next_offset": queries.TIMELINE_SIZE,
        },
    )


@permission_required("customers.add_contact", raise_exception=True)
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, code: str, contact_id: int | None = None) -> HttpResponse:
    customer = get_object_or_404(Customer, code=code)
    contact = get_object_or_404(Contact, pk=contact_id, customer=customer) if contact_id else None
    if contact is not None and not request.user.has_perm("customers.change_contact"):
        raise PermissionDenied
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        actions.save_contact(customer, form.cleaned_data, contact=contact)
        messages.success(request, _("Contact saved."))
        return redirect("customers:notebook", code=code)
    return render(
        request,
        "kept/customers/contact_form.html",
        {
            "form": form,
            "customer": customer,
            "contact": contact,
        },
    )


@permission_required("customers.delete_contact", raise_exception=True)
@require_POST
def contact_delete(request: HttpRequest, code: str, contact_id: int) -> HttpResponse:
    contact = get_object_or_404(Contact, pk=contact_id, customer__code=code)
    actions.delete_contact(contact, actor=request.user)
    messages.success(request, _("Contact removed."))
    return redirect("customers:notebook", code=code)
