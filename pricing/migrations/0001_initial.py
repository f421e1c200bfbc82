import common.migration_operations
import django.contrib.postgres.fields
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0002_load_regions_and_roles"),
        ("accounts", "__first__"),
        ("catalog", "0001_initial"),
    ]

    operations = [
        common.migration_operations.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="HistoricalPriceAlert",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("subject_key", models.CharField(max_length=40, verbose_name="对象键")),
                        ("period_start", models.DateField(verbose_name="期间起")),
                        ("period_end", models.DateField(verbose_name="期间止")),
                        (
                            "severity",
                            models.PositiveSmallIntegerField(
                                choices=[(1, "低"), (2, "中"), (3, "高"), (4, "严重")],
                                default=1,
                                verbose_name="严重程度",
                            ),
                        ),
                        (
                            "deviation",
                            models.DecimalField(decimal_places=4, default=0, max_digits=12, verbose_name="偏离程度"),
                        ),
                        (
                            "amount_at_stake",
                            models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name="涉及金额"),
                        ),
                        (
                            "observed_price",
                            models.DecimalField(
                                blank=True, decimal_places=4, max_digits=14, null=True, verbose_name="监测价格"
                            ),
                        ),
                        (
                            "reference_value",
                            models.DecimalField(
                                blank=True, decimal_places=4, max_digits=14, null=True, verbose_name="参照价格"
                            ),
                        ),
                        ("summary", models.CharField(max_length=300, verbose_name="摘要")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("open", "待处理"),
                                    ("in_review", "审核中"),
                                    ("inquiry_sent", "已函询"),
                                    ("interviewed", "已约谈"),
                                    ("resolved", "已处置"),
                                    ("dismissed", "已排除"),
                                ],
                                default="open",
                                max_length=20,
                                verbose_name="状态",
                            ),
                        ),
                        (
                            "disposition",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("justified", "价格合理"),
                                    ("corrected", "价格已纠正"),
                                    ("credit_referred", "移交信用评价"),
                                ],
                                max_length=20,
                                verbose_name="处置结果",
                            ),
                        ),
                        ("resolution_note", models.TextField(blank=True, verbose_name="处置说明")),
                        (
                            "corrected_price",
                            models.DecimalField(
                                blank=True, decimal_places=4, max_digits=14, null=True, verbose_name="纠正后价格"
                            ),
                        ),
                        (
                            "first_detected_at",
                            models.DateTimeField(blank=True, editable=False, verbose_name="首次发现"),
                        ),
                        ("version", models.PositiveIntegerField(default=1, verbose_name="版本")),
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
                            "assignee",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="经办人",
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
                            "hospital",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="医疗机构",
                            ),
                        ),
                        (
                            "manufacturer",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="生产企业",
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="catalog.product",
                                verbose_name="产品",
                            ),
                        ),
                        (
                            "region",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="accounts.region",
                                verbose_name="统筹区",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical 价格预警案件",
                        "verbose_name_plural": "historical 价格预警案件",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalReferencePrice",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("national_lowest", "全国最低挂网价"),
                                    ("vbp_awarded", "带量采购中选价"),
                                    ("payment_standard", "医保支付标准"),
                                    ("max_bid", "最高有效申报价"),
                                ],
                                max_length=20,
                                verbose_name="类型",
                            ),
                        ),
                        (
                            "unit_price",
                            models.DecimalField(decimal_places=4, max_digits=14, verbose_name="单价（每最小制剂单位）"),
                        ),
                        ("valid_from", models.DateField(verbose_name="生效日期")),
                        ("valid_to", models.DateField(blank=True, null=True, verbose_name="失效日期")),
                        ("source", models.CharField(max_length=200, verbose_name="来源")),
                        ("selected", models.BooleanField(blank=True, null=True, verbose_name="本产品中选")),
                        ("lot_label", models.CharField(blank=True, max_length=200, verbose_name="采购品种")),
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
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="catalog.product",
                                verbose_name="产品",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical 参考价格",
                        "verbose_name_plural": "historical 参考价格",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="PriceAlert",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("subject_key", models.CharField(max_length=40, verbose_name="对象键")),
                        (
                            "kinds",
                            django.contrib.postgres.fields.ArrayField(
                                base_field=models.CharField(max_length=40),
                                blank=True,
                                default=list,
                                size=None,
                                verbose_name="信号类型",
                            ),
                        ),
                        ("period_start", models.DateField(verbose_name="期间起")),
                        ("period_end", models.DateField(verbose_name="期间止")),
                        ("months", models.PositiveSmallIntegerField(default=1, verbose_name="异常月数")),
                        (
                            "severity",
                            models.PositiveSmallIntegerField(
                                choices=[(1, "低"), (2, "中"), (3, "高"), (4, "严重")],
                                default=1,
                                verbose_name="严重程度",
                            ),
                        ),
                        (
                            "score",
                            models.DecimalField(decimal_places=2, default=0, max_digits=10, verbose_name="风险评分"),
                        ),
                        (
                            "deviation",
                            models.DecimalField(decimal_places=4, default=0, max_digits=12, verbose_name="偏离程度"),
                        ),
                        (
                            "amount_at_stake",
                            models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name="涉及金额"),
                        ),
                        (
                            "observed_price",
                            models.DecimalField(
                                blank=True, decimal_places=4, max_digits=14, null=True, verbose_name="监测价格"
                            ),
                        ),
                        (
                            "reference_value",
                            models.DecimalField(
                                blank=True, decimal_places=4, max_digits=14, null=True, verbose_name="参照价格"
                            ),
                        ),
                        ("summary", models.CharField(max_length=300, verbose_name="摘要")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("open", "待处理"),
                                    ("in_review", "审核中"),
                                    ("inquiry_sent", "已函询"),
                                    ("interviewed", "已约谈"),
                                    ("resolved", "已处置"),
                                    ("dismissed", "已排除"),
                                ],
                                default="open",
                                max_length=20,
                                verbose_name="状态",
                            ),
                        ),
                        (
                            "disposition",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("justified", "价格合理"),
                                    ("corrected", "价格已纠正"),
                                    ("credit_referred", "移交信用评价"),
                                ],
                                max_length=20,
                                verbose_name="处置结果",
                            ),
                        ),
                        ("resolution_note", models.TextField(blank=True, verbose_name="处置说明")),
                        (
                            "corrected_price",
                            models.DecimalField(
                                blank=True, decimal_places=4, max_digits=14, null=True, verbose_name="纠正后价格"
                            ),
                        ),
                        ("first_detected_at", models.DateTimeField(auto_now_add=True, verbose_name="首次发现")),
                        ("last_detected_at", models.DateTimeField(verbose_name="最近发现")),
                        ("version", models.PositiveIntegerField(default=1, verbose_name="版本")),
                        (
                            "assignee",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="经办人",
                            ),
                        ),
                        (
                            "hospital",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="医疗机构",
                            ),
                        ),
                        (
                            "manufacturer",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="生产企业",
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="catalog.product",
                                verbose_name="产品",
                            ),
                        ),
                        (
                            "region",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.region",
                                verbose_name="统筹区",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "价格预警案件",
                        "verbose_name_plural": "价格预警案件",
                        "ordering": ["-score", "-last_detected_at"],
                        "indexes": [
                            models.Index(fields=["status", "severity"], name="pricing_pri_status_9d33d2_idx"),
                            models.Index(fields=["product", "subject_key"], name="pricing_pri_product_22dbd9_idx"),
                            models.Index(fields=["-score"], name="alert_score_desc"),
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(
                                    ("status__in", ["open", "in_review", "inquiry_sent", "interviewed"])
                                ),
                                fields=("product", "subject_key"),
                                name="alert_one_open_case_per_product_subject",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Interview",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("held_on", models.DateField(verbose_name="约谈日期")),
                        ("participants", models.TextField(verbose_name="参加人员")),
                        ("minutes", models.TextField(verbose_name="约谈纪要")),
                        ("recorded_at", models.DateTimeField(auto_now_add=True, verbose_name="记录时间")),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="记录人",
                            ),
                        ),
                        (
                            "alert",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="interviews",
                                to="pricing.pricealert",
                                verbose_name="预警案件",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "约谈",
                        "verbose_name_plural": "约谈",
                        "ordering": ["-held_on"],
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="Inquiry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("letter", models.TextField(verbose_name="函询内容")),
                        ("reply_due", models.DateField(verbose_name="回复期限")),
                        ("sent_at", models.DateTimeField(auto_now_add=True, verbose_name="发函时间")),
                        ("reply", models.TextField(blank=True, verbose_name="回复内容")),
                        (
                            "reply_file",
                            models.FileField(blank=True, upload_to="pricing/replies/%Y/%m/", verbose_name="回复附件"),
                        ),
                        ("replied_at", models.DateTimeField(blank=True, null=True, verbose_name="回复时间")),
                        (
                            "recipient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="price_inquiries",
                                to="accounts.organization",
                                verbose_name="函询对象",
                            ),
                        ),
                        (
                            "replied_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="回复人",
                            ),
                        ),
                        (
                            "sent_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="发函人",
                            ),
                        ),
                        (
                            "alert",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="inquiries",
                                to="pricing.pricealert",
                                verbose_name="预警案件",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "函询",
                        "verbose_name_plural": "函询",
                        "ordering": ["-sent_at"],
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalInquiry",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("letter", models.TextField(verbose_name="函询内容")),
                        ("reply_due", models.DateField(verbose_name="回复期限")),
                        ("sent_at", models.DateTimeField(blank=True, editable=False, verbose_name="发函时间")),
                        ("reply", models.TextField(blank=True, verbose_name="回复内容")),
                        ("reply_file", models.TextField(blank=True, max_length=100, verbose_name="回复附件")),
                        ("replied_at", models.DateTimeField(blank=True, null=True, verbose_name="回复时间")),
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
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "recipient",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="函询对象",
                            ),
                        ),
                        (
                            "replied_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="回复人",
                            ),
                        ),
                        (
                            "sent_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="发函人",
                            ),
                        ),
                        (
                            "alert",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="pricing.pricealert",
                                verbose_name="预警案件",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical 函询",
                        "verbose_name_plural": "historical 函询",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalCreditRecord",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        (
                            "behaviour",
                            models.CharField(
                                choices=[
                                    ("bribery", "给予回扣等商业贿赂"),
                                    ("tax", "涉税违法"),
                                    ("price_fraud", "实施价格欺诈或不公平高价"),
                                    ("monopoly", "垄断行为"),
                                    ("disrupt", "扰乱集中采购秩序"),
                                    ("breach", "恶意违反合同约定（供应）"),
                                ],
                                max_length=20,
                                verbose_name="失信行为",
                            ),
                        ),
                        (
                            "scheme",
                            models.CharField(
                                choices=[
                                    ("2020", "2020 年评级规则（一般/中等/严重/特别严重）"),
                                    ("2025", "2025 年修订（失信/严重失信/特别严重失信）"),
                                ],
                                default="2020",
                                max_length=4,
                                verbose_name="评级规则",
                            ),
                        ),
                        (
                            "level",
                            models.CharField(
                                choices=[
                                    ("general", "一般"),
                                    ("medium", "中等"),
                                    ("serious", "严重"),
                                    ("very_serious", "特别严重"),
                                ],
                                max_length=20,
                                verbose_name="失信等级",
                            ),
                        ),
                        (
                            "amount",
                            models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name="涉案金额"),
                        ),
                        ("evidence", models.TextField(verbose_name="事实与依据")),
                        ("start", models.DateField(verbose_name="开始日期")),
                        ("end", models.DateField(blank=True, null=True, verbose_name="结束日期")),
                        (
                            "status",
                            models.CharField(
                                choices=[("active", "生效中"), ("repaired", "已信用修复"), ("ended", "已到期")],
                                default="active",
                                max_length=20,
                                verbose_name="状态",
                            ),
                        ),
                        ("repaired_at", models.DateTimeField(blank=True, null=True, verbose_name="修复时间")),
                        ("repair_note", models.TextField(blank=True, verbose_name="修复说明")),
                        (
                            "suspended_listing_ids",
                            models.JSONField(blank=True, default=list, verbose_name="已暂停挂网"),
                        ),
                        (
                            "suspended_authorization_ids",
                            models.JSONField(blank=True, default=list, verbose_name="已暂停配送授权"),
                        ),
                        ("created_at", models.DateTimeField(blank=True, editable=False, verbose_name="录入时间")),
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
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="录入人",
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
                                verbose_name="企业",
                            ),
                        ),
                        (
                            "alert",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="pricing.pricealert",
                                verbose_name="来源预警",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical 信用评价记录",
                        "verbose_name_plural": "historical 信用评价记录",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="CreditRecord",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "behaviour",
                            models.CharField(
                                choices=[
                                    ("bribery", "给予回扣等商业贿赂"),
                                    ("tax", "涉税违法"),
                                    ("price_fraud", "实施价格欺诈或不公平高价"),
                                    ("monopoly", "垄断行为"),
                                    ("disrupt", "扰乱集中采购秩序"),
                                    ("breach", "恶意违反合同约定（供应）"),
                                ],
                                max_length=20,
                                verbose_name="失信行为",
                            ),
                        ),
                        (
                            "scheme",
                            models.CharField(
                                choices=[
                                    ("2020", "2020 年评级规则（一般/中等/严重/特别严重）"),
                                    ("2025", "2025 年修订（失信/严重失信/特别严重失信）"),
                                ],
                                default="2020",
                                max_length=4,
                                verbose_name="评级规则",
                            ),
                        ),
                        (
                            "level",
                            models.CharField(
                                choices=[
                                    ("general", "一般"),
                                    ("medium", "中等"),
                                    ("serious", "严重"),
                                    ("very_serious", "特别严重"),
                                ],
                                max_length=20,
                                verbose_name="失信等级",
                            ),
                        ),
                        (
                            "amount",
                            models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name="涉案金额"),
                        ),
                        ("evidence", models.TextField(verbose_name="事实与依据")),
                        ("start", models.DateField(verbose_name="开始日期")),
                        ("end", models.DateField(blank=True, null=True, verbose_name="结束日期")),
                        (
                            "status",
                            models.CharField(
                                choices=[("active", "生效中"), ("repaired", "已信用修复"), ("ended", "已到期")],
                                default="active",
                                max_length=20,
                                verbose_name="状态",
                            ),
                        ),
                        ("repaired_at", models.DateTimeField(blank=True, null=True, verbose_name="修复时间")),
                        ("repair_note", models.TextField(blank=True, verbose_name="修复说明")),
                        (
                            "suspended_listing_ids",
                            models.JSONField(blank=True, default=list, verbose_name="已暂停挂网"),
                        ),
                        (
                            "suspended_authorization_ids",
                            models.JSONField(blank=True, default=list, verbose_name="已暂停配送授权"),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="录入时间")),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="录入人",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="credit_records",
                                to="accounts.organization",
                                verbose_name="企业",
                            ),
                        ),
                        (
                            "products",
                            models.ManyToManyField(
                                blank=True, related_name="+", to="catalog.product", verbose_name="涉及产品"
                            ),
                        ),
                        (
                            "alert",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="credit_records",
                                to="pricing.pricealert",
                                verbose_name="来源预警",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "信用评价记录",
                        "verbose_name_plural": "信用评价记录",
                        "ordering": ["-start"],
                        "indexes": [],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("end__isnull", True), ("end__gte", models.F("start")), _connector="OR"
                                ),
                                name="credit_end_not_before_start",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="PriceObservation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "province",
                            models.CharField(
                                blank=True, help_text="外省价格的来源省份", max_length=20, verbose_name="省份"
                            ),
                        ),
                        ("observed_on", models.DateField(db_index=True, verbose_name="日期")),
                        (
                            "unit_price",
                            models.DecimalField(decimal_places=4, max_digits=14, verbose_name="单价（每最小制剂单位）"),
                        ),
                        ("quantity", models.BigIntegerField(default=0, verbose_name="数量（最小制剂单位）")),
                        (
                            "amount",
                            models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name="金额"),
                        ),
                        (
                            "source",
                            models.CharField(
                                choices=[
                                    ("platform_receipt", "平台入库验收"),
                                    ("off_platform", "医疗机构线下采购"),
                                    ("other_province", "外省挂网/采购价"),
                                    ("retail_survey", "零售药店调查"),
                                ],
                                db_index=True,
                                max_length=20,
                                verbose_name="来源",
                            ),
                        ),
                        (
                            "receipt_line_id",
                            models.BigIntegerField(blank=True, null=True, unique=True, verbose_name="入库明细编号"),
                        ),
                        (
                            "import_batch",
                            models.CharField(blank=True, db_index=True, max_length=40, verbose_name="导入批次"),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="记录时间")),
                        (
                            "hospital",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="医疗机构",
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="catalog.product",
                                verbose_name="产品",
                            ),
                        ),
                        (
                            "region",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.region",
                                verbose_name="统筹区",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "价格监测记录",
                        "verbose_name_plural": "价格监测记录",
                        "indexes": [
                            models.Index(fields=["product", "observed_on"], name="pricing_pri_product_b9710c_idx"),
                            models.Index(
                                fields=["hospital", "product", "observed_on"], name="pricing_pri_hospita_e04109_idx"
                            ),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("unit_price__gt", 0)), name="observation_price_positive"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="PriceScan",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("full", models.BooleanField(default=False, verbose_name="全量扫描")),
                        (
                            "since",
                            models.DateTimeField(
                                blank=True, help_text="扫描此时间之后新增的监测记录", null=True, verbose_name="起始水位"
                            ),
                        ),
                        ("until", models.DateTimeField(blank=True, null=True, verbose_name="截止水位")),
                        (
                            "status",
                            models.CharField(
                                choices=[("running", "运行中"), ("succeeded", "完成"), ("failed", "失败")],
                                default="running",
                                max_length=20,
                                verbose_name="状态",
                            ),
                        ),
                        ("started_at", models.DateTimeField(auto_now_add=True, verbose_name="开始时间")),
                        ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="结束时间")),
                        ("observations", models.BigIntegerField(default=0, verbose_name="扫描记录数")),
                        ("findings", models.JSONField(blank=True, default=dict, verbose_name="各检测器发现数")),
                        ("alerts_opened", models.IntegerField(default=0, verbose_name="新开预警")),
                        ("alerts_updated", models.IntegerField(default=0, verbose_name="更新预警")),
                        ("error", models.TextField(blank=True, verbose_name="错误")),
                    ],
                    options={
                        "verbose_name": "价格扫描",
                        "verbose_name_plural": "价格扫描",
                        "ordering": ["-started_at"],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("status", "running")),
                                fields=("status",),
                                name="price_scan_one_running",
                            )
                        ],
                        "indexes": [],
                    },
                ),
                migrations.CreateModel(
                    name="ReferencePrice",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("national_lowest", "全国最低挂网价"),
                                    ("vbp_awarded", "带量采购中选价"),
                                    ("payment_standard", "医保支付标准"),
                                    ("max_bid", "最高有效申报价"),
                                ],
                                max_length=20,
                                verbose_name="类型",
                            ),
                        ),
                        (
                            "unit_price",
                            models.DecimalField(decimal_places=4, max_digits=14, verbose_name="单价（每最小制剂单位）"),
                        ),
                        ("valid_from", models.DateField(verbose_name="生效日期")),
                        ("valid_to", models.DateField(blank=True, null=True, verbose_name="失效日期")),
                        ("source", models.CharField(max_length=200, verbose_name="来源")),
                        ("selected", models.BooleanField(blank=True, null=True, verbose_name="本产品中选")),
                        ("lot_label", models.CharField(blank=True, max_length=200, verbose_name="采购品种")),
                        (
                            "product",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="reference_prices",
                                to="catalog.product",
                                verbose_name="产品",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "参考价格",
                        "verbose_name_plural": "参考价格",
                        "ordering": ["product", "kind", "-valid_from"],
                        "indexes": [
                            models.Index(
                                fields=["product", "kind", "valid_from"], name="pricing_ref_product_cfad51_idx"
                            )
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("unit_price__gt", 0)), name="reference_price_positive"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("valid_to__isnull", True),
                                    ("valid_to__gte", models.F("valid_from")),
                                    _connector="OR",
                                ),
                                name="reference_price_validity_order",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ShortageAlert",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "reason",
                            models.CharField(
                                choices=[
                                    ("unfilled", "订单逾期未配送"),
                                    ("stock_out", "配送企业多次以缺货拒单"),
                                    ("no_receipts", "常用医疗机构长期无入库"),
                                ],
                                max_length=20,
                                verbose_name="原因",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[("open", "待处理"), ("closed", "已解除")],
                                default="open",
                                max_length=10,
                                verbose_name="状态",
                            ),
                        ),
                        ("on_shortage_list", models.BooleanField(default=False, verbose_name="短缺药品清单")),
                        ("evidence", models.JSONField(default=dict, verbose_name="证据")),
                        ("first_detected_on", models.DateField(verbose_name="首次发现")),
                        ("last_detected_on", models.DateField(verbose_name="最近发现")),
                        ("closed_note", models.TextField(blank=True, verbose_name="解除说明")),
                        (
                            "hospitals",
                            models.ManyToManyField(
                                blank=True, related_name="+", to="accounts.organization", verbose_name="受影响机构"
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="catalog.product",
                                verbose_name="产品",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "短缺预警",
                        "verbose_name_plural": "短缺预警",
                        "ordering": ["status", "-last_detected_on"],
                        "indexes": [],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("status", "open")),
                                fields=("product", "reason"),
                                name="shortage_one_open_per_product_reason",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Signal",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("kind", models.CharField(max_length=40, verbose_name="信号类型")),
                        ("month", models.DateField(verbose_name="月份")),
                        ("informational", models.BooleanField(default=False, verbose_name="仅供参考")),
                        (
                            "deviation",
                            models.DecimalField(decimal_places=4, default=0, max_digits=12, verbose_name="偏离程度"),
                        ),
                        (
                            "strength",
                            models.DecimalField(
                                decimal_places=2, default=0, max_digits=10, verbose_name="超出阈值倍数"
                            ),
                        ),
                        (
                            "score",
                            models.DecimalField(decimal_places=2, default=0, max_digits=10, verbose_name="风险评分"),
                        ),
                        (
                            "amount_at_stake",
                            models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name="涉及金额"),
                        ),
                        (
                            "observed_value",
                            models.DecimalField(
                                blank=True, decimal_places=4, max_digits=16, null=True, verbose_name="监测值"
                            ),
                        ),
                        (
                            "reference_value",
                            models.DecimalField(
                                blank=True, decimal_places=4, max_digits=16, null=True, verbose_name="参照值"
                            ),
                        ),
                        ("summary", models.CharField(max_length=300, verbose_name="摘要")),
                        ("evidence", models.JSONField(default=dict, verbose_name="证据")),
                        ("first_detected_at", models.DateTimeField(verbose_name="首次发现")),
                        ("last_detected_at", models.DateTimeField(verbose_name="最近发现")),
                        (
                            "alert",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="signals",
                                to="pricing.pricealert",
                                verbose_name="预警案件",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "预警信号",
                        "verbose_name_plural": "预警信号",
                        "ordering": ["month", "kind"],
                        "indexes": [],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("alert", "kind", "month"), name="signal_one_per_case_kind_month"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="CreditRating",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("quarter_start", models.DateField(verbose_name="季度")),
                        (
                            "level",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("general", "一般"),
                                    ("medium", "中等"),
                                    ("serious", "严重"),
                                    ("very_serious", "特别严重"),
                                ],
                                max_length=20,
                                verbose_name="评定等级",
                            ),
                        ),
                        (
                            "scheme",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("2020", "2020 年评级规则（一般/中等/严重/特别严重）"),
                                    ("2025", "2025 年修订（失信/严重失信/特别严重失信）"),
                                ],
                                max_length=4,
                                verbose_name="评级规则",
                            ),
                        ),
                        ("active_records", models.PositiveIntegerField(default=0, verbose_name="生效记录数")),
                        ("computed_at", models.DateTimeField(auto_now=True, verbose_name="评定时间")),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="credit_ratings",
                                to="accounts.organization",
                                verbose_name="企业",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "季度信用评级",
                        "verbose_name_plural": "季度信用评级",
                        "ordering": ["-quarter_start", "organization"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("organization", "quarter_start"), name="credit_rating_one_per_quarter"
                            )
                        ],
                        "indexes": [],
                    },
                ),
            ],
        ),
    ]
