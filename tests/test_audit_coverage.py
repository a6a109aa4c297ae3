"""Every override, approval and permission change writes an audit entry: who, what, and the
change itself (SPEC 1: "every override of a rule is logged with who, when and why").

Each test calls the action the pages and the API call, then reads the newest entry.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.forms import MultiWidget
from django.utils import timezone

from kept.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _entry(action: str) -> AuditEntry:
    entries = list(AuditEntry.objects.filter(action=action))
    assert entries, f"no audit entry {action!r}"
    return entries[0]  # newest first


def _audited(action: str, actor, obj=None, **expected) -> AuditEntry:
    entry = _entry(action)
    assert entry.actor == actor
    assert entry.at > timezone.now() - timedelta(minutes=1)
    if obj is not None:
        assert (entry.object_type, entry.object_id) == (obj._meta.label_lower, str(obj.pk))
    for name, value in expected.items():
        assert getattr(entry, name) == value, name
    return entry


@pytest.fixture
def customer(db):
    from kept.customers.models import Customer

    return Customer.objects.create(code="A1", name="王芳")


@pytest.fixture
def held_order(customer, staff):
    from kept.catalog.actions import create_product, record_movement
    from kept.promising import actions
    from kept.promising.engine import LineInput
    from kept.promising.queries import business_today

    customer.credit_limit = Decimal("100")
    customer.save()
    rice = create_product(
        {"sku": "RICE", "name": "Rice", "unit": "bag", "price": Decimal(50), "cost": Decimal(40)}
    )
    record_movement(rice, Decimal(20), "opening")
    wanted = [LineInput(rice, Decimal(3), business_today() + timedelta(days=1))]
    order, _result = actions.promise_order(customer, wanted, actor=staff)  # 150 > 100: held
    assert order.decision == "hold"
    return order


# promising: held orders and per-customer policy overrides


def test_approving_a_held_order(held_order, manager):
    from kept.promising.actions import approve_hold

    approve_hold(held_order, actor=manager, reason="Pays weekly")

    _audited(
        "order.approve",
        manager,
        held_order,
        reason="Pays weekly",
        changes={"waived": ["CREDIT_LIMIT"]},
    )


def test_rejecting_a_held_order(held_order, manager):
    from kept.promising.actions import reject_hold

    reject_hold(held_order, actor=manager, reason="Too much open")

    entry = _audited("order.reject", manager, held_order, reason="Too much open")
    assert entry.changes == {"lines": {"1": ["held", "declined"]}}


def test_a_customer_policy_override_and_its_removal(customer, manager):
    from kept.promising.policies import remove_customer_policy, save_customer_policy

    save_customer_policy(customer, {"min_lead_days": 3}, reason="Far away", actor=manager)
    _audited(
        "policy.customer",
        manager,
        customer,
        reason="Far away",
        changes={"min_lead_days": [None, 3]},
    )

    remove_customer_policy(customer, reason="Moved closer", actor=manager)
    _audited("policy.customer.remove", manager, customer, reason="Moved closer")


def test_a_group_policy_change(manager):
    from kept.promising.policies import save_group_policy

    save_group_policy(None, {"min_margin_percent": Decimal("12.5")}, actor=manager)

    entry = _audited("policy.group", manager)
    assert entry.changes["min_margin_percent"][1] == "12.5"


# customers: credit limit, payment terms, blocking


def test_a_credit_limit_change(customer, manager):
    from kept.customers.actions import update_customer

    update_customer(customer, {"credit_limit": Decimal("5000")}, actor=manager, reason="Grew")

    entry = _audited("customer.credit", manager, customer, reason="Grew")
    assert list(entry.changes) == ["credit_limit"]
    assert Decimal(entry.changes["credit_limit"][1]) == Decimal("5000")


def test_blocking_and_unblocking_a_customer(customer, manager):
    from kept.customers.actions import update_customer

    update_customer(
        customer, {"is_blocked": True, "blocked_reason": "Unpaid"}, actor=manager, reason="90d"
    )
    _audited(
        "customer.credit",
        manager,
        customer,
        reason="90d",
        changes={"is_blocked": [False, True], "blocked_reason": ["", "Unpaid"]},
    )

    update_customer(customer, {"is_blocked": False}, actor=manager, reason="Paid")
    entry = _audited("customer.credit", manager, customer, reason="Paid")
    assert entry.changes == {"is_blocked": [True, False], "blocked_reason": ["Unpaid", ""]}


# core: roles and API tokens


def test_a_role_change(staff, manager):
    from kept.core.actions import set_role

    set_role(staff, "manager", actor=manager, reason="Promoted")

    _audited(
        "user.set_role", manager, staff, reason="Promoted", changes={"role": ["staff", "manager"]}
    )


def test_creating_a_user_with_a_role(manager):
    from kept.core.actions import create_user

    user = create_user("newbie", "a-long-pass-phrase", "viewer", actor=manager)

    _audited("user.create", manager, user, changes={"role": [None, "viewer"]})


def test_creating_and_revoking_a_token(staff, manager):
    from kept.core.actions import create_token, revoke_token

    token, _raw = create_token(staff, name="shop", actor=manager)
    entry = _audited("token.create", manager, token)
    assert entry.changes == {"user": [None, "clerk"], "name": [None, "shop"]}

    revoke_token(token, actor=manager, reason="Left")
    entry = _audited("token.revoke", manager, token, reason="Left")
    assert list(entry.changes) == ["revoked_at"] and entry.changes["revoked_at"][0] is None


# servicedesk: complaint confirmation


def test_confirming_a_complaint(customer, staff, manager):
    from kept.servicedesk import actions

    ticket = actions.open_ticket(
        customer,
        subject="Torn bag",
        kind="complaint",
        complaint={"what_happened": "The bag tore", "root_cause": "staff"},
        actor=staff,
    )
    actions.confirm_complaint(ticket, reason="Photo", actor=manager)

    entry = _audited("complaint.confirm", manager, ticket, reason="Photo")
    assert entry.changes["confirmed_at"][0] is None and entry.changes["confirmed_at"][1]


# value: settings and VIP service


def test_changing_the_value_settings(manager):
    from kept.value.actions import update_value_settings

    update_value_settings({"clv_horizon_months": 24}, actor=manager)

    entry = _audited("value.rates_changed", manager)
    assert list(entry.changes) == ["clv_horizon_months"]
    assert entry.changes["clv_horizon_months"][1] == 24


def test_adding_and_ending_vip_service(customer, manager):
    from kept.value.actions import add_vip_service, end_vip_service

    today = timezone.localdate()
    service = add_vip_service("A1", "Own driver", today - timedelta(days=30), actor=manager)
    entry = _audited("value.vip_added", manager, service)
    assert entry.changes["description"] == [None, "Own driver"]

    end_vip_service(service.pk, today, actor=manager)
    _audited("value.vip_ended", manager, service, changes={"ended_on": [None, str(today)]})


# pipeline: stages and their targets


def _stage_formset(change: dict):
    from kept.pipeline.forms import StageFormSet
    from kept.pipeline.models import Stage

    stages = list(Stage.objects.order_by("position"))
    assert stages, "the data migration sets up the funnel's stages"
    data = {"form-TOTAL_FORMS": str(len(stages)), "form-INITIAL_FORMS": str(len(stages))}
    for i, stage in enumerate(stages):
        fields = {
            "id": stage.pk,
            "name": stage.name,
            "position": stage.position,
            "monthly_target": stage.monthly_target if stage.monthly_target is not None else "",
            "target_percent": stage.target_percent if stage.target_percent is not None else "",
        }
        fields.update(change.get(i, {}))
        data.update({f"form-{i}-{name}": value for name, value in fields.items()})
        if stage.is_won:
            data[f"form-{i}-is_won"] = "on"
    formset = StageFormSet(data, queryset=Stage.objects.order_by("position"))
    assert formset.is_valid(), formset.errors
    return stages, formset


def test_changing_a_stage_target(manager):
    from kept.pipeline.actions import save_stages

    stages, formset = _stage_formset({1: {"target_percent": "42.5"}})
    save_stages(formset, actor=manager)

    entry = _audited("funnel.stages", manager)
    old = stages[1].target_percent
    assert entry.changes["changed"] == {
        stages[1].name: {"target_percent": [None if old is None else str(old), "42.5"]}
    }


# team: scorecard items and periods


def test_scorecard_items_and_periods(manager):
    from kept.team.actions import close_period, open_period, reopen_period, save_item

    item = save_item(manager, None, {"text": "Answers the phone", "position": 9})
    _audited("scorecard.item.add", manager, item, changes={"text": [None, "Answers the phone"]})
    save_item(manager, item, {"retired": True})
    _audited("scorecard.item.change", manager, item, changes={"retired": [False, True]})

    period = open_period(timezone.localdate())
    close_period(period, manager)
    entry = _audited("scorecard.period.close", manager, period)
    assert entry.changes["closed_at"][0] is None and entry.changes["closed_at"][1]

    reopen_period(period, manager, reason="A score was wrong")
    entry = _audited("scorecard.period.reopen", manager, period, reason="A score was wrong")
    assert entry.changes["closed_at"][1] is None


# Settings changed in Django admin: SLA policies and their targets, the funnel's stages


def _admin_form_data(model_admin, request, obj, change: dict, inline_changes: dict) -> dict:
    """The admin change page of ``obj`` as a browser would send it back, with ``change`` on the
    main form and ``inline_changes[(prefix, index)]`` on an inline form."""

    def fields_of(form) -> dict:
        data = {}
        for name in form.fields:
            value, widget = form[name].value(), form.fields[name].widget
            if isinstance(widget, MultiWidget):  # e.g. a date and a time in two inputs
                for suffix, part in zip(
                    widget.widgets_names, widget.decompress(value), strict=True
                ):
                    data[form.add_prefix(name) + suffix] = "" if part is None else part
            elif value is True:
                data[form.add_prefix(name)] = "on"
            elif value not in (None, False):
                data[form.add_prefix(name)] = value
        return data

    form = model_admin.get_form(request, obj, change=True)(instance=obj)
    data = {**fields_of(form), **change}
    for inline in model_admin.get_inline_instances(request, obj):
        formset_class = inline.get_formset(request, obj)
        prefix = formset_class.get_default_prefix()
        formset = formset_class(instance=obj, prefix=prefix)
        management = formset.management_form
        data.update({management.add_prefix(n): management[n].value() for n in management.fields})
        for index, inline_form in enumerate(formset.forms):
            data.update(fields_of(inline_form))
            data.update(
                {
                    inline_form.add_prefix(k): v
                    for k, v in inline_changes.get((prefix, index), {}).items()
                }
            )
    return data


def _change_in_admin(client, user, obj, change: dict, inline_changes: dict | None = None):
    from django.contrib import admin
    from django.test import RequestFactory
    from django.urls import reverse

    model_admin = admin.site._registry[type(obj)]
    request = RequestFactory().get("/")
    request.user = user
    data = _admin_form_data(model_admin, request, obj, change, inline_changes or {})
    client.force_login(user)
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    response = client.post(url, data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors
        if (response.context and "adminform" in response.context)
        else response
    )


def test_an_sla_policy_change_in_admin(client, manager):
    from kept.servicedesk.models import SlaPolicy

    policy = SlaPolicy.objects.prefetch_related("targets").first()
    assert policy is not None, "the data migration sets up a default SLA policy"
    target = policy.targets.order_by("priority").first()
    old_first_response = str(target.first_response)

    _change_in_admin(
        client,
        manager,
        policy,
        {"name": "Everyone, faster"},
        {("targets", 0): {"first_response": "0:30:00"}},
    )

    entry = _audited("sla.policy", manager, policy)
    assert entry.changes["name"][1] == "Everyone, faster"
    (row, changed), *others = entry.changes["targets"].items()  # the row: "policy · priority"
    assert others == [] and row.startswith("Everyone, faster · ")
    assert changed == {"first_response": [old_first_response, "0:30:00"]}


def test_a_stage_target_change_in_admin(client, manager):
    from kept.pipeline.models import Stage

    stage = Stage.objects.order_by("position").first()
    old = stage.monthly_target

    _change_in_admin(client, manager, stage, {"monthly_target": "321"})

    entry = _audited("funnel.stage", manager, stage)
    assert entry.changes == {"monthly_target": [old, 321]}


def test_removing_a_customer_policy_in_admin(client, customer, make_user):
    # only a superuser may delete one in admin (managers' role has no delete permission)
    from django.urls import reverse

    from kept.promising.policies import save_customer_policy

    root = make_user("manager", "root", is_superuser=True)
    policy = save_customer_policy(customer, {"min_lead_days": 2}, reason="Far", actor=root)
    client.force_login(root)

    url = reverse("admin:promising_customerpolicy_delete", args=[policy.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302

    _audited("policy.customer.remove", root, customer, reason="admin")


def test_a_role_change_in_admin(client, staff, make_user):
    from django.contrib.auth.models import Group

    root = make_user("manager", "root", is_superuser=True)
    manager_group = Group.objects.get(name="manager")

    _change_in_admin(client, root, staff, {"groups": [manager_group.pk]})

    entry = _audited("user.permissions", root, staff)
    before, after = entry.changes["access"]
    assert before != after and "manager" in str(after)
