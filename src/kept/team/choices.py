from django.db import models
from django.utils.translation import gettext_lazy as _


class DefaultItem(models.TextChoices):
    """The four behaviours of SPEC 2.9. An item with one of these keys and no text of its own
    shows this text, translated into the reader's language."""

    RESPECT = "respect", _("Respects and thanks the customer")
    OWNS_PROBLEM = "owns_problem", _("Owns the customer's problem even when it is not their fault")
    VALUE_FIRST = "value_first", _("Treats customer value as the first KPI")
    UNSPOKEN_NEEDS = "unspoken_needs", _("Looks for the customer's unspoken needs")
