"""The nightly OCDS publishing (django-celery-beat's database scheduler), beside the jobs of common 0002."""

from django.db import migrations

TZ = "Asia/Shanghai"
NAME = "OCDS 发布：各批次及约定采购过程的变化（每晚）"
TASK = "ocds.publish_all"


def forwards(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="4", day_of_month="*", month_of_year="*", day_of_week="*", timezone=TZ
    )
    PeriodicTask.objects.update_or_create(name=NAME, defaults={"task": TASK, "enabled": True, "crontab": crontab})


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [("ocds", "0001_initial"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(forwards, backwards)]
