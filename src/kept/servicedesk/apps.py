from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicedeskConfig(AppConfig):
    name = "kept.servicedesk"
    label = "servicedesk"
    verbose_name = _("Service desk")

    def ready(self) -> None:
        # the wording of the SLA warnings, for the notifications page of every process
        from kept.servicedesk import tasks  # noqa: F401
