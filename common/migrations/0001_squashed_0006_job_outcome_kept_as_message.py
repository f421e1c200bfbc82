"""Common's tables in their form after 0001-0006, created at once (`CreateModels`), then the periodic jobs (0002),
the audit trail partitioned by month (0003) and the partition job's schedule (0004).

Used by a fresh database; a database that has the replaced migrations applied records this one as applied too. 0005's filling of the
message columns from existing texts is left out: a fresh database has none.
"""

import common.migration_operations
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from common.partitions.convert import migration_operation


TZ = "Asia/Shanghai"


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


def schedule_jobs(apps, schema_editor):
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


def unschedule_jobs(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task__in=[job[1] for job in JOBS]).delete()


PARTITION_JOB = "流水表按月分区：提前创建分区，检查默认分区"


PARTITION_TASK = "common.ensure_partitions"


def schedule_partitions(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="45", hour="0", day_of_month="*", month_of_year="*", day_of_week="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.update_or_create(name=PARTITION_JOB, defaults={"task": PARTITION_TASK, "enabled": True, "crontab": crontab})


def unschedule_partitions(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=PARTITION_TASK).delete()


class Migration(migrations.Migration):

    replaces = [
        ('common', '0001_initial'),
        ('common', '0002_periodic_tasks'),
        ('common', '0003_partition_audit_events'),
        ('common', '0004_partition_schedule'),
        ('common', '0005_messages_kept_as_code_and_parameters'),
        ('common', '0006_job_outcome_kept_as_message'),
    ]

    initial = True

    dependencies = [
        ('accounts', '0001_squashed_0004_pharmacy_kind_and_role'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('django_celery_beat', '0019_alter_periodictasks_options'),
    ]

    operations = [
        common.migration_operations.CreateModels(
            operations=[
                migrations.CreateModel(
                    name='Job',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=50, verbose_name='类型')),
                        ('params', models.JSONField(blank=True, default=dict, verbose_name='参数')),
                        ('status', models.CharField(choices=[('queued', '排队中'), ('running', '运行中'), ('succeeded', '已完成'), ('failed', '失败')], default='queued', max_length=10, verbose_name='状态')),
                        ('message', models.TextField(blank=True, verbose_name='结果')),
                        ('result', models.JSONField(blank=True, default=dict, verbose_name='结果数据')),
                        ('link', models.CharField(blank=True, max_length=300, verbose_name='结果链接')),
                        ('language', models.CharField(blank=True, max_length=16, verbose_name='语言')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='开始时间')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='结束时间')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='发起人')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.organization', verbose_name='机构')),
                        ('message_data', models.JSONField(blank=True, default=dict, verbose_name='结果（消息）')),
                    ],
                    options={
                        'verbose_name': '后台任务',
                        'verbose_name_plural': '后台任务',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [],
                        'constraints': [],
                    },
                ),
                migrations.CreateModel(
                    name='OutboxMessage',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('task', models.CharField(max_length=200, verbose_name='任务')),
                        ('args', models.JSONField(blank=True, default=list, verbose_name='参数')),
                        ('kwargs', models.JSONField(blank=True, default=dict, verbose_name='关键字参数')),
                        ('dedupe_key', models.CharField(blank=True, max_length=200, verbose_name='去重键')),
                        ('status', models.CharField(choices=[('pending', '待发送'), ('sent', '已发送'), ('failed', '发送失败')], default='pending', max_length=10, verbose_name='状态')),
                        ('attempts', models.PositiveIntegerField(default=0, verbose_name='尝试次数')),
                        ('last_error', models.TextField(blank=True, verbose_name='最近错误')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='发送时间')),
                    ],
                    options={
                        'verbose_name': '待发任务',
                        'verbose_name_plural': '待发任务',
                        'ordering': ['id'],
                        'indexes': [models.Index(fields=['status', 'id'], name='common_outb_status_8f0ea3_idx')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'pending'), models.Q(('dedupe_key', ''), _negated=True)), fields=('dedupe_key',), name='outbox_one_pending_per_key')],
                    },
                ),
                migrations.CreateModel(
                    name='AuditEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('object_id', models.PositiveBigIntegerField(verbose_name='对象编号')),
                        ('action', models.CharField(max_length=50, verbose_name='操作')),
                        ('from_state', models.CharField(blank=True, max_length=30, verbose_name='原状态')),
                        ('to_state', models.CharField(blank=True, max_length=30, verbose_name='新状态')),
                        ('at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='时间')),
                        ('note', models.TextField(blank=True, verbose_name='说明')),
                        ('data', models.JSONField(blank=True, default=dict, verbose_name='数据')),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                        ('content_type', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='contenttypes.contenttype', verbose_name='对象类型')),
                        ('organization', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to='accounts.organization', verbose_name='操作机构')),
                    ],
                    options={
                        'verbose_name': '操作记录',
                        'verbose_name_plural': '操作记录',
                        'ordering': ['at', 'id'],
                        'indexes': [models.Index(fields=['content_type', 'object_id', 'at'], name='common_audi_content_af41a4_idx')],
                        'constraints': [],
                    },
                ),
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=50, verbose_name='类别')),
                        ('level', models.CharField(choices=[('info', '提示'), ('warning', '预警')], default='info', max_length=10, verbose_name='级别')),
                        ('title', models.CharField(max_length=200, verbose_name='标题')),
                        ('body', models.TextField(blank=True, verbose_name='内容')),
                        ('link', models.CharField(blank=True, max_length=300, verbose_name='链接')),
                        ('topic', models.CharField(blank=True, db_index=True, max_length=100, verbose_name='事项')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='时间')),
                        ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='已读时间')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='accounts.organization', verbose_name='接收机构')),
                        ('message', models.JSONField(blank=True, default=dict, verbose_name='消息')),
                    ],
                    options={
                        'verbose_name': '站内通知',
                        'verbose_name_plural': '站内通知',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['organization', 'read_at', 'created_at'], name='notification_inbox')],
                        'constraints': [],
                    },
                ),
            ],
        ),
        migrations.RunPython(schedule_jobs, unschedule_jobs),
        migration_operation(("common_auditevent", "at", {})),
        migrations.RunPython(schedule_partitions, unschedule_partitions),
    ]
