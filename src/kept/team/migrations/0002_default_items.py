"""The four behaviour items of SPEC 2.9. Stored with their key and no text, so each reader
sees them in their own language until a manager rewrites one."""

from django.db import migrations

DEFAULT_KEYS = ["respect", "owns_problem", "value_first", "unspoken_needs"]


def create_defaults(apps, schema_editor):
    item = apps.get_model("team", "BehaviourItem")
    for position, key in enumerate(DEFAULT_KEYS, start=1):
        item.objects.get_or_create(key=key, defaults={"position": position})


def remove_unused_defaults(apps, schema_editor):
    item = apps.get_model("team", "BehaviourItem")
    item.objects.filter(key__in=DEFAULT_KEYS, scores__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("team", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, remove_unused_defaults)]
