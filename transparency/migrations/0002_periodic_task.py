"""The periodic check of objections' answer deadlines and ended notice periods (transparency.check_deadlines), hourly
(django-celery-beat; officials may change or switch it off in the admin)."""

from django.db import migrations

NAME = "异议答复期限与公示期满提醒（每小时）"
TASK = "transparency.check_deadlines"


def forwards(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(every=60, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=NAME, defaults={"task": TASK, "enabled": True, "interval": interval, "crontab": None}
    )


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [("transparency", "0001_initial"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(forwards, backwards)]
