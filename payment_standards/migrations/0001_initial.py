import common.migration_operations
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "__first__"),
        ("catalog", "0001_squashed_0002_product_udi_di"),
        ("procurement", "0001_squashed_0008_progress_run_changed_kind"),
    ]

    operations = [
        common.migration_operations.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="HistoricalPaymentStandard",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("year", models.PositiveSmallIntegerField(verbose_name="年度")),
                        (
                            "standard",
                            models.DecimalField(
                                decimal_places=4, max_digits=14, verbose_name="支付标准（每最小制剂单位）"
                            ),
                        ),
                        (
                            "source",
                            models.CharField(
                                choices=[
                                    ("award", "带量采购中选价"),
                                    ("linkage", "协同联动规则"),
                                    ("import", "导入"),
                                    ("manual", "手工录入"),
                                ],
                                max_length=20,
                                verbose_name="来源",
                            ),
                        ),
                        (
                            "basis",
                            models.CharField(
                                choices=[
                                    ("selected", "中选产品：中选价"),
                                    ("above_double", "原支付标准高于中选价2倍以上：逐年调整"),
                                    ("within_double", "原支付标准在中选价2倍以内：中选价"),
                                    ("below_selected", "原支付标准低于中选价：原支付标准"),
                                    ("not_evaluated", "未通过一致性评价：不高于中选价"),
                                    ("manual", "手工确定"),
                                    ("imported", "导入"),
                                ],
                                default="manual",
                                max_length=20,
                                verbose_name="确定依据",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[("draft", "待发布"), ("published", "已发布"), ("superseded", "已替代")],
                                default="draft",
                                max_length=20,
                                verbose_name="状态",
                            ),
                        ),
                        (
                            "selected_price",
                            models.DecimalField(
                                blank=True, decimal_places=4, max_digits=14, null=True, verbose_name="中选价"
                            ),
                        ),
                        (
                            "original_standard",
                            models.DecimalField(
                                blank=True, decimal_places=4, max_digits=14, null=True, verbose_name="原支付标准"
                            ),
                        ),
                        ("note", models.CharField(blank=True, max_length=300, verbose_name="说明")),
                        ("created_at", models.DateTimeField(blank=True, editable=False, verbose_name="创建时间")),
                        ("published_at", models.DateTimeField(blank=True, null=True, verbose_name="发布时间")),
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
                            "award",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="procurement.award",
                                verbose_name="中选结果",
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
                            "lot",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="procurement.lot",
                                verbose_name="品种",
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
                            "published_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="发布人",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical 医保支付标准",
                        "verbose_name_plural": "historical 医保支付标准",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="Publication",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("year", models.PositiveSmallIntegerField(verbose_name="年度")),
                        ("count", models.PositiveIntegerField(verbose_name="发布条数")),
                        ("published_at", models.DateTimeField(auto_now_add=True, verbose_name="发布时间")),
                        (
                            "published_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="发布人",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "支付标准发布",
                        "verbose_name_plural": "支付标准发布",
                        "ordering": ["-published_at"],
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="PaymentStandard",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("year", models.PositiveSmallIntegerField(verbose_name="年度")),
                        (
                            "standard",
                            models.DecimalField(
                                decimal_places=4, max_digits=14, verbose_name="支付标准（每最小制剂单位）"
                            ),
                        ),
                        (
                            "source",
                            models.CharField(
                                choices=[
                                    ("award", "带量采购中选价"),
                                    ("linkage", "协同联动规则"),
                                    ("import", "导入"),
                                    ("manual", "手工录入"),
                                ],
                                max_length=20,
                                verbose_name="来源",
                            ),
                        ),
                        (
                            "basis",
                            models.CharField(
                                choices=[
                                    ("selected", "中选产品：中选价"),
                                    ("above_double", "原支付标准高于中选价2倍以上：逐年调整"),
                                    ("within_double", "原支付标准在中选价2倍以内：中选价"),
                                    ("below_selected", "原支付标准低于中选价：原支付标准"),
                                    ("not_evaluated", "未通过一致性评价：不高于中选价"),
                                    ("manual", "手工确定"),
                                    ("imported", "导入"),
                                ],
                                default="manual",
                                max_length=20,
                                verbose_name="确定依据",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[("draft", "待发布"), ("published", "已发布"), ("superseded", "已替代")],
                                default="draft",
                                max_length=20,
                                verbose_name="状态",
                            ),
                        ),
                        (
                            "selected_price",
                            models.DecimalField(
                                blank=True, decimal_places=4, max_digits=14, null=True, verbose_name="中选价"
                            ),
                        ),
                        (
                            "original_standard",
                            models.DecimalField(
                                blank=True, decimal_places=4, max_digits=14, null=True, verbose_name="原支付标准"
                            ),
                        ),
                        ("note", models.CharField(blank=True, max_length=300, verbose_name="说明")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                        ("published_at", models.DateTimeField(blank=True, null=True, verbose_name="发布时间")),
                        (
                            "award",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="procurement.award",
                                verbose_name="中选结果",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "lot",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="procurement.lot",
                                verbose_name="品种",
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="payment_standards",
                                to="catalog.product",
                                verbose_name="产品",
                            ),
                        ),
                        (
                            "published_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="发布人",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "医保支付标准",
                        "verbose_name_plural": "医保支付标准",
                        "ordering": ["-year", "product__generic_name", "product_id"],
                        "indexes": [
                            models.Index(fields=["year", "status"], name="payment_sta_year_472133_idx"),
                            models.Index(fields=["product", "status", "year"], name="payment_sta_product_25afa1_idx"),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("standard__gt", 0)), name="payment_standard_positive"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("source__in", ["award", "linkage", "import", "manual"])),
                                name="payment_standard_has_source",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("status", "draft")),
                                fields=("product", "year"),
                                name="payment_standard_one_draft",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("status", "published")),
                                fields=("product", "year"),
                                name="payment_standard_one_published",
                            ),
                        ],
                    },
                ),
            ],
        ),
    ]
