import common.migration_operations
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        ("accounts", "__first__"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        common.migration_operations.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="Job",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("kind", models.CharField(max_length=50, verbose_name="类型")),
                        ("params", models.JSONField(blank=True, default=dict, verbose_name="参数")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("queued", "排队中"),
                                    ("running", "运行中"),
                                    ("succeeded", "已完成"),
                                    ("failed", "失败"),
                                ],
                                default="queued",
                                max_length=10,
                                verbose_name="状态",
                            ),
                        ),
                        ("message", models.TextField(blank=True, verbose_name="结果")),
                        ("result", models.JSONField(blank=True, default=dict, verbose_name="结果数据")),
                        ("link", models.CharField(blank=True, max_length=300, verbose_name="结果链接")),
                        ("language", models.CharField(blank=True, max_length=16, verbose_name="语言")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                        ("started_at", models.DateTimeField(blank=True, null=True, verbose_name="开始时间")),
                        ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="结束时间")),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="发起人",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="机构",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "后台任务",
                        "verbose_name_plural": "后台任务",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="OutboxMessage",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("task", models.CharField(max_length=200, verbose_name="任务")),
                        ("args", models.JSONField(blank=True, default=list, verbose_name="参数")),
                        ("kwargs", models.JSONField(blank=True, default=dict, verbose_name="关键字参数")),
                        ("dedupe_key", models.CharField(blank=True, max_length=200, verbose_name="去重键")),
                        (
                            "status",
                            models.CharField(
                                choices=[("pending", "待发送"), ("sent", "已发送"), ("failed", "发送失败")],
                                default="pending",
                                max_length=10,
                                verbose_name="状态",
                            ),
                        ),
                        ("attempts", models.PositiveIntegerField(default=0, verbose_name="尝试次数")),
                        ("last_error", models.TextField(blank=True, verbose_name="最近错误")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                        ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="发送时间")),
                    ],
                    options={
                        "verbose_name": "待发任务",
                        "verbose_name_plural": "待发任务",
                        "ordering": ["id"],
                        "indexes": [models.Index(fields=["status", "id"], name="common_outb_status_8f0ea3_idx")],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("status", "pending"), models.Q(("dedupe_key", ""), _negated=True)),
                                fields=("dedupe_key",),
                                name="outbox_one_pending_per_key",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("object_id", models.PositiveBigIntegerField(verbose_name="对象编号")),
                        ("action", models.CharField(max_length=50, verbose_name="操作")),
                        ("from_state", models.CharField(blank=True, max_length=30, verbose_name="原状态")),
                        ("to_state", models.CharField(blank=True, max_length=30, verbose_name="新状态")),
                        ("at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="时间")),
                        ("note", models.TextField(blank=True, verbose_name="说明")),
                        ("data", models.JSONField(blank=True, default=dict, verbose_name="数据")),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="操作人",
                            ),
                        ),
                        (
                            "content_type",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                to="contenttypes.contenttype",
                                verbose_name="对象类型",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                to="accounts.organization",
                                verbose_name="操作机构",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "操作记录",
                        "verbose_name_plural": "操作记录",
                        "ordering": ["at", "id"],
                        "indexes": [
                            models.Index(
                                fields=["content_type", "object_id", "at"], name="common_audi_content_af41a4_idx"
                            )
                        ],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("kind", models.CharField(max_length=50, verbose_name="类别")),
                        (
                            "level",
                            models.CharField(
                                choices=[("info", "提示"), ("warning", "预警")],
                                default="info",
                                max_length=10,
                                verbose_name="级别",
                            ),
                        ),
                        ("title", models.CharField(max_length=200, verbose_name="标题")),
                        ("body", models.TextField(blank=True, verbose_name="内容")),
                        ("link", models.CharField(blank=True, max_length=300, verbose_name="链接")),
                        ("topic", models.CharField(blank=True, db_index=True, max_length=100, verbose_name="事项")),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="时间")),
                        ("read_at", models.DateTimeField(blank=True, null=True, verbose_name="已读时间")),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notifications",
                                to="accounts.organization",
                                verbose_name="接收机构",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "站内通知",
                        "verbose_name_plural": "站内通知",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [
                            models.Index(fields=["organization", "read_at", "created_at"], name="notification_inbox")
                        ],
                        "constraints": [],
                    },
                ),
            ],
        ),
    ]
