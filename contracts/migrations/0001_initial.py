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
        ("procurement", "0001_squashed_0008_progress_run_changed_kind"),
    ]

    operations = [
        common.migration_operations.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="HistoricalSigningKey",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("algorithm", models.CharField(max_length=40, verbose_name="算法")),
                        ("public_key", models.TextField(verbose_name="公钥（SPKI DER，Base64）")),
                        ("public_key_jwk", models.JSONField(blank=True, default=dict, verbose_name="公钥（JWK）")),
                        (
                            "fingerprint",
                            models.CharField(db_index=True, max_length=64, verbose_name="公钥指纹（SHA-256）"),
                        ),
                        ("label", models.CharField(blank=True, max_length=100, verbose_name="名称")),
                        ("registered_at", models.DateTimeField(blank=True, editable=False, verbose_name="登记时间")),
                        ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="撤销时间")),
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
                            "organization",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="所属机构",
                            ),
                        ),
                        (
                            "registered_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="登记人",
                            ),
                        ),
                        (
                            "revoked_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="撤销人",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="持有人",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical 签名公钥",
                        "verbose_name_plural": "historical 签名公钥",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="PurchaseContract",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("number", models.CharField(max_length=60, verbose_name="合同编号")),
                        ("version", models.PositiveSmallIntegerField(default=1, verbose_name="版本")),
                        (
                            "kind",
                            models.CharField(
                                choices=[("commitment", "带量采购购销合同"), ("annual", "挂网产品年度购销合同")],
                                default="commitment",
                                max_length=12,
                                verbose_name="合同类型",
                            ),
                        ),
                        ("year", models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="合同年度")),
                        ("period_start", models.DateField(verbose_name="履行期起")),
                        ("period_end", models.DateField(verbose_name="履行期止")),
                        ("quantity", models.PositiveBigIntegerField(verbose_name="约定数量（最小制剂单位）")),
                        (
                            "unit_price",
                            models.DecimalField(decimal_places=4, max_digits=14, verbose_name="单价（每最小制剂单位）"),
                        ),
                        ("amount", models.DecimalField(decimal_places=2, max_digits=16, verbose_name="合同金额")),
                        ("response_hours", models.PositiveSmallIntegerField(verbose_name="订单响应时限（小时）")),
                        ("delivery_hours", models.PositiveSmallIntegerField(verbose_name="配送时限（小时）")),
                        (
                            "payment_term_days",
                            models.PositiveSmallIntegerField(verbose_name="回款时限（天，自验收合格）"),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("draft", "待选择配送企业"),
                                    ("pending", "待各方确认"),
                                    ("in_force", "已生效"),
                                    ("superseded", "已被补充协议替代"),
                                ],
                                default="draft",
                                max_length=12,
                                verbose_name="状态",
                            ),
                        ),
                        ("content", models.JSONField(blank=True, default=dict, verbose_name="合同内容")),
                        ("digest", models.CharField(blank=True, max_length=64, verbose_name="内容摘要（SHA-256）")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="生成时间")),
                        ("fixed_at", models.DateTimeField(blank=True, null=True, verbose_name="定稿时间")),
                        (
                            "signed_at",
                            models.DateTimeField(
                                blank=True, help_text="三方均已确认的时间", null=True, verbose_name="生效时间"
                            ),
                        ),
                        ("superseded_at", models.DateTimeField(blank=True, null=True, verbose_name="被替代时间")),
                        (
                            "commitment",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="contracts",
                                to="procurement.commitment",
                                verbose_name="约定采购量",
                            ),
                        ),
                        (
                            "distributor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="配送企业（丙方）",
                            ),
                        ),
                        (
                            "hospital",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="医疗机构（甲方）",
                            ),
                        ),
                        (
                            "listing",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="contracts",
                                to="procurement.listing",
                                verbose_name="挂网产品",
                            ),
                        ),
                        (
                            "manufacturer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="生产企业（乙方）",
                            ),
                        ),
                        (
                            "previous",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="next_version",
                                to="contracts.purchasecontract",
                                verbose_name="被补充的合同版本",
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
                        "verbose_name": "购销合同",
                        "verbose_name_plural": "购销合同",
                        "ordering": ["-created_at", "number", "version"],
                        "indexes": [
                            models.Index(fields=["hospital", "status"], name="contracts_p_hospita_08298d_idx"),
                            models.Index(fields=["manufacturer", "status"], name="contracts_p_manufac_58adfa_idx"),
                            models.Index(fields=["distributor", "status"], name="contracts_p_distrib_1acac8_idx"),
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("number", "version"), name="contract_number_version_unique"
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("version", 1)),
                                fields=("commitment",),
                                name="contract_one_per_commitment",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("version", 1)),
                                fields=("hospital", "listing", "year"),
                                name="contract_one_annual_per_year",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("period_end__gte", models.F("period_start"))),
                                name="contract_period_order",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("quantity__gt", 0)), name="contract_quantity_positive"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("unit_price__gte", 0), ("amount__gte", 0)),
                                name="contract_money_not_negative",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("kind", "commitment"), ("commitment__isnull", False)),
                                    models.Q(("kind", "annual"), ("listing__isnull", False), ("year__isnull", False)),
                                    _connector="OR",
                                ),
                                name="contract_kind_subject",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("status", "draft"),
                                    models.Q(models.Q(("digest", ""), _negated=True), ("distributor__isnull", False)),
                                    _connector="OR",
                                ),
                                name="contract_fixed_has_digest",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalPurchaseContract",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("number", models.CharField(max_length=60, verbose_name="合同编号")),
                        ("version", models.PositiveSmallIntegerField(default=1, verbose_name="版本")),
                        (
                            "kind",
                            models.CharField(
                                choices=[("commitment", "带量采购购销合同"), ("annual", "挂网产品年度购销合同")],
                                default="commitment",
                                max_length=12,
                                verbose_name="合同类型",
                            ),
                        ),
                        ("year", models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="合同年度")),
                        ("period_start", models.DateField(verbose_name="履行期起")),
                        ("period_end", models.DateField(verbose_name="履行期止")),
                        ("quantity", models.PositiveBigIntegerField(verbose_name="约定数量（最小制剂单位）")),
                        (
                            "unit_price",
                            models.DecimalField(decimal_places=4, max_digits=14, verbose_name="单价（每最小制剂单位）"),
                        ),
                        ("amount", models.DecimalField(decimal_places=2, max_digits=16, verbose_name="合同金额")),
                        ("response_hours", models.PositiveSmallIntegerField(verbose_name="订单响应时限（小时）")),
                        ("delivery_hours", models.PositiveSmallIntegerField(verbose_name="配送时限（小时）")),
                        (
                            "payment_term_days",
                            models.PositiveSmallIntegerField(verbose_name="回款时限（天，自验收合格）"),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("draft", "待选择配送企业"),
                                    ("pending", "待各方确认"),
                                    ("in_force", "已生效"),
                                    ("superseded", "已被补充协议替代"),
                                ],
                                default="draft",
                                max_length=12,
                                verbose_name="状态",
                            ),
                        ),
                        ("content", models.JSONField(blank=True, default=dict, verbose_name="合同内容")),
                        ("digest", models.CharField(blank=True, max_length=64, verbose_name="内容摘要（SHA-256）")),
                        ("created_at", models.DateTimeField(blank=True, editable=False, verbose_name="生成时间")),
                        ("fixed_at", models.DateTimeField(blank=True, null=True, verbose_name="定稿时间")),
                        (
                            "signed_at",
                            models.DateTimeField(
                                blank=True, help_text="三方均已确认的时间", null=True, verbose_name="生效时间"
                            ),
                        ),
                        ("superseded_at", models.DateTimeField(blank=True, null=True, verbose_name="被替代时间")),
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
                            "commitment",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="procurement.commitment",
                                verbose_name="约定采购量",
                            ),
                        ),
                        (
                            "distributor",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="配送企业（丙方）",
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
                                verbose_name="医疗机构（甲方）",
                            ),
                        ),
                        (
                            "listing",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="procurement.listing",
                                verbose_name="挂网产品",
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
                                verbose_name="生产企业（乙方）",
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
                            "previous",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="contracts.purchasecontract",
                                verbose_name="被补充的合同版本",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical 购销合同",
                        "verbose_name_plural": "historical 购销合同",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalContractAmendment",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("reason", models.TextField(max_length=500, verbose_name="变更原因")),
                        ("old_quantity", models.PositiveBigIntegerField(verbose_name="原数量")),
                        ("new_quantity", models.PositiveBigIntegerField(verbose_name="新数量")),
                        ("old_unit_price", models.DecimalField(decimal_places=4, max_digits=14, verbose_name="原单价")),
                        ("new_unit_price", models.DecimalField(decimal_places=4, max_digits=14, verbose_name="新单价")),
                        ("created_at", models.DateTimeField(blank=True, editable=False, verbose_name="提出时间")),
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
                            "contract",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="contracts.purchasecontract",
                                verbose_name="原合同版本",
                            ),
                        ),
                        (
                            "new_version",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="contracts.purchasecontract",
                                verbose_name="补充协议（新版本）",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical 补充协议",
                        "verbose_name_plural": "historical 补充协议",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="ContractAmendment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("reason", models.TextField(max_length=500, verbose_name="变更原因")),
                        ("old_quantity", models.PositiveBigIntegerField(verbose_name="原数量")),
                        ("new_quantity", models.PositiveBigIntegerField(verbose_name="新数量")),
                        ("old_unit_price", models.DecimalField(decimal_places=4, max_digits=14, verbose_name="原单价")),
                        ("new_unit_price", models.DecimalField(decimal_places=4, max_digits=14, verbose_name="新单价")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="提出时间")),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="提出人",
                            ),
                        ),
                        (
                            "contract",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="amendments",
                                to="contracts.purchasecontract",
                                verbose_name="原合同版本",
                            ),
                        ),
                        (
                            "new_version",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="amendment",
                                to="contracts.purchasecontract",
                                verbose_name="补充协议（新版本）",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "补充协议",
                        "verbose_name_plural": "补充协议",
                        "ordering": ["created_at"],
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="SigningKey",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("algorithm", models.CharField(max_length=40, verbose_name="算法")),
                        ("public_key", models.TextField(verbose_name="公钥（SPKI DER，Base64）")),
                        ("public_key_jwk", models.JSONField(blank=True, default=dict, verbose_name="公钥（JWK）")),
                        (
                            "fingerprint",
                            models.CharField(max_length=64, unique=True, verbose_name="公钥指纹（SHA-256）"),
                        ),
                        ("label", models.CharField(blank=True, max_length=100, verbose_name="名称")),
                        ("registered_at", models.DateTimeField(auto_now_add=True, verbose_name="登记时间")),
                        ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="撤销时间")),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="所属机构",
                            ),
                        ),
                        (
                            "registered_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="登记人",
                            ),
                        ),
                        (
                            "revoked_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="撤销人",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="signing_keys",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="持有人",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "签名公钥",
                        "verbose_name_plural": "签名公钥",
                        "ordering": ["-registered_at"],
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="ContractConfirmation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "party",
                            models.CharField(
                                choices=[
                                    ("hospital", "医疗机构（甲方）"),
                                    ("manufacturer", "生产企业（乙方）"),
                                    ("distributor", "配送企业（丙方）"),
                                ],
                                max_length=12,
                                verbose_name="签约方",
                            ),
                        ),
                        ("algorithm", models.CharField(max_length=40, verbose_name="算法")),
                        ("digest", models.CharField(max_length=64, verbose_name="所签合同摘要")),
                        ("signed_at", models.DateTimeField(verbose_name="签署时间")),
                        ("message", models.TextField(verbose_name="签名原文")),
                        ("signature", models.TextField(verbose_name="签名（Base64）")),
                        ("confirmed_at", models.DateTimeField(auto_now_add=True, verbose_name="确认时间")),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="机构",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="签署人",
                            ),
                        ),
                        (
                            "contract",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="confirmations",
                                to="contracts.purchasecontract",
                                verbose_name="合同",
                            ),
                        ),
                        (
                            "key",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="confirmations",
                                to="contracts.signingkey",
                                verbose_name="公钥",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "合同确认",
                        "verbose_name_plural": "合同确认",
                        "ordering": ["confirmed_at", "id"],
                        "indexes": [],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("contract", "party"), name="contract_confirmed_once_per_party"
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
