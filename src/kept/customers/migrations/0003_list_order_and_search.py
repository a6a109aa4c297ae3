"""The customer list at 100 k customers (P5): an index in the list's order, and on PostgreSQL
trigram indexes for the search's ``icontains`` (``UPPER(col) LIKE UPPER('%text%')``) on the
customer's and the contacts' names and phones.

pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it. Where it
cannot be created, search still works, by scanning, and the migration says so."""

from django.conf import settings
from django.db import DatabaseError, migrations, models, transaction

TRIGRAM_INDEXES = [  # (index, table, column)
    ("customer_name_trgm", "customers_customer", "name"),
    ("customer_alias_trgm", "customers_customer", "alias"),
    ("customer_code_trgm", "customers_customer", "code"),
    ("customer_phone_trgm", "customers_customer", "phone"),
    ("contact_name_trgm", "customers_contact", "name"),
    ("contact_phone_trgm", "customers_contact", "phone"),
]


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as error:
        print(f"\n  pg_trgm is not available ({error}): customer search will scan.")  # noqa: T201
        return
    for index, table, column in TRIGRAM_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {index} ON {table} "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index, _table, _column in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0002_alter_interaction_kind"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                condition=models.Q(("is_active", True)), fields=["name", "code"], name="customer_list"
            ),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
