from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PipelineConfig(AppConfig):
    name = "kept.pipeline"
    label = "pipeline"
    verbose_name = _("Funnel")

    def ready(self) -> None:
        # the wording of the funnel alerts, for the notifications page of every process
        from kept.pipeline import tasks  # noqa: F401
