"""The base of every Kept resource: django-import-export, with Kept's rules added.

- every row is checked with the model's ``full_clean`` before it is written;
- a bad reference or value is reported against its column, never as a crash;
- no HTML diff is built and ids are never imported (so no sequence is reset).
"""

from __future__ import annotations

from django.core.exceptions import MultipleObjectsReturned, ValidationError
from django.db.models.fields import NOT_PROVIDED
from django.utils.translation import gettext as _
from import_export import fields, resources

from kept.core.roles import can_see_financials


def column(attribute: str, widget, *, default=NOT_PROVIDED, readonly: bool = False) -> fields.Field:
    """A resource field whose column in the file is named like the model field."""
    return fields.Field(
        attribute=attribute,
        column_name=attribute,
        widget=widget,
        default=default,
        readonly=readonly,
    )


def may_see_financials(user) -> bool:
    """``None`` is the system itself (the command line), which sees everything."""
    return user is None or can_see_financials(user)


def has_permission(user, permission: str) -> bool:
    return user is None or user.has_perm(permission)


class KeptResource(resources.ModelResource):
    #: Columns written on export and accepted, but ignored, on import.
    readonly_columns: tuple[str, ...] = ()
    #: Columns only for users who may see cost, margin and profit.
    financial_columns: tuple[str, ...] = ()
    #: Model fields that the saving action fills in, so ``full_clean`` must skip them.
    clean_exclude: tuple[str, ...] = ()
    #: True when the action that saves a row runs ``full_clean`` before writing.
    action_validates: bool = False

    class Meta:
        clean_model_instances = True
        skip_diff = True
        store_instance = True
        use_transactions = True

    def __init__(self, *, actor=None):
        super().__init__()
        self.actor = actor

    def columns(self, *, financials: bool, readonly: bool) -> list[str]:
        """Column names in file order, without financial or read-only ones unless asked."""
        names = [field.column_name for field in self.get_export_fields()]
        return [
            name
            for name in names
            if (financials or name not in self.financial_columns)
            and (readonly or name not in self.readonly_columns)
        ]

    def get_export_queryset(self):
        """What an export writes, with its relations loaded (no query per row)."""
        return self.get_queryset()

    def column_of(self, attribute: str) -> str:
        """The column a model field's error belongs to ("" for the row as a whole)."""
        for field in self.fields.values():
            if field.attribute == attribute:
                return field.column_name
        return "" if attribute == "__all__" else attribute

    def import_row(self, row, instance_loader, **kwargs):
        row_result = super().import_row(row, instance_loader, **kwargs)
        row_result.number = kwargs.get("row_number")
        if row_result.validation_error is not None:
            row_result.validation_error = _plainer(row_result.validation_error)
        return row_result

    def get_instance(self, instance_loader, row):
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            # A bad key (an unknown customer code, say) is reported by import_instance,
            # against its column; here it only means "not found".
            return None
        except MultipleObjectsReturned as error:
            key = self.get_import_id_fields()[-1]
            raise ValidationError(
                {key: _("More than one record matches this row, so it is unclear which to update.")}
            ) from error

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if self.action_validates and not import_validation_errors:
            return  # the saving action runs full_clean itself; once is enough
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude=[*errors, *self.clean_exclude], validate_unique=validate_unique
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def after_import(self, dataset, result, **kwargs):
        # ModelResource resets the id sequences here; Kept never imports ids, and a reset
        # while others insert would move a PostgreSQL sequence backwards.
        pass


def _plainer(error: ValidationError) -> ValidationError:
    """Django's "This field cannot be null/blank." says little in a spreadsheet."""
    if not hasattr(error, "error_dict"):
        return error
    empty = _("This cell is empty, but a value is required.")
    return ValidationError(
        {
            field: [
                ValidationError(empty) if getattr(item, "code", None) in {"null", "blank"} else item
                for item in items
            ]
            for field, items in error.error_dict.items()
        }
    )
