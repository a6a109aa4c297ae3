"""A desk that works Monday to Friday, 09:00–18:00 with a lunch hour, in the business time
zone, and one catch-all SLA policy with targets per priority. Both are edited in Settings."""

from datetime import time, timedelta

from django.conf import settings
from django.db import migrations

HOURS = {  # priority: (first response, resolution), in business hours
    "urgent": (1, 4),
    "high": (2, 8),
    "normal": (4, 16),
    "low": (8, 40),
}


def create(apps, schema_editor):
    Calendar = apps.get_model("servicedesk", "BusinessCalendar")
    Interval = apps.get_model("servicedesk", "WorkingInterval")
    Policy = apps.get_model("servicedesk", "SlaPolicy")
    Target = apps.get_model("servicedesk", "SlaTarget")
    if Policy.objects.exists():
        return
    calendar = Calendar.objects.create(name="Office hours", time_zone=settings.TIME_ZONE)
    Interval.objects.bulk_create(
        Interval(calendar=calendar, weekday=day, start=start, end=end)
        for day in range(5)
        for start, end in ((time(9), time(12)), (time(13), time(18)))
    )
    policy = Policy.objects.create(
        name="Default",
        position=1000,
        calendar=calendar,
        pause_statuses=["waiting_customer", "waiting_third_party"],
    )
    Target.objects.bulk_create(
        Target(
            policy=policy,
            priority=priority,
            first_response=timedelta(hours=first),
            resolution=timedelta(hours=resolution),
        )
        for priority, (first, resolution) in HOURS.items()
    )


class Migration(migrations.Migration):
    dependencies = [("servicedesk", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
