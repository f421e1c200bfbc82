import common.migration_operations
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0001_squashed_0004_pharmacy_kind_and_role"),
        ("accounts", "__first__"),
        ("pricing", "0001_squashed_0003_messages_kept_as_code_and_parameters"),
        ("procurement", "0001_squashed_0008_progress_run_changed_kind"),
    ]

    operations = [
        common.migration_operations.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="HistoricalObjection",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        (
                            "subject",
                            models.CharField(
                                choices=[("tender_result", "中选候选结果"), ("credit_record", "信用评价记录")],
                                max_length=20,
                                verbose_name="异议对象",
                            ),
                        ),
                        ("grounds", models.TextField(verbose_name="异议事由与依据")),
                        ("document", models.TextField(blank=True, max_length=100, verbose_name="证明材料")),
                        ("filed_at", models.DateTimeField(verbose_name="提出时间")),
                        ("answer_due", models.DateTimeField(verbose_name="答复期限")),
                        (
                            "status",
                            models.CharField(
                                choices=[("filed", "待答复"), ("upheld", "异议成立"), ("rejected", "异议不成立")],
                                default="filed",
                                max_length=20,
                                verbose_name="状态",
                            ),
                        ),
                        ("answer", models.TextField(blank=True, verbose_name="答复")),
                        ("answered_at", models.DateTimeField(blank=True, null=True, verbose_name="答复时间")),
                        ("appeal_due", models.DateTimeField(blank=True, null=True, verbose_name="申诉期限")),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                            ),
                        ),
                        (
                            "answered_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="答复人",
                            ),
                        ),
                        (
                            "credit_record",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="pricing.creditrecord",
                                verbose_name="信用评价记录",
                            ),
                        ),
                        (
                            "evaluation",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="procurement.tenderevaluation",
                                verbose_name="评审记录",
                            ),
                        ),
                        (
                            "filed_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="提出人",
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="异议企业",
                            ),
                        ),
                        (
                            "rerun",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="procurement.tenderevaluation",
                                verbose_name="重新评审",
                            ),
                        ),
                        (
                            "tender",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="procurement.tender",
                                verbose_name="批次",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical 异议",
                        "verbose_name_plural": "historical 异议",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="Objection",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "subject",
                            models.CharField(
                                choices=[("tender_result", "中选候选结果"), ("credit_record", "信用评价记录")],
                                max_length=20,
                                verbose_name="异议对象",
                            ),
                        ),
                        ("grounds", models.TextField(verbose_name="异议事由与依据")),
                        (
                            "document",
                            models.FileField(blank=True, upload_to="objections/%Y/%m/", verbose_name="证明材料"),
                        ),
                        ("filed_at", models.DateTimeField(verbose_name="提出时间")),
                        ("answer_due", models.DateTimeField(verbose_name="答复期限")),
                        (
                            "status",
                            models.CharField(
                                choices=[("filed", "待答复"), ("upheld", "异议成立"), ("rejected", "异议不成立")],
                                default="filed",
                                max_length=20,
                                verbose_name="状态",
                            ),
                        ),
                        ("answer", models.TextField(blank=True, verbose_name="答复")),
                        ("answered_at", models.DateTimeField(blank=True, null=True, verbose_name="答复时间")),
                        ("appeal_due", models.DateTimeField(blank=True, null=True, verbose_name="申诉期限")),
                        (
                            "answered_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="答复人",
                            ),
                        ),
                        (
                            "credit_record",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="objections",
                                to="pricing.creditrecord",
                                verbose_name="信用评价记录",
                            ),
                        ),
                        (
                            "evaluation",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="objections",
                                to="procurement.tenderevaluation",
                                verbose_name="评审记录",
                            ),
                        ),
                        (
                            "filed_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="提出人",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="objections",
                                to="accounts.organization",
                                verbose_name="异议企业",
                            ),
                        ),
                        (
                            "rerun",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="procurement.tenderevaluation",
                                verbose_name="重新评审",
                            ),
                        ),
                        (
                            "tender",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="objections",
                                to="procurement.tender",
                                verbose_name="批次",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "异议",
                        "verbose_name_plural": "异议",
                        "ordering": ["-filed_at", "-id"],
                        "indexes": [
                            models.Index(fields=["status", "answer_due"], name="transparenc_status_3c404a_idx")
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("evaluation__isnull", False)),
                                fields=("organization", "evaluation"),
                                name="objection_once_per_result",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("credit_record__isnull", False)),
                                fields=("organization", "credit_record"),
                                name="objection_once_per_credit_record",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(
                                        ("credit_record", None),
                                        ("evaluation__isnull", False),
                                        ("subject", "tender_result"),
                                        ("tender__isnull", False),
                                    ),
                                    models.Q(
                                        ("credit_record__isnull", False),
                                        ("evaluation", None),
                                        ("subject", "credit_record"),
                                        ("tender", None),
                                    ),
                                    _connector="OR",
                                ),
                                name="objection_one_subject",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalAppeal",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("grounds", models.TextField(verbose_name="申诉事由")),
                        ("filed_at", models.DateTimeField(verbose_name="申诉时间")),
                        (
                            "status",
                            models.CharField(
                                choices=[("filed", "待裁决"), ("upheld", "申诉成立"), ("rejected", "申诉不成立")],
                                default="filed",
                                max_length=20,
                                verbose_name="状态",
                            ),
                        ),
                        ("decision", models.TextField(blank=True, verbose_name="裁决意见")),
                        ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="裁决时间")),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                            ),
                        ),
                        (
                            "decided_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="裁决人",
                            ),
                        ),
                        (
                            "filed_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="申诉人",
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "objection",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="transparency.objection",
                                verbose_name="异议",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical 申诉",
                        "verbose_name_plural": "historical 申诉",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="Appeal",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("grounds", models.TextField(verbose_name="申诉事由")),
                        ("filed_at", models.DateTimeField(verbose_name="申诉时间")),
                        (
                            "status",
                            models.CharField(
                                choices=[("filed", "待裁决"), ("upheld", "申诉成立"), ("rejected", "申诉不成立")],
                                default="filed",
                                max_length=20,
                                verbose_name="状态",
                            ),
                        ),
                        ("decision", models.TextField(blank=True, verbose_name="裁决意见")),
                        ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="裁决时间")),
                        (
                            "decided_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="裁决人",
                            ),
                        ),
                        (
                            "filed_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="申诉人",
                            ),
                        ),
                        (
                            "objection",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="appeal",
                                to="transparency.objection",
                                verbose_name="异议",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "申诉",
                        "verbose_name_plural": "申诉",
                        "ordering": ["-filed_at", "-id"],
                        "indexes": [],
                        "constraints": [],
                    },
                ),
            ],
        ),
    ]
