"""Roles of SPEC 1 as Django groups, with their permissions kept in code.

| role      | sees and does                                                          |
| manager   | everything, including cost, margin and profit; configures; approves    |
| staff     | customers, the notebook, orders; no cost, margin or profit             |
| warehouse | stock, receipts, deliveries                                            |
| viewer    | read-only staff view                                                   |
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from kept.core.choices import Role

FINANCIALS = "core.view_financials"

_VIEW_CUSTOMERS = [
    "customers.view_customer",
    "customers.view_contact",
    "customers.view_interaction",
    "customers.view_customergroup",
    "customers.view_region",
    "customers.view_tag",
]
_EDIT_CUSTOMERS = [
    "customers.add_customer",
    "customers.change_customer",
    "customers.add_contact",
    "customers.change_contact",
    "customers.delete_contact",
    "customers.add_interaction",
    "customers.add_tag",
]
_VIEW_CATALOG = [
    "catalog.view_product",
    "catalog.view_stocklevel",
    "catalog.view_stockmovement",
    "catalog.view_receipt",
]
_WAREHOUSE = [
    "catalog.add_stockmovement",
    "catalog.add_receipt",
    "catalog.change_receipt",
]
_VIEW_RECEIVABLES = [
    "receivables.view_invoice",
    "receivables.view_payment",
    "receivables.view_allocation",
]
_MANAGE_RECEIVABLES = [
    "receivables.add_invoice",
    "receivables.change_invoice",
    "receivables.add_payment",
    "receivables.add_allocation",
]
_VIEW_PROMISES = [
    "promising.view_order",
    "promising.view_orderline",
    "promising.view_promiseversion",
]
_PROMISE = [
    "promising.add_order",
    "promising.change_order",
]
_MANAGE_PROMISES = [
    "promising.approve_hold",
    "promising.view_promisepolicy",
    "promising.add_promisepolicy",
    "promising.change_promisepolicy",
    "promising.view_customerpolicy",
    "promising.add_customerpolicy",
    "promising.change_customerpolicy",
]
_VIEW_DELIVERIES = [
    "fulfilment.view_delivery",
    "fulfilment.view_servicetolerance",
]
_DELIVER = ["fulfilment.add_delivery"]
_MANAGE_SERVICE = [
    "fulfilment.change_delivery",  # a quality problem confirmed after the delivery
    "fulfilment.add_servicetolerance",
    "fulfilment.change_servicetolerance",
]
_VIEW_PLAN = [
    "replenishment.view_subscription",
    "replenishment.view_reading",
    "replenishment.view_proposal",
]
_PLAN = [
    "replenishment.add_subscription",
    "replenishment.change_subscription",
    "replenishment.add_reading",
    "replenishment.add_proposal",
]
_VIEW_DESK = [
    "servicedesk.view_ticket",
    "servicedesk.view_ticketmessage",
    "servicedesk.view_ticketstatuschange",
    "servicedesk.view_complaint",
    "servicedesk.view_slapolicy",
    "servicedesk.view_slatarget",
    "servicedesk.view_businesscalendar",
]
_WORK_DESK = [  # open tickets (hand-offs too), reply, assign, change status
    "servicedesk.add_ticket",
    "servicedesk.change_ticket",
    "servicedesk.add_ticketmessage",
]
_COMPLAINTS = ["servicedesk.add_complaint", "servicedesk.change_complaint"]
_MANAGE_DESK = [
    "servicedesk.confirm_complaint",  # marks the delivery not OK: the service level changes
    "servicedesk.add_slapolicy",
    "servicedesk.change_slapolicy",
    "servicedesk.add_slatarget",
    "servicedesk.change_slatarget",
    "servicedesk.delete_slatarget",
    "servicedesk.add_businesscalendar",
    "servicedesk.change_businesscalendar",
    "servicedesk.view_workinginterval",
    "servicedesk.add_workinginterval",
    "servicedesk.change_workinginterval",
    "servicedesk.delete_workinginterval",
    "servicedesk.view_holiday",
    "servicedesk.add_holiday",
    "servicedesk.change_holiday",
    "servicedesk.delete_holiday",
]
_VIEW_SURVEYS = ["feedback.view_survey"]
_SURVEY = ["feedback.add_survey"]
_MANAGE_SURVEYS = ["feedback.view_surveypolicy", "feedback.change_surveypolicy"]
_MANAGE_VALUE = [  # cost-to-serve, CLV and their settings: managers only (with FINANCIALS)
    "value.view_valuesettings",
    "value.change_valuesettings",
    "value.view_vipservice",
    "value.add_vipservice",
    "value.change_vipservice",
    "value.view_marketingspend",
    "value.add_marketingspend",
    "value.change_marketingspend",
    "value.view_quadrantstrategy",
    "value.add_quadrantstrategy",
    "value.change_quadrantstrategy",
    "value.view_customervalue",
    "value.view_valuerun",
    "value.add_valuerun",
]
# The funnel (pipeline app): leads worked by the office, stages and targets set by managers.
_VIEW_LEADS: list[str] = [
    "pipeline.view_lead",
    "pipeline.view_stage",
    "pipeline.view_stageentry",
    "pipeline.view_funnelalert",
]
_WORK_LEADS: list[str] = ["pipeline.add_lead", "pipeline.change_lead"]
_MANAGE_FUNNEL: list[str] = ["pipeline.add_stage", "pipeline.change_stage"]
# Value scorecards (team app): every member of the team scores; managers set the items.
_SCORE = [
    "team.view_behaviouritem",
    "team.view_period",
    "team.view_score",
    "team.add_score",
    "team.change_score",
]
_MANAGE_SCORECARDS = [
    "team.add_behaviouritem",
    "team.change_behaviouritem",
    "team.change_period",  # close a period
    "team.view_raters",  # who gave which score: peers see only aggregates
]
_MANAGE = [
    "customers.delete_customer",
    "customers.manage_credit",
    "customers.add_customergroup",
    "customers.change_customergroup",
    "customers.add_region",
    "customers.change_region",
    "customers.change_tag",
    "customers.delete_tag",
    "catalog.add_product",
    "catalog.change_product",
    "core.view_auditentry",
    "core.view_apitoken",
    "core.change_apitoken",
    "auth.view_user",
    "auth.add_user",
    "auth.change_user",
    "auth.view_group",
    FINANCIALS,
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.MANAGER: _VIEW_CUSTOMERS
    + _EDIT_CUSTOMERS
    + _VIEW_CATALOG
    + _WAREHOUSE
    + _MANAGE
    + _VIEW_RECEIVABLES
    + _MANAGE_RECEIVABLES
    + _VIEW_PROMISES
    + _PROMISE
    + _MANAGE_PROMISES
    + _VIEW_DELIVERIES
    + _DELIVER
    + _MANAGE_SERVICE
    + _VIEW_PLAN
    + _PLAN
    + _VIEW_DESK
    + _WORK_DESK
    + _COMPLAINTS
    + _MANAGE_DESK
    + _VIEW_SURVEYS
    + _SURVEY
    + _MANAGE_SURVEYS
    + _MANAGE_VALUE
    + _VIEW_LEADS
    + _WORK_LEADS
    + _MANAGE_FUNNEL
    + _SCORE
    + _MANAGE_SCORECARDS,
    Role.STAFF: _VIEW_CUSTOMERS
    + _EDIT_CUSTOMERS
    + _VIEW_CATALOG
    + _VIEW_RECEIVABLES
    + _VIEW_PROMISES
    + _PROMISE
    + _VIEW_DELIVERIES
    + _VIEW_PLAN
    + _PLAN
    + _VIEW_DESK
    + _WORK_DESK
    + _COMPLAINTS
    + _VIEW_SURVEYS
    + _SURVEY
    + _VIEW_LEADS
    + _WORK_LEADS
    + _SCORE,
    Role.WAREHOUSE: _VIEW_CATALOG
    + _WAREHOUSE
    + _VIEW_PROMISES
    + _VIEW_DELIVERIES
    + _DELIVER
    + _VIEW_PLAN
    + ["replenishment.add_reading"]  # the crew sees the jar
    + _VIEW_DESK
    + _WORK_DESK  # hand-offs between departments
    + _SCORE,
    Role.VIEWER: _VIEW_CUSTOMERS
    + _VIEW_CATALOG
    + _VIEW_RECEIVABLES
    + _VIEW_PROMISES
    + _VIEW_DELIVERIES
    + _VIEW_PLAN
    + _VIEW_DESK
    + _VIEW_SURVEYS
    + _VIEW_LEADS,
}


def _permissions(names: list[str]) -> list[Permission]:
    wanted = {tuple(name.split(".", 1)) for name in names}
    found = Permission.objects.filter(content_type__app_label__in={a for a, _c in wanted})
    return [
        p
        for p in found.select_related("content_type")
        if (p.content_type.app_label, p.codename) in wanted
    ]


def missing_permissions() -> set[str]:
    """Names in ROLE_PERMISSIONS that do not exist as permissions (a typo, or an unmigrated app)."""
    names = {name for perms in ROLE_PERMISSIONS.values() for name in perms}
    present = {f"{p.content_type.app_label}.{p.codename}" for p in _permissions(sorted(names))}
    return names - present


@transaction.atomic
def sync_roles() -> None:
    """Create the four groups and give each exactly the permissions of its role."""
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set(_permissions(names))


def sync_roles_after_migrate(sender, using="default", **kwargs) -> None:  # noqa: ARG001
    # post_migrate fires once per app; the last call sees every permission.
    sync_roles()


def role_of(user) -> str | None:
    """The user's role: the first of manager, staff, warehouse, viewer they belong to."""
    if not user.is_authenticated:
        return None
    names = {group.name for group in user.groups.all()}
    return next((role for role in Role.values if role in names), None)


def can_see_financials(user) -> bool:
    return user.is_authenticated and user.has_perm(FINANCIALS)
