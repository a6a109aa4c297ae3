from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromisingConfig(AppConfig):
    name = "kept.promising"
    label = "promising"
    verbose_name = _("Promising")
