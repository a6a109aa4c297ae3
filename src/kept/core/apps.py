from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kept.core"
    label = "core"
    verbose_name = _("Kept core")

    def ready(self) -> None:
        from kept.core.roles import sync_roles_after_migrate

        # Groups and their permissions are configuration, kept in code and re-applied
        # after every migrate so that a new permission reaches its roles at once.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="kept.sync_roles")
