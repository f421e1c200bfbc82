"""The nightly job that creates the flow tables' monthly partitions ahead and reports rows in DEFAULT partitions
(common.partitions), scheduled like the other periodic jobs (0002)."""

from django.db import migrations

NAME = "流水表按月分区：提前创建分区，检查默认分区"
TASK = "common.ensure_partitions"


def forwards(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="45", hour="0", day_of_month="*", month_of_year="*", day_of_week="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.update_or_create(name=NAME, defaults={"task": TASK, "enabled": True, "crontab": crontab})


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [("common", "0003_partition_audit_events"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(forwards, backwards)]
