"""OpenAPI links: what a client may call next with what an answer gave it.

A link says, for instance, that the ``code`` in the answer of "create a customer" is the
``{code}`` of "get a customer". Clients read them as documentation; schemathesis follows them
to test sequences of calls (create, then read, change, archive). All links are declared here,
by operation id, and added to the generated schema by ``add_links``; a link naming an
operation or parameter that does not exist raises, so the declaration cannot go stale.
"""

from __future__ import annotations

from typing import Any

#: {source operation id: (status, {target operation id: {parameter: expression}})}
_BY_CODE = {"code": "$response.body#/code"}
_CONTACT = {"code": "$request.path.code", "contact_id": "$response.body#/id"}
_RECEIPT = {"receipt_id": "$response.body#/id"}
_ORDER = {"number": "$response.body#/order"}
_TICKET = {"ticket_id": "$response.body#/id"}
_LEAD = {"lead_id": "$response.body#/id"}
_SUBSCRIPTION = {"pk": "$response.body#/id"}

LINKS: dict[str, tuple[int, dict[str, dict[str, Any]]]] = {
    "kept_customers_api_create_customer": (
        201,
        {
            "kept_customers_api_get_customer": _BY_CODE,
            "kept_customers_api_patch_customer": _BY_CODE,
            "kept_customers_api_replace_customer": _BY_CODE,
            "kept_customers_api_archive_customer": _BY_CODE,
            "kept_customers_api_list_contacts": _BY_CODE,
            "kept_customers_api_add_contact": _BY_CODE,
            "kept_customers_api_list_interactions": _BY_CODE,
            "kept_customers_api_log_interaction": _BY_CODE,
            "kept_receivables_api_customer_credit": _BY_CODE,
            "kept_promising_api_policies_get_customer_policy": _BY_CODE,
            "kept_promising_api_policies_put_customer_policy": _BY_CODE,
            "kept_promising_api_policies_delete_customer_policy": _BY_CODE,
            "kept_value_api_customer_value": _BY_CODE,
        },
    ),
    "kept_customers_api_add_contact": (
        201,
        {
            "kept_customers_api_update_contact": _CONTACT,
            "kept_customers_api_delete_contact": _CONTACT,
        },
    ),
    "kept_catalog_api_create_product": (
        201,
        {
            "kept_catalog_api_get_product": {"sku": "$response.body#/sku"},
            "kept_catalog_api_patch_product": {"sku": "$response.body#/sku"},
            "kept_catalog_api_replace_product": {"sku": "$response.body#/sku"},
            "kept_promising_api_availability": {"sku": "$response.body#/sku"},
        },
    ),
    "kept_catalog_api_schedule_receipt": (
        201,
        {
            "kept_catalog_api_get_receipt": _RECEIPT,
            "kept_catalog_api_reschedule_receipt": _RECEIPT,
            "kept_catalog_api_receive_receipt": _RECEIPT,
            "kept_catalog_api_cancel_receipt": _RECEIPT,
            "kept_promising_api_delay_receipt": _RECEIPT,
            "kept_promising_api_cancel_receipt": _RECEIPT,
        },
    ),
    "kept_receivables_api_issue_invoice": (
        201,
        {"kept_receivables_api_get_invoice": {"number": "$response.body#/number"}},
    ),
    "kept_receivables_api_record_payment": (
        201,
        {"kept_receivables_api_get_payment": {"payment_id": "$response.body#/id"}},
    ),
    "kept_promising_api_promise": (
        201,
        {
            "kept_promising_api_get_order": _ORDER,
            "kept_promising_api_accept": _ORDER,
            "kept_promising_api_approve": _ORDER,
            "kept_promising_api_reject": _ORDER,
            "kept_promising_api_cancel": _ORDER,
            "kept_promising_api_change": {**_ORDER, "line": "$response.body#/lines/0/line"},
        },
    ),
    "kept_replenishment_api_create": (
        201,
        {
            "kept_replenishment_api_detail": _SUBSCRIPTION,
            "kept_replenishment_api_change": _SUBSCRIPTION,
            "kept_replenishment_api_read": _SUBSCRIPTION,
            "kept_replenishment_api_answer": {"subscription": "$response.body#/id"},
        },
    ),
    "kept_servicedesk_api_create": (
        201,
        {
            "kept_servicedesk_api_detail": _TICKET,
            "kept_servicedesk_api_change": _TICKET,
            "kept_servicedesk_api_add_message": _TICKET,
            "kept_servicedesk_api_set_status": _TICKET,
            "kept_servicedesk_api_put_complaint": _TICKET,
            "kept_servicedesk_api_confirm": _TICKET,
        },
    ),
    "kept_pipeline_api_create_lead": (
        201,
        {
            "kept_pipeline_api_get_lead": _LEAD,
            "kept_pipeline_api_patch_lead": _LEAD,
            "kept_pipeline_api_move_lead": _LEAD,
            "kept_pipeline_api_lose_lead": _LEAD,
            "kept_pipeline_api_win_lead": _LEAD,
        },
    ),
    "kept_pipeline_api_win_lead": (
        201,
        {
            "kept_customers_api_get_customer": {"code": "$response.body#/customer"},
            "kept_pipeline_api_get_lead": {"lead_id": "$response.body#/lead"},
        },
    ),
}


def _link_name(operation_id: str) -> str:
    """``kept_customers_api_get_customer`` → ``CustomersGetCustomer``."""
    name = operation_id.removeprefix("kept_").replace("_api_", "_")
    return "".join(part.capitalize() for part in name.split("_"))


def add_links(schema: dict) -> dict:
    """Add ``LINKS`` to the responses of a generated schema (in place); return it."""
    operations = {
        operation["operationId"]: operation
        for item in schema["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    for source, (status, targets) in LINKS.items():
        responses = operations[source]["responses"]
        response = responses[status if status in responses else str(status)]
        links = response.setdefault("links", {})
        for target, parameters in targets.items():
            names = {
                p["name"] for p in operations[target].get("parameters", []) if p["in"] == "path"
            }
            if set(parameters) != names:
                raise ValueError(
                    f"link {source} → {target}: {sorted(parameters)} ≠ {sorted(names)}"
                )
            links[_link_name(target)] = {"operationId": target, "parameters": dict(parameters)}
    return schema
