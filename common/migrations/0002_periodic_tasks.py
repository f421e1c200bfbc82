"""The platform's periodic jobs (DESIGN §6), scheduled with django-celery-beat's database scheduler.

Times are Asia/Shanghai. Officials may change a schedule or switch a job off in the admin (*Periodic tasks*); a
later deployment does not undo that, since only this migration writes them.
"""

from django.db import migrations

TZ = "Asia/Shanghai"

# name, task, schedule: ("every", minutes) or ("cron", minute, hour, day_of_month)
JOBS = [
    ("发送待发任务（事务发件箱）", "common.drain_outbox", ("every", 1)),
    ("带量采购批次定时推进（报量截止、开标、执行起止）", "procurement.refresh_tenders", ("every", 1)),
    ("订单超时标记（24 小时响应、72 小时配送）", "procurement.flag_overdue_orders", ("every", 15)),
    ("约定采购量完成进度（每晚全量计算）", "procurement.compute_commitment_progress", ("cron", "30", "1", "*")),
    ("价格监测夜间扫描（各检测器，增量）", "pricing.scan_prices", ("cron", "0", "2", "*")),
    ("短缺药品监测（每日）", "pricing.shortage_watch", ("cron", "0", "3", "*")),
    ("信用评价记录生效/到期、季度评级、中选参考价同步（每日）", "pricing.credit_maintenance", ("cron", "30", "1", "*")),
    ("医保直接结算：生成上月结算单并扣减医疗机构", "settlement.generate_monthly", ("cron", "30", "1", "1")),
    ("医保直接结算：逾期与即将到期检查、逾期未确认视同确认", "settlement.daily_check", ("cron", "15", "1", "*")),
]


def forwards(apps, schema_editor):
    """The schedules (reused when one is there already), then every job in one statement, by name."""
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedules = {}
    for _name, _task, schedule in JOBS:
        if schedule in schedules:
            continue
        if schedule[0] == "every":
            interval, _ = IntervalSchedule.objects.get_or_create(every=schedule[1], period="minutes")
            schedules[schedule] = {"interval": interval, "crontab": None}
        else:
            _, minute, hour, day_of_month = schedule
            crontab, _ = CrontabSchedule.objects.get_or_create(
                minute=minute, hour=hour, day_of_month=day_of_month, month_of_year="*", day_of_week="*", timezone=TZ
            )
            schedules[schedule] = {"crontab": crontab, "interval": None}
    PeriodicTask.objects.bulk_create(
        [PeriodicTask(name=name, task=task, enabled=True, **schedules[schedule]) for name, task, schedule in JOBS],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["task", "enabled", "interval", "crontab"],
    )


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task__in=[job[1] for job in JOBS]).delete()


class Migration(migrations.Migration):
    dependencies = [("common", "0001_initial"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(forwards, backwards)]
