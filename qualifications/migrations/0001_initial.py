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
        ("catalog", "0001_squashed_0002_product_udi_di"),
    ]

    operations = [
        common.migration_operations.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="HistoricalQualification",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("business_licence", "营业执照"),
                                    ("drug_manufacturing", "药品生产许可证"),
                                    ("device_manufacturing", "医疗器械生产许可证"),
                                    ("drug_distribution", "药品经营许可证"),
                                    ("device_distribution", "医疗器械经营许可证"),
                                    ("drug_approval", "药品注册证书（批准文号）"),
                                    ("device_registration", "医疗器械注册证"),
                                ],
                                max_length=30,
                                verbose_name="证照类型",
                            ),
                        ),
                        ("number", models.CharField(max_length=100, verbose_name="证照编号")),
                        ("scope", models.CharField(blank=True, max_length=500, verbose_name="范围")),
                        ("issuer", models.CharField(blank=True, max_length=200, verbose_name="发证机关")),
                        ("valid_from", models.DateField(verbose_name="有效期起")),
                        (
                            "valid_to",
                            models.DateField(blank=True, help_text="长期有效留空", null=True, verbose_name="有效期至"),
                        ),
                        ("document", models.TextField(blank=True, max_length=100, verbose_name="证照文件")),
                        ("created_at", models.DateTimeField(blank=True, editable=False, verbose_name="创建时间")),
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
                                verbose_name="持证机构",
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                help_text="注册证、批准文号填写对应产品",
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="catalog.product",
                                verbose_name="产品",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical 资质证照",
                        "verbose_name_plural": "historical 资质证照",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="Qualification",
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
                                    ("business_licence", "营业执照"),
                                    ("drug_manufacturing", "药品生产许可证"),
                                    ("device_manufacturing", "医疗器械生产许可证"),
                                    ("drug_distribution", "药品经营许可证"),
                                    ("device_distribution", "医疗器械经营许可证"),
                                    ("drug_approval", "药品注册证书（批准文号）"),
                                    ("device_registration", "医疗器械注册证"),
                                ],
                                max_length=30,
                                verbose_name="证照类型",
                            ),
                        ),
                        ("number", models.CharField(max_length=100, verbose_name="证照编号")),
                        ("scope", models.CharField(blank=True, max_length=500, verbose_name="范围")),
                        ("issuer", models.CharField(blank=True, max_length=200, verbose_name="发证机关")),
                        ("valid_from", models.DateField(verbose_name="有效期起")),
                        (
                            "valid_to",
                            models.DateField(blank=True, help_text="长期有效留空", null=True, verbose_name="有效期至"),
                        ),
                        (
                            "document",
                            models.FileField(blank=True, upload_to="qualifications/%Y/%m/", verbose_name="证照文件"),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
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
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="qualifications",
                                to="accounts.organization",
                                verbose_name="持证机构",
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                blank=True,
                                help_text="注册证、批准文号填写对应产品",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="qualifications",
                                to="catalog.product",
                                verbose_name="产品",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "资质证照",
                        "verbose_name_plural": "资质证照",
                        "ordering": ["organization", "kind", "-valid_to", "-id"],
                        "indexes": [
                            models.Index(
                                fields=["organization", "kind", "valid_to"], name="qualificati_organiz_b296b0_idx"
                            ),
                            models.Index(fields=["product", "kind", "valid_to"], name="qualificati_product_b151d3_idx"),
                            models.Index(fields=["valid_to"], name="qualificati_valid_t_284957_idx"),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("valid_to__isnull", True),
                                    ("valid_to__gte", models.F("valid_from")),
                                    _connector="OR",
                                ),
                                name="qualification_validity_order",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(
                                        ("kind__in", ["drug_approval", "device_registration"]),
                                        ("product__isnull", False),
                                    ),
                                    models.Q(
                                        models.Q(("kind__in", ["drug_approval", "device_registration"]), _negated=True),
                                        ("product__isnull", True),
                                    ),
                                    _connector="OR",
                                ),
                                name="qualification_product_iff_registration",
                            ),
                        ],
                    },
                ),
            ],
        ),
    ]
