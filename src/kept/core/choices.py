from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MANAGER = "manager", _("Manager")
    STAFF = "staff", _("Staff")
    WAREHOUSE = "warehouse", _("Warehouse")
    VIEWER = "viewer", _("Viewer")
