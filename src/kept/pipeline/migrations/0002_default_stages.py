"""The default funnel of SPEC 2.8: inquiry (500 a month) → visit (70 %) → purchase (60 %, the
won stage) → repeat/referral (10 %). Managers rename and retarget them on the stages page."""

from decimal import Decimal

from django.db import migrations

DEFAULT_STAGES = [
    # name, position, target %, monthly target, won
    ("Inquiry", 10, None, 500, False),
    ("Visit", 20, Decimal("70"), None, False),
    ("Purchase", 30, Decimal("60"), None, True),
    ("Repeat / referral", 40, Decimal("10"), None, False),
]


def create_stages(apps, schema_editor):
    Stage = apps.get_model("pipeline", "Stage")
    if Stage.objects.exists():
        return
    Stage.objects.bulk_create(
        Stage(name=name, position=position, target_percent=percent, monthly_target=monthly,
              is_won=won)
        for name, position, percent, monthly, won in DEFAULT_STAGES
    )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0001_initial")]

    operations = [migrations.RunPython(create_stages, migrations.RunPython.noop)]
