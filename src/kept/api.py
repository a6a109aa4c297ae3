"""The REST API at /api/v1/: one NinjaAPI, one router per module."""

from ninja import NinjaAPI

from kept import __version__
from kept.catalog.api import router as catalog_router
from kept.core.api_links import add_links
from kept.core.api_support import AUTH, docs_need_login, install_error_handlers
from kept.customers.api import router as customers_router
from kept.feedback.api import router as feedback_router
from kept.fulfilment.api import router as fulfilment_router
from kept.pipeline.api import router as pipeline_router
from kept.promising.api import router as promising_router
from kept.promising.api_policies import router as policies_router
from kept.receivables.api import router as receivables_router
from kept.replenishment.api import router as replenishment_router
from kept.servicedesk.api import router as servicedesk_router
from kept.team.api import router as team_router
from kept.value.api import router as value_router


class KeptApi(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """The generated schema, with the links between operations (core/api_links.py)."""
        return add_links(super().get_openapi_schema(**kwargs))


api = KeptApi(
    title="Kept API",
    version=__version__,
    description=(
        "Token auth: `Authorization: Bearer <token>` (create one with `kept token create USER`). "
        'Errors are `{"code", "message", "details"}`.'
    ),
    auth=AUTH,
    urls_namespace="api",
    docs_decorator=docs_need_login,
)
install_error_handlers(api)
api.add_router("/customers", customers_router)
api.add_router("/", catalog_router)
api.add_router("/", receivables_router)
api.add_router("/", promising_router)
api.add_router("/", policies_router)
api.add_router("/", fulfilment_router)
api.add_router("/", replenishment_router)
api.add_router("/", servicedesk_router)
api.add_router("/", feedback_router)
api.add_router("/value", value_router)
api.add_router("/", pipeline_router)
api.add_router("/", team_router)
