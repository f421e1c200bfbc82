"""Statement generation runs every day at 01:30: with a semi-monthly or weekly cycle (SETTLEMENT_CYCLE) a period ends
more often than monthly, and on a day no period ended the job finds its period built and does nothing."""

from django.db import migrations

TASK = "settlement.generate_monthly"
NAME = "医保直接结算：生成已结束结算周期的结算单并按月扣减医疗机构"
TZ = "Asia/Shanghai"


def forwards(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    daily, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="1", day_of_month="*", month_of_year="*", day_of_week="*", timezone=TZ
    )
    PeriodicTask.objects.filter(task=TASK).update(name=NAME, crontab=daily)


def backwards(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    monthly, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="1", day_of_month="1", month_of_year="*", day_of_week="*", timezone=TZ
    )
    PeriodicTask.objects.filter(task=TASK).update(name="医保直接结算：生成上月结算单并扣减医疗机构", crontab=monthly)


class Migration(migrations.Migration):
    dependencies = [("settlement", "0004_fund_review_and_cycles"), ("common", "0002_periodic_tasks")]
    operations = [migrations.RunPython(forwards, backwards)]
