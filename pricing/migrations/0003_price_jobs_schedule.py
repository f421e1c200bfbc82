from django.db import migrations

JOBS = [
    # name, task, hour, minute
    ("价格监测夜间扫描（各检测器，增量）", "pricing.scan_prices", "2", "0"),
    ("短缺药品监测（每日）", "pricing.shortage_watch", "3", "0"),
    ("信用评价记录生效/到期、季度评级、中选参考价同步（每日）", "pricing.credit_maintenance", "1", "30"),
]


def forwards(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, hour, minute in JOBS:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
        )
        PeriodicTask.objects.update_or_create(name=name, defaults={"task": task, "crontab": crontab, "enabled": True})


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task__in=[j[1] for j in JOBS]).delete()


class Migration(migrations.Migration):
    dependencies = [("pricing", "0002_review_workflow_ratings_and_scan_lock"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(forwards, backwards)]
