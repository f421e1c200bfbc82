"""Procurement's tables in their form after 0001-0005, created at once (`CreateModels`: one rendering of the
model states), then the progress table's fillfactor (0002) and the qualification watch's schedule (0005).

Used by a fresh database; a database that has 0001-0005 applied records this one as applied too. 0005's renaming of
rejected listing applications to refused is left out: a fresh database has none."""

import common.migration_operations
import django.core.validators
import django.db.models.deletion
import django.db.models.expressions
import simple_history.models
from django.conf import settings
from django.db import migrations, models


WATCH = ("资质证照到期提醒与挂网暂停/恢复（每日）", "procurement.qualification_watch")


def schedule_watch(apps, schema_editor):
    """Daily at 04:00 Asia/Shanghai, like the other jobs (common/migrations/0002_periodic_tasks.py)."""
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="4", day_of_month="*", month_of_year="*", day_of_week="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.update_or_create(
        name=WATCH[0], defaults={"task": WATCH[1], "enabled": True, "crontab": crontab, "interval": None}
    )


def unschedule_watch(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=WATCH[1]).delete()


class Migration(migrations.Migration):
    replaces = [
        ("procurement", "0001_initial"),
        ("procurement", "0002_storage"),
        ("procurement", "0003_consumable_tenders"),
        ("procurement", "0004_order_line_shortages"),
        ("procurement", "0005_listing_applications"),
    ]

    initial = True

    dependencies = [
        ("accounts", "0002_load_regions_and_roles"),
        ("catalog", "0002_product_udi_di"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        common.migration_operations.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="Tender",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("code", models.CharField(max_length=40, unique=True, verbose_name="批次编号")),
                        ("name", models.CharField(max_length=200, verbose_name="批次名称")),
                        (
                            "level",
                            models.CharField(
                                choices=[("national", "国家组织"), ("alliance", "省际联盟"), ("regional", "自治区级")],
                                default="regional",
                                max_length=20,
                                verbose_name="采购层级",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[("drugs", "药品"), ("consumables", "医用耗材")],
                                default="drugs",
                                max_length=20,
                                verbose_name="采购类别",
                            ),
                        ),
                        ("demand_start", models.DateTimeField(verbose_name="报量开始")),
                        ("demand_end", models.DateTimeField(verbose_name="报量截止")),
                        ("bid_deadline", models.DateTimeField(verbose_name="申报截止")),
                        ("opening_at", models.DateTimeField(verbose_name="开标时间")),
                        ("cycle_start", models.DateField(verbose_name="采购周期开始")),
                        ("cycle_end", models.DateField(verbose_name="采购周期结束")),
                        ("rules", models.JSONField(blank=True, default=dict, verbose_name="中选规则")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("draft", "草稿"),
                                    ("demand_collection", "报量中"),
                                    ("bidding", "申报中"),
                                    ("opened", "已开标"),
                                    ("awarded", "已公布中选"),
                                    ("executing", "执行中"),
                                    ("closed", "已结束"),
                                    ("cancelled", "已终止"),
                                ],
                                default="draft",
                                max_length=30,
                                verbose_name="状态",
                            ),
                        ),
                        ("cancel_reason", models.TextField(blank=True, verbose_name="终止原因")),
                        ("sealing_key", models.TextField(blank=True, editable=False, verbose_name="封存密钥")),
                        ("opened_at", models.DateTimeField(blank=True, null=True, verbose_name="实际开标时间")),
                        ("awarded_at", models.DateTimeField(blank=True, null=True, verbose_name="公布中选时间")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="创建人",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "带量采购批次",
                        "verbose_name_plural": "带量采购批次",
                        "ordering": ["-demand_start", "code"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("demand_end__gt", models.F("demand_start"))),
                                name="tender_demand_window",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("bid_deadline__gte", models.F("demand_end"))),
                                name="tender_deadline_after_demand",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("opening_at__gte", models.F("bid_deadline"))),
                                name="tender_opening_after_deadline",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("cycle_end__gt", models.F("cycle_start"))),
                                name="tender_cycle_order",
                            ),
                        ],
                        "indexes": [],
                    },
                ),
                migrations.CreateModel(
                    name="Lot",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("number", models.CharField(max_length=20, verbose_name="品种编号")),
                        ("generic_name", models.CharField(max_length=200, verbose_name="通用名/耗材类别")),
                        ("dosage_form_group", models.CharField(blank=True, max_length=100, verbose_name="剂型组")),
                        (
                            "dosage_forms",
                            models.JSONField(
                                blank=True, default=list, help_text="属于本剂型组的剂型名称", verbose_name="包含剂型"
                            ),
                        ),
                        (
                            "reference_specification",
                            models.CharField(blank=True, max_length=100, verbose_name="参比规格"),
                        ),
                        (
                            "reference_strength",
                            models.DecimalField(
                                blank=True, decimal_places=4, max_digits=14, null=True, verbose_name="参比含量"
                            ),
                        ),
                        ("strength_unit", models.CharField(blank=True, max_length=10, verbose_name="含量单位")),
                        ("comparison_unit", models.CharField(default="片", max_length=20, verbose_name="计价单位")),
                        (
                            "max_price",
                            models.DecimalField(
                                decimal_places=4,
                                help_text="每计价单位（参比规格的最小制剂单位）",
                                max_digits=14,
                                validators=[django.core.validators.MinValueValidator(0)],
                                verbose_name="最高有效申报价",
                            ),
                        ),
                        (
                            "quality_requirement",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("", "无特别要求"),
                                    ("consistency", "通过一致性评价（或原研/参比制剂）"),
                                    ("standard", "符合国家标准"),
                                ],
                                max_length=20,
                                verbose_name="质量要求",
                            ),
                        ),
                        ("consumable_class", models.CharField(blank=True, max_length=100, verbose_name="耗材类别")),
                        (
                            "price_ratio_per_doubling",
                            models.DecimalField(
                                decimal_places=4,
                                default="1.7000",
                                help_text="含量加倍时价格之比（差比价规则：1.7）",
                                max_digits=6,
                                verbose_name="含量差比价系数",
                            ),
                        ),
                        (
                            "tender",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="lots",
                                to="procurement.tender",
                                verbose_name="批次",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "品种",
                        "verbose_name_plural": "品种",
                        "ordering": ["tender", "number"],
                        "constraints": [
                            models.UniqueConstraint(fields=("tender", "number"), name="lot_number_unique_in_tender")
                        ],
                        "indexes": [],
                    },
                ),
                migrations.CreateModel(
                    name="Bid",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("sealed_price", models.TextField(editable=False, verbose_name="密封报价")),
                        ("seal_hash", models.CharField(editable=False, max_length=64, verbose_name="申报摘要 SHA-256")),
                        (
                            "price",
                            models.DecimalField(
                                blank=True,
                                decimal_places=4,
                                editable=False,
                                help_text="每最小制剂单位；开标后解密写入",
                                max_digits=14,
                                null=True,
                                verbose_name="申报单价",
                            ),
                        ),
                        (
                            "comparison_price",
                            models.DecimalField(
                                blank=True,
                                decimal_places=4,
                                editable=False,
                                max_digits=14,
                                null=True,
                                verbose_name="单位可比价",
                            ),
                        ),
                        (
                            "supply_capacity",
                            models.PositiveBigIntegerField(
                                help_text="采购周期内可供应的最小制剂单位数", verbose_name="供应能力"
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("submitted", "已申报"),
                                    ("replaced", "已替换"),
                                    ("withdrawn", "已撤回"),
                                    ("valid", "有效"),
                                    ("invalid", "无效"),
                                    ("selected", "拟中选"),
                                    ("not_selected", "未中选"),
                                ],
                                default="submitted",
                                max_length=20,
                                verbose_name="状态",
                            ),
                        ),
                        ("invalid_reason", models.CharField(blank=True, max_length=300, verbose_name="无效原因")),
                        ("submitted_at", models.DateTimeField(verbose_name="申报时间")),
                        ("withdrawn_at", models.DateTimeField(blank=True, null=True, verbose_name="撤回时间")),
                        (
                            "manufacturer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="bids",
                                to="accounts.organization",
                                verbose_name="申报企业",
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="bids",
                                to="catalog.product",
                                verbose_name="申报产品",
                            ),
                        ),
                        (
                            "replaces",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="replaced_by",
                                to="procurement.bid",
                                verbose_name="替换的申报",
                            ),
                        ),
                        (
                            "submitted_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="申报人",
                            ),
                        ),
                        (
                            "lot",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="bids",
                                to="procurement.lot",
                                verbose_name="品种",
                            ),
                        ),
                        (
                            "tender",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="bids",
                                to="procurement.tender",
                                verbose_name="批次",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "申报",
                        "verbose_name_plural": "申报",
                        "ordering": ["lot", "submitted_at", "id"],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("status", "submitted")),
                                fields=("lot", "manufacturer"),
                                name="bid_one_live_per_manufacturer_lot",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("price__isnull", True), ("price__gt", 0), _connector="OR"),
                                name="bid_price_positive",
                            ),
                        ],
                        "indexes": [],
                    },
                ),
                migrations.CreateModel(
                    name="Award",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("rank", models.PositiveSmallIntegerField(verbose_name="中选顺位")),
                        (
                            "awarded_price",
                            models.DecimalField(
                                decimal_places=4, max_digits=14, verbose_name="中选价（每最小制剂单位）"
                            ),
                        ),
                        (
                            "comparison_price",
                            models.DecimalField(decimal_places=4, max_digits=14, verbose_name="单位可比价"),
                        ),
                        (
                            "manufacturer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="awards",
                                to="accounts.organization",
                                verbose_name="中选企业",
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="awards",
                                to="catalog.product",
                                verbose_name="中选产品",
                            ),
                        ),
                        (
                            "bid",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="award",
                                to="procurement.bid",
                                verbose_name="申报",
                            ),
                        ),
                        (
                            "lot",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="awards",
                                to="procurement.lot",
                                verbose_name="品种",
                            ),
                        ),
                        (
                            "tender",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="awards",
                                to="procurement.tender",
                                verbose_name="批次",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "中选结果",
                        "verbose_name_plural": "中选结果",
                        "ordering": ["lot", "rank"],
                        "constraints": [models.UniqueConstraint(fields=("lot", "rank"), name="award_rank_unique")],
                        "indexes": [],
                    },
                ),
                migrations.CreateModel(
                    name="Commitment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("reported_volume", models.PositiveBigIntegerField(verbose_name="报量")),
                        (
                            "agreed_volume",
                            models.PositiveBigIntegerField(help_text="最小制剂单位", verbose_name="约定采购量"),
                        ),
                        (
                            "agreed_amount",
                            models.DecimalField(decimal_places=2, max_digits=16, verbose_name="约定采购金额"),
                        ),
                        ("cycle_start", models.DateField(verbose_name="周期开始")),
                        ("cycle_end", models.DateField(verbose_name="周期结束")),
                        ("reason", models.CharField(blank=True, max_length=200, verbose_name="分配说明")),
                        (
                            "award",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="commitments",
                                to="procurement.award",
                                verbose_name="中选结果",
                            ),
                        ),
                        (
                            "hospital",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="commitments",
                                to="accounts.organization",
                                verbose_name="医疗机构",
                            ),
                        ),
                        (
                            "manufacturer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="supply_commitments",
                                to="accounts.organization",
                                verbose_name="供应企业",
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="commitments",
                                to="catalog.product",
                                verbose_name="中选产品",
                            ),
                        ),
                        (
                            "lot",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="commitments",
                                to="procurement.lot",
                                verbose_name="品种",
                            ),
                        ),
                        (
                            "tender",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="commitments",
                                to="procurement.tender",
                                verbose_name="批次",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "约定采购量",
                        "verbose_name_plural": "约定采购量",
                        "ordering": ["tender", "lot", "hospital"],
                        "indexes": [
                            models.Index(fields=["hospital", "product"], name="procurement_hospita_cc153f_idx")
                        ],
                        "constraints": [
                            models.UniqueConstraint(fields=("lot", "hospital"), name="commitment_one_per_hospital_lot")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="CommitmentAlertState",
                    fields=[
                        (
                            "commitment",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="alert_state",
                                serialize=False,
                                to="procurement.commitment",
                                verbose_name="约定采购量",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("on_track", "正常"),
                                    ("behind", "滞后"),
                                    ("at_risk", "难以完成"),
                                    ("completed", "已完成"),
                                    ("over", "超量"),
                                ],
                                max_length=20,
                                verbose_name="进度状态",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "进度提醒状态",
                        "verbose_name_plural": "进度提醒状态",
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalDistributionAuthorization",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("valid_from", models.DateField(verbose_name="有效期起")),
                        ("valid_to", models.DateField(blank=True, null=True, verbose_name="有效期止")),
                        ("is_active", models.BooleanField(default=True, verbose_name="有效")),
                        ("revoke_reason", models.CharField(blank=True, max_length=300, verbose_name="撤销原因")),
                        ("suspended_reason", models.CharField(blank=True, max_length=300, verbose_name="暂停原因")),
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
                                verbose_name="授权人",
                            ),
                        ),
                        (
                            "distributor",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                limit_choices_to={"kind": "distributor"},
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="配送企业",
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
                            "manufacturer",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                limit_choices_to={"kind": "manufacturer"},
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
                    ],
                    options={
                        "verbose_name": "historical 配送授权",
                        "verbose_name_plural": "historical 配送授权",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalListing",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        (
                            "unit_price",
                            models.DecimalField(
                                decimal_places=4, max_digits=14, verbose_name="挂网价（每最小制剂单位）"
                            ),
                        ),
                        (
                            "pack_price",
                            models.DecimalField(decimal_places=2, max_digits=16, verbose_name="挂网价（每包装）"),
                        ),
                        ("valid_from", models.DateField(verbose_name="有效期起")),
                        ("valid_to", models.DateField(blank=True, null=True, verbose_name="有效期止")),
                        (
                            "source",
                            models.CharField(
                                choices=[
                                    ("tender_award", "带量采购中选"),
                                    ("price_linkage", "全国最低价联动挂网"),
                                    ("application", "企业申请挂网（审核通过）"),
                                ],
                                max_length=20,
                                verbose_name="挂网来源",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[("active", "挂网中"), ("suspended", "暂停挂网"), ("withdrawn", "已撤网")],
                                default="active",
                                max_length=20,
                                verbose_name="状态",
                            ),
                        ),
                        ("status_reason", models.CharField(blank=True, max_length=300, verbose_name="状态原因")),
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
                            "approved_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="审核人",
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
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
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
                        ("qualification_lapsed", models.BooleanField(default=False, verbose_name="因资质过期暂停")),
                    ],
                    options={
                        "verbose_name": "historical 挂网产品",
                        "verbose_name_plural": "historical 挂网产品",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalTender",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("code", models.CharField(db_index=True, max_length=40, verbose_name="批次编号")),
                        ("name", models.CharField(max_length=200, verbose_name="批次名称")),
                        (
                            "level",
                            models.CharField(
                                choices=[("national", "国家组织"), ("alliance", "省际联盟"), ("regional", "自治区级")],
                                default="regional",
                                max_length=20,
                                verbose_name="采购层级",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[("drugs", "药品"), ("consumables", "医用耗材")],
                                default="drugs",
                                max_length=20,
                                verbose_name="采购类别",
                            ),
                        ),
                        ("demand_start", models.DateTimeField(verbose_name="报量开始")),
                        ("demand_end", models.DateTimeField(verbose_name="报量截止")),
                        ("bid_deadline", models.DateTimeField(verbose_name="申报截止")),
                        ("opening_at", models.DateTimeField(verbose_name="开标时间")),
                        ("cycle_start", models.DateField(verbose_name="采购周期开始")),
                        ("cycle_end", models.DateField(verbose_name="采购周期结束")),
                        ("rules", models.JSONField(blank=True, default=dict, verbose_name="中选规则")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("draft", "草稿"),
                                    ("demand_collection", "报量中"),
                                    ("bidding", "申报中"),
                                    ("opened", "已开标"),
                                    ("awarded", "已公布中选"),
                                    ("executing", "执行中"),
                                    ("closed", "已结束"),
                                    ("cancelled", "已终止"),
                                ],
                                default="draft",
                                max_length=30,
                                verbose_name="状态",
                            ),
                        ),
                        ("cancel_reason", models.TextField(blank=True, verbose_name="终止原因")),
                        ("opened_at", models.DateTimeField(blank=True, null=True, verbose_name="实际开标时间")),
                        ("awarded_at", models.DateTimeField(blank=True, null=True, verbose_name="公布中选时间")),
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
                                verbose_name="创建人",
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
                    ],
                    options={
                        "verbose_name": "historical 带量采购批次",
                        "verbose_name_plural": "historical 带量采购批次",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="Listing",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "unit_price",
                            models.DecimalField(
                                decimal_places=4, max_digits=14, verbose_name="挂网价（每最小制剂单位）"
                            ),
                        ),
                        (
                            "pack_price",
                            models.DecimalField(decimal_places=2, max_digits=16, verbose_name="挂网价（每包装）"),
                        ),
                        ("valid_from", models.DateField(verbose_name="有效期起")),
                        ("valid_to", models.DateField(blank=True, null=True, verbose_name="有效期止")),
                        (
                            "source",
                            models.CharField(
                                choices=[
                                    ("tender_award", "带量采购中选"),
                                    ("price_linkage", "全国最低价联动挂网"),
                                    ("application", "企业申请挂网（审核通过）"),
                                ],
                                max_length=20,
                                verbose_name="挂网来源",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[("active", "挂网中"), ("suspended", "暂停挂网"), ("withdrawn", "已撤网")],
                                default="active",
                                max_length=20,
                                verbose_name="状态",
                            ),
                        ),
                        ("status_reason", models.CharField(blank=True, max_length=300, verbose_name="状态原因")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                        (
                            "approved_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="审核人",
                            ),
                        ),
                        (
                            "award",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="listings",
                                to="procurement.award",
                                verbose_name="中选结果",
                            ),
                        ),
                        (
                            "manufacturer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="listings",
                                to="accounts.organization",
                                verbose_name="生产企业",
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="listings",
                                to="catalog.product",
                                verbose_name="产品",
                            ),
                        ),
                        ("qualification_lapsed", models.BooleanField(default=False, verbose_name="因资质过期暂停")),
                    ],
                    options={
                        "verbose_name": "挂网产品",
                        "verbose_name_plural": "挂网产品",
                        "ordering": ["product__generic_name", "id"],
                        "indexes": [
                            models.Index(fields=["product", "status"], name="procurement_product_4a2123_idx"),
                            models.Index(fields=["manufacturer", "status"], name="procurement_manufac_145579_idx"),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("unit_price__gt", 0), ("pack_price__gt", 0)),
                                name="listing_prices_positive",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("valid_to__isnull", True),
                                    ("valid_to__gte", models.F("valid_from")),
                                    _connector="OR",
                                ),
                                name="listing_validity_order",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("source", "tender_award"), _negated=True),
                                    ("award__isnull", False),
                                    _connector="OR",
                                ),
                                name="listing_award_source_has_award",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ListingApplication",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "unit_price",
                            models.DecimalField(
                                blank=True,
                                decimal_places=4,
                                max_digits=14,
                                null=True,
                                verbose_name="申报价（每最小制剂单位）",
                            ),
                        ),
                        ("valid_from", models.DateField(verbose_name="有效期起")),
                        ("valid_to", models.DateField(blank=True, null=True, verbose_name="有效期止")),
                        (
                            "evidence",
                            models.TextField(
                                blank=True, help_text="如其他省份挂网价、全国最低价来源", verbose_name="价格依据说明"
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("draft", "草稿"),
                                    ("submitted", "待审核"),
                                    ("returned", "已退回"),
                                    ("approved", "已通过"),
                                    ("refused", "不予通过"),
                                ],
                                default="draft",
                                max_length=20,
                                verbose_name="状态",
                            ),
                        ),
                        ("review_note", models.CharField(blank=True, max_length=500, verbose_name="审核意见")),
                        ("submitted_at", models.DateTimeField(blank=True, null=True, verbose_name="提交时间")),
                        ("reviewed_at", models.DateTimeField(blank=True, null=True, verbose_name="审核时间")),
                        (
                            "listing",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="applications",
                                to="procurement.listing",
                                verbose_name="挂网产品",
                            ),
                        ),
                        (
                            "manufacturer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="listing_applications",
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
                            "reviewed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="审核人",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="申请人",
                            ),
                        ),
                        ("above_ceiling", models.BooleanField(default=False, verbose_name="高于联动上限")),
                        ("basis", models.JSONField(blank=True, default=dict, verbose_name="价格依据")),
                        (
                            "ceiling",
                            models.DecimalField(
                                blank=True,
                                decimal_places=4,
                                max_digits=14,
                                null=True,
                                verbose_name="联动上限（每最小制剂单位）",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                        (
                            "distributors",
                            models.ManyToManyField(
                                blank=True,
                                limit_choices_to={"kind": "distributor"},
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="授权配送企业",
                            ),
                        ),
                        ("justification", models.TextField(blank=True, verbose_name="超出联动上限的说明")),
                        (
                            "kind",
                            models.CharField(
                                choices=[("new", "挂网申报"), ("price_change", "调价申请"), ("delist", "撤网申请")],
                                default="new",
                                max_length=20,
                                verbose_name="申请类型",
                            ),
                        ),
                        (
                            "pack_price",
                            models.DecimalField(
                                blank=True, decimal_places=2, max_digits=16, null=True, verbose_name="申报价（每包装）"
                            ),
                        ),
                        ("reason", models.TextField(blank=True, help_text="调价、撤网的理由", verbose_name="申请理由")),
                        (
                            "regions",
                            models.ManyToManyField(
                                blank=True, related_name="+", to="accounts.region", verbose_name="配送区域"
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                    ],
                    options={
                        "verbose_name": "挂网申请",
                        "verbose_name_plural": "挂网申请",
                        "ordering": ["-created_at", "-id"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("unit_price__isnull", True), ("unit_price__gt", 0), _connector="OR"
                                ),
                                name="listing_application_price_positive",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("kind", "delist"),
                                    ("status", "draft"),
                                    ("unit_price__isnull", False),
                                    _connector="OR",
                                ),
                                name="listing_application_priced",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("kind", "new"), ("listing__isnull", False), _connector="OR"),
                                name="listing_application_change_has_listing",
                            ),
                        ],
                        "indexes": [
                            models.Index(fields=["status", "kind"], name="procurement_status_24c61c_idx"),
                            models.Index(fields=["manufacturer", "status"], name="procurement_manufac_59b605_idx"),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="OffPlatformImport",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("original_name", models.CharField(max_length=255, verbose_name="原文件名")),
                        ("rows", models.PositiveIntegerField(default=0, verbose_name="行数")),
                        ("counts", models.JSONField(blank=True, default=dict, verbose_name="统计")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="导入时间")),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="导入人",
                            ),
                        ),
                        (
                            "hospital",
                            models.ForeignKey(
                                blank=True,
                                help_text="医疗机构上报时为本机构；官方导入可含多家机构",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="上报机构",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "线下采购导入",
                        "verbose_name_plural": "线下采购导入",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="OffPlatformPurchase",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "supply_class",
                            models.CharField(
                                choices=[
                                    ("drug", "药品"),
                                    ("hv_consumable", "高值医用耗材"),
                                    ("consumable", "其他医用耗材"),
                                ],
                                max_length=20,
                                verbose_name="统计类别",
                            ),
                        ),
                        ("month", models.DateField(help_text="当月 1 日", verbose_name="月份")),
                        ("quantity", models.PositiveBigIntegerField(verbose_name="数量（最小制剂单位）")),
                        ("amount", models.DecimalField(decimal_places=2, max_digits=16, verbose_name="金额")),
                        (
                            "source",
                            models.CharField(
                                blank=True, help_text="如 医院HIS导出、发票汇总", max_length=100, verbose_name="来源"
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                        (
                            "hospital",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="off_platform_purchases",
                                to="accounts.organization",
                                verbose_name="医疗机构",
                            ),
                        ),
                        (
                            "import_batch",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="purchases",
                                to="procurement.offplatformimport",
                                verbose_name="导入批次",
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
                        "verbose_name": "线下采购",
                        "verbose_name_plural": "线下采购",
                        "ordering": ["-month", "hospital", "product"],
                        "indexes": [
                            models.Index(fields=["month", "hospital", "supply_class"], name="offplatform_month_hosp")
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("hospital", "product", "month"), name="offplatform_one_per_month"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("amount__gte", 0)), name="offplatform_amount_non_negative"
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ProgressRun",
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
                                choices=[("full", "全量"), ("hospital", "单家医疗机构")],
                                max_length=10,
                                verbose_name="类型",
                            ),
                        ),
                        ("as_of", models.DateField(verbose_name="计算日期")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("running", "运行中"),
                                    ("succeeded", "成功"),
                                    ("failed", "失败"),
                                    ("skipped", "跳过（已有运行）"),
                                    ("abandoned", "中断"),
                                ],
                                default="running",
                                max_length=10,
                                verbose_name="状态",
                            ),
                        ),
                        ("started_at", models.DateTimeField(verbose_name="开始时间")),
                        ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="结束时间")),
                        ("rows", models.PositiveIntegerField(default=0, verbose_name="进度行数")),
                        ("alerts", models.PositiveIntegerField(default=0, verbose_name="新提醒数")),
                        ("error", models.TextField(blank=True, verbose_name="错误")),
                        (
                            "hospital",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="医疗机构",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "进度计算记录",
                        "verbose_name_plural": "进度计算记录",
                        "ordering": ["-started_at", "-id"],
                        "indexes": [models.Index(fields=["status", "started_at"], name="progress_run_status")],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("hospital__isnull", True), ("kind", "full")),
                                    ("kind", "hospital"),
                                    _connector="OR",
                                ),
                                name="progress_run_kind_hospital",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="PurchaseOrder",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "number",
                            models.CharField(
                                blank=True, max_length=30, null=True, unique=True, verbose_name="订单编号"
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("draft", "草稿"),
                                    ("submitted", "待响应"),
                                    ("accepted", "已接单"),
                                    ("rejected", "已拒绝"),
                                    ("partially_shipped", "部分配送"),
                                    ("shipped", "已配送"),
                                    ("partially_received", "部分入库"),
                                    ("received", "已入库"),
                                    ("closed", "已完结"),
                                    ("cancelled", "已撤销"),
                                ],
                                default="draft",
                                max_length=20,
                                verbose_name="状态",
                            ),
                        ),
                        ("urgent", models.BooleanField(default=False, verbose_name="紧急订单")),
                        ("hospital_remarks", models.TextField(blank=True, verbose_name="医疗机构备注")),
                        ("distributor_remarks", models.TextField(blank=True, verbose_name="配送企业备注")),
                        (
                            "idempotency_key",
                            models.CharField(
                                blank=True,
                                help_text="客户端重试提交时携带同一键，返回同一订单",
                                max_length=100,
                                verbose_name="幂等键",
                            ),
                        ),
                        (
                            "idempotency_fingerprint",
                            models.CharField(
                                blank=True,
                                db_default="",
                                default="",
                                editable=False,
                                max_length=64,
                                verbose_name="幂等请求指纹",
                            ),
                        ),
                        (
                            "total_amount",
                            models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name="订单金额"),
                        ),
                        ("line_count", models.PositiveIntegerField(default=0, verbose_name="品规数")),
                        ("version", models.PositiveIntegerField(default=1, verbose_name="版本")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                        (
                            "submitted_at",
                            models.DateTimeField(blank=True, db_index=True, null=True, verbose_name="提交时间"),
                        ),
                        ("response_due_at", models.DateTimeField(blank=True, null=True, verbose_name="响应期限")),
                        ("delivery_due_at", models.DateTimeField(blank=True, null=True, verbose_name="配送期限")),
                        ("responded_at", models.DateTimeField(blank=True, null=True, verbose_name="响应时间")),
                        ("reject_reason", models.CharField(blank=True, max_length=300, verbose_name="拒绝原因")),
                        ("first_shipped_at", models.DateTimeField(blank=True, null=True, verbose_name="首次配送时间")),
                        ("shipped_at", models.DateTimeField(blank=True, null=True, verbose_name="配送完成时间")),
                        ("received_at", models.DateTimeField(blank=True, null=True, verbose_name="入库完成时间")),
                        ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="完结时间")),
                        ("close_reason", models.CharField(blank=True, max_length=300, verbose_name="完结说明")),
                        ("cancelled_at", models.DateTimeField(blank=True, null=True, verbose_name="撤销时间")),
                        ("cancel_reason", models.CharField(blank=True, max_length=300, verbose_name="撤销原因")),
                        ("response_overdue", models.BooleanField(default=False, verbose_name="响应超时")),
                        ("delivery_overdue", models.BooleanField(default=False, verbose_name="配送超时")),
                        ("listing_flag", models.BooleanField(default=False, verbose_name="挂网异常")),
                        (
                            "listing_flag_reason",
                            models.CharField(blank=True, max_length=300, verbose_name="挂网异常说明"),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="创建人",
                            ),
                        ),
                        (
                            "distributor",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="incoming_orders",
                                to="accounts.organization",
                                verbose_name="配送企业",
                            ),
                        ),
                        (
                            "hospital",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="purchase_orders",
                                to="accounts.organization",
                                verbose_name="医疗机构",
                            ),
                        ),
                        (
                            "responded_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="响应人",
                            ),
                        ),
                        (
                            "submitted_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="提交人",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "采购订单",
                        "verbose_name_plural": "采购订单",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [
                            models.Index(
                                fields=["hospital", "status", "created_at"], name="procurement_hospita_1a4bc8_idx"
                            ),
                            models.Index(
                                fields=["distributor", "status", "submitted_at"], name="procurement_distrib_f66690_idx"
                            ),
                            models.Index(fields=["status", "response_due_at"], name="procurement_status_0ba00b_idx"),
                            models.Index(fields=["status", "delivery_due_at"], name="procurement_status_b08ad7_idx"),
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("idempotency_key", ""), _negated=True),
                                fields=("hospital", "idempotency_key"),
                                name="order_idempotency_key_unique_per_hospital",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("total_amount__gte", 0)), name="order_total_non_negative"
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="OrderEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("action", models.CharField(max_length=40, verbose_name="操作")),
                        ("from_status", models.CharField(blank=True, max_length=20, verbose_name="原状态")),
                        ("to_status", models.CharField(blank=True, max_length=20, verbose_name="新状态")),
                        ("at", models.DateTimeField(auto_now_add=True, verbose_name="时间")),
                        ("reason", models.TextField(blank=True, verbose_name="原因/说明")),
                        ("data", models.JSONField(blank=True, default=dict, verbose_name="数据")),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="操作人",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="操作机构",
                            ),
                        ),
                        (
                            "order",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="events",
                                to="procurement.purchaseorder",
                                verbose_name="订单",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "订单操作记录",
                        "verbose_name_plural": "订单操作记录",
                        "ordering": ["order", "at", "id"],
                        "indexes": [models.Index(fields=["order", "at"], name="procurement_order_i_8f9033_idx")],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="GoodsReturn",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "number",
                            models.CharField(
                                blank=True, max_length=30, null=True, unique=True, verbose_name="退货单号"
                            ),
                        ),
                        ("reason", models.CharField(max_length=300, verbose_name="退货原因")),
                        ("returned_at", models.DateTimeField(verbose_name="退货时间")),
                        (
                            "amount",
                            models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name="退货金额"),
                        ),
                        (
                            "distributor",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="配送企业",
                            ),
                        ),
                        (
                            "hospital",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="goods_returns",
                                to="accounts.organization",
                                verbose_name="医疗机构",
                            ),
                        ),
                        (
                            "returned_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="经办人",
                            ),
                        ),
                        (
                            "order",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="returns",
                                to="procurement.purchaseorder",
                                verbose_name="订单",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "退货单",
                        "verbose_name_plural": "退货单",
                        "ordering": ["-returned_at", "-id"],
                        "indexes": [
                            models.Index(fields=["hospital", "returned_at"], name="procurement_hospita_257850_idx")
                        ],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="Delivery",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "number",
                            models.CharField(
                                blank=True, max_length=30, null=True, unique=True, verbose_name="配送单号"
                            ),
                        ),
                        ("invoice_number", models.CharField(max_length=50, verbose_name="发票号")),
                        ("invoice_date", models.DateField(blank=True, null=True, verbose_name="开票日期")),
                        (
                            "invoice_amount",
                            models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name="发票金额"),
                        ),
                        ("shipped_at", models.DateTimeField(verbose_name="发货时间")),
                        ("remarks", models.CharField(blank=True, max_length=300, verbose_name="备注")),
                        ("received", models.BooleanField(default=False, verbose_name="已验收")),
                        (
                            "distributor",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="deliveries",
                                to="accounts.organization",
                                verbose_name="配送企业",
                            ),
                        ),
                        (
                            "hospital",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="incoming_deliveries",
                                to="accounts.organization",
                                verbose_name="医疗机构",
                            ),
                        ),
                        (
                            "shipped_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="发货人",
                            ),
                        ),
                        (
                            "order",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="deliveries",
                                to="procurement.purchaseorder",
                                verbose_name="订单",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "配送单",
                        "verbose_name_plural": "配送单",
                        "ordering": ["-shipped_at", "-id"],
                        "indexes": [
                            models.Index(fields=["distributor", "shipped_at"], name="procurement_distrib_eaedce_idx"),
                            models.Index(
                                fields=["hospital", "received", "shipped_at"], name="procurement_hospita_2ab1bc_idx"
                            ),
                        ],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="PurchaseOrderLine",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("line_no", models.PositiveSmallIntegerField(verbose_name="行号")),
                        (
                            "packs",
                            models.PositiveIntegerField(
                                validators=[django.core.validators.MinValueValidator(1)],
                                verbose_name="采购数量（包装）",
                            ),
                        ),
                        (
                            "pack_size",
                            models.PositiveIntegerField(
                                validators=[django.core.validators.MinValueValidator(1)], verbose_name="包装转换比"
                            ),
                        ),
                        ("min_units", models.PositiveBigIntegerField(verbose_name="采购数量（最小制剂单位）")),
                        (
                            "unit_price",
                            models.DecimalField(decimal_places=4, max_digits=14, verbose_name="单价（每最小制剂单位）"),
                        ),
                        (
                            "pack_price",
                            models.DecimalField(decimal_places=2, max_digits=16, verbose_name="单价（每包装）"),
                        ),
                        ("amount", models.DecimalField(decimal_places=2, max_digits=16, verbose_name="金额")),
                        ("price_frozen_at", models.DateTimeField(blank=True, null=True, verbose_name="价格锁定时间")),
                        ("packs_shipped", models.PositiveIntegerField(default=0, verbose_name="已配送（包装）")),
                        ("packs_accepted", models.PositiveIntegerField(default=0, verbose_name="已验收（包装）")),
                        ("packs_rejected", models.PositiveIntegerField(default=0, verbose_name="拒收（包装）")),
                        ("packs_returned", models.PositiveIntegerField(default=0, verbose_name="已退货（包装）")),
                        ("remarks", models.CharField(blank=True, max_length=300, verbose_name="备注")),
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
                            "listing",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="order_lines",
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
                                verbose_name="生产企业",
                            ),
                        ),
                        (
                            "order",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="lines",
                                to="procurement.purchaseorder",
                                verbose_name="订单",
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
                            "substitution_for",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="substitutions",
                                to="procurement.commitment",
                                verbose_name="替代的约定采购量",
                            ),
                        ),
                        (
                            "packs_short",
                            models.PositiveIntegerField(db_default=0, default=0, verbose_name="缺货（包装）"),
                        ),
                        (
                            "short_reason",
                            models.CharField(blank=True, db_default="", max_length=300, verbose_name="缺货原因"),
                        ),
                    ],
                    options={
                        "verbose_name": "订单明细",
                        "verbose_name_plural": "订单明细",
                        "ordering": ["order", "line_no"],
                        "indexes": [
                            models.Index(fields=["listing"], name="procurement_listing_825c32_idx"),
                            models.Index(fields=["product"], name="procurement_product_cff152_idx"),
                        ],
                        "constraints": [
                            models.UniqueConstraint(fields=("order", "line_no"), name="order_line_no_unique"),
                            models.UniqueConstraint(fields=("order", "listing"), name="order_line_listing_unique"),
                            models.CheckConstraint(
                                condition=models.Q(("packs__gte", 1)), name="order_line_packs_positive"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    (
                                        "min_units",
                                        django.db.models.expressions.CombinedExpression(
                                            models.F("packs"), "*", models.F("pack_size")
                                        ),
                                    )
                                ),
                                name="order_line_min_units",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("unit_price__gt", 0), ("amount__gte", 0)), name="order_line_prices"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("packs_accepted__lte", models.F("packs_shipped")),
                                    ("packs_returned__lte", models.F("packs_accepted")),
                                ),
                                name="order_line_counters_consistent",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("packs_short__lte", models.F("packs")),
                                    (
                                        "packs_shipped__lte",
                                        django.db.models.expressions.CombinedExpression(
                                            models.F("packs"), "-", models.F("packs_short")
                                        ),
                                    ),
                                ),
                                name="order_line_never_over_shipped",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="DeliveryLine",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "packs",
                            models.PositiveIntegerField(
                                validators=[django.core.validators.MinValueValidator(1)],
                                verbose_name="配送数量（包装）",
                            ),
                        ),
                        ("min_units", models.PositiveBigIntegerField(verbose_name="配送数量（最小制剂单位）")),
                        ("batch_number", models.CharField(max_length=50, verbose_name="批号")),
                        ("production_date", models.DateField(blank=True, null=True, verbose_name="生产日期")),
                        ("expiry_date", models.DateField(verbose_name="有效期至")),
                        (
                            "delivery",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="lines",
                                to="procurement.delivery",
                                verbose_name="配送单",
                            ),
                        ),
                        (
                            "order_line",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="delivery_lines",
                                to="procurement.purchaseorderline",
                                verbose_name="订单明细",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "配送明细",
                        "verbose_name_plural": "配送明细",
                        "ordering": ["delivery", "id"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("packs__gte", 1)), name="delivery_line_packs_positive"
                            )
                        ],
                        "indexes": [],
                    },
                ),
                migrations.CreateModel(
                    name="Receipt",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("received_at", models.DateTimeField(verbose_name="验收时间")),
                        (
                            "accepted_amount",
                            models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name="验收金额"),
                        ),
                        ("remarks", models.CharField(blank=True, max_length=300, verbose_name="备注")),
                        (
                            "delivery",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="receipt",
                                to="procurement.delivery",
                                verbose_name="配送单",
                            ),
                        ),
                        (
                            "distributor",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="配送企业",
                            ),
                        ),
                        (
                            "hospital",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="receipts",
                                to="accounts.organization",
                                verbose_name="医疗机构",
                            ),
                        ),
                        (
                            "order",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="receipts",
                                to="procurement.purchaseorder",
                                verbose_name="订单",
                            ),
                        ),
                        (
                            "received_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="验收人",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "入库验收",
                        "verbose_name_plural": "入库验收",
                        "ordering": ["-received_at", "-id"],
                        "indexes": [
                            models.Index(fields=["hospital", "received_at"], name="procurement_hospita_09328c_idx")
                        ],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="ReceiptLine",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "supply_class",
                            models.CharField(
                                choices=[
                                    ("drug", "药品"),
                                    ("hv_consumable", "高值医用耗材"),
                                    ("consumable", "其他医用耗材"),
                                ],
                                max_length=20,
                                verbose_name="统计类别",
                            ),
                        ),
                        (
                            "unit_price",
                            models.DecimalField(decimal_places=4, max_digits=14, verbose_name="单价（每最小制剂单位）"),
                        ),
                        ("amount", models.DecimalField(decimal_places=2, max_digits=16, verbose_name="金额")),
                        ("accepted_packs", models.PositiveIntegerField(verbose_name="验收数量（包装）")),
                        ("rejected_packs", models.PositiveIntegerField(default=0, verbose_name="拒收数量（包装）")),
                        ("reject_reason", models.CharField(blank=True, max_length=300, verbose_name="拒收原因")),
                        ("received_on", models.DateField(verbose_name="验收日期")),
                        ("accepted_min_units", models.PositiveBigIntegerField(verbose_name="验收数量（最小制剂单位）")),
                        (
                            "award",
                            models.ForeignKey(
                                blank=True,
                                help_text="挂网来源为带量采购中选时填写（直接结算的范围）",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="procurement.award",
                                verbose_name="中选结果",
                            ),
                        ),
                        (
                            "delivery_line",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="receipt_line",
                                to="procurement.deliveryline",
                                verbose_name="配送明细",
                            ),
                        ),
                        (
                            "distributor",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="配送企业",
                            ),
                        ),
                        (
                            "hospital",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="医疗机构",
                            ),
                        ),
                        (
                            "listing",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
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
                                verbose_name="生产企业",
                            ),
                        ),
                        (
                            "order_line",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="receipt_lines",
                                to="procurement.purchaseorderline",
                                verbose_name="订单明细",
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
                            "receipt",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="lines",
                                to="procurement.receipt",
                                verbose_name="入库验收",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "验收明细",
                        "verbose_name_plural": "验收明细",
                        "ordering": ["receipt", "id"],
                        "indexes": [
                            models.Index(
                                fields=["hospital", "product", "received_on"], name="receiptline_hosp_prod_day"
                            ),
                            models.Index(fields=["manufacturer", "received_on"], name="receiptline_mfr_day"),
                            models.Index(fields=["award", "received_on"], name="receiptline_award_day"),
                            models.Index(fields=["received_on"], name="receiptline_day"),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("amount__gte", 0), ("unit_price__gt", 0)),
                                name="receipt_line_prices",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("rejected_packs", 0),
                                    models.Q(("reject_reason", ""), _negated=True),
                                    _connector="OR",
                                ),
                                name="receipt_line_reject_has_reason",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="GoodsReturnLine",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "supply_class",
                            models.CharField(
                                choices=[
                                    ("drug", "药品"),
                                    ("hv_consumable", "高值医用耗材"),
                                    ("consumable", "其他医用耗材"),
                                ],
                                max_length=20,
                                verbose_name="统计类别",
                            ),
                        ),
                        (
                            "unit_price",
                            models.DecimalField(decimal_places=4, max_digits=14, verbose_name="单价（每最小制剂单位）"),
                        ),
                        ("amount", models.DecimalField(decimal_places=2, max_digits=16, verbose_name="金额")),
                        (
                            "packs",
                            models.PositiveIntegerField(
                                validators=[django.core.validators.MinValueValidator(1)],
                                verbose_name="退货数量（包装）",
                            ),
                        ),
                        ("reason", models.CharField(max_length=300, verbose_name="退货原因")),
                        ("returned_on", models.DateField(verbose_name="退货日期")),
                        ("min_units", models.PositiveBigIntegerField(verbose_name="退货数量（最小制剂单位）")),
                        (
                            "award",
                            models.ForeignKey(
                                blank=True,
                                help_text="挂网来源为带量采购中选时填写（直接结算的范围）",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="procurement.award",
                                verbose_name="中选结果",
                            ),
                        ),
                        (
                            "distributor",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="配送企业",
                            ),
                        ),
                        (
                            "goods_return",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="lines",
                                to="procurement.goodsreturn",
                                verbose_name="退货单",
                            ),
                        ),
                        (
                            "hospital",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="医疗机构",
                            ),
                        ),
                        (
                            "manufacturer",
                            models.ForeignKey(
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
                            "listing",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="procurement.listing",
                                verbose_name="挂网产品",
                            ),
                        ),
                        (
                            "order_line",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="procurement.purchaseorderline",
                                verbose_name="订单明细",
                            ),
                        ),
                        (
                            "receipt_line",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="return_lines",
                                to="procurement.receiptline",
                                verbose_name="验收明细",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "退货明细",
                        "verbose_name_plural": "退货明细",
                        "ordering": ["goods_return", "id"],
                        "indexes": [
                            models.Index(
                                fields=["hospital", "product", "returned_on"], name="returnline_hosp_prod_day"
                            ),
                            models.Index(fields=["manufacturer", "returned_on"], name="returnline_mfr_day"),
                            models.Index(fields=["award", "returned_on"], name="returnline_award_day"),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("packs__gte", 1)), name="return_line_packs_positive"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("amount__gte", 0)), name="return_line_amount_non_negative"
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ManufacturerProgress",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("agreed_volume", models.BigIntegerField(verbose_name="约定采购量合计")),
                        (
                            "ordered_units",
                            models.BigIntegerField(
                                help_text="已提交且未撤销、未拒绝的中选产品订单", verbose_name="已下单量"
                            ),
                        ),
                        (
                            "due_units",
                            models.BigIntegerField(help_text="提交已超过配送期限的订单量", verbose_name="应已配送量"),
                        ),
                        ("shipped_units", models.BigIntegerField(verbose_name="已配送量")),
                        ("received_units", models.BigIntegerField(help_text="验收量减退货量", verbose_name="已入库量")),
                        (
                            "received_amount",
                            models.DecimalField(decimal_places=2, max_digits=16, verbose_name="已入库金额"),
                        ),
                        ("delivery_lag", models.BooleanField(default=False, verbose_name="配送滞后")),
                        (
                            "manufacturer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="生产企业",
                            ),
                        ),
                        (
                            "tender",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="procurement.tender",
                                verbose_name="批次",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "生产企业中选量执行",
                        "verbose_name_plural": "生产企业中选量执行",
                        "ordering": ["tender", "manufacturer"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("manufacturer", "tender"), name="manufacturer_progress_unique"
                            )
                        ],
                        "indexes": [],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalLot",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("number", models.CharField(max_length=20, verbose_name="品种编号")),
                        ("generic_name", models.CharField(max_length=200, verbose_name="通用名/耗材类别")),
                        ("dosage_form_group", models.CharField(blank=True, max_length=100, verbose_name="剂型组")),
                        (
                            "dosage_forms",
                            models.JSONField(
                                blank=True, default=list, help_text="属于本剂型组的剂型名称", verbose_name="包含剂型"
                            ),
                        ),
                        (
                            "reference_specification",
                            models.CharField(blank=True, max_length=100, verbose_name="参比规格"),
                        ),
                        (
                            "reference_strength",
                            models.DecimalField(
                                blank=True, decimal_places=4, max_digits=14, null=True, verbose_name="参比含量"
                            ),
                        ),
                        ("strength_unit", models.CharField(blank=True, max_length=10, verbose_name="含量单位")),
                        ("comparison_unit", models.CharField(default="片", max_length=20, verbose_name="计价单位")),
                        (
                            "max_price",
                            models.DecimalField(
                                decimal_places=4,
                                help_text="每计价单位（参比规格的最小制剂单位）",
                                max_digits=14,
                                validators=[django.core.validators.MinValueValidator(0)],
                                verbose_name="最高有效申报价",
                            ),
                        ),
                        (
                            "quality_requirement",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("", "无特别要求"),
                                    ("consistency", "通过一致性评价（或原研/参比制剂）"),
                                    ("standard", "符合国家标准"),
                                ],
                                max_length=20,
                                verbose_name="质量要求",
                            ),
                        ),
                        ("consumable_class", models.CharField(blank=True, max_length=100, verbose_name="耗材类别")),
                        (
                            "price_ratio_per_doubling",
                            models.DecimalField(
                                decimal_places=4,
                                default="1.7000",
                                help_text="含量加倍时价格之比（差比价规则：1.7）",
                                max_digits=6,
                                verbose_name="含量差比价系数",
                            ),
                        ),
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
                        "verbose_name": "historical 品种",
                        "verbose_name_plural": "historical 品种",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalDemandReport",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("annual_volume", models.PositiveBigIntegerField(verbose_name="年度需求量")),
                        ("reported_at", models.DateTimeField(blank=True, editable=False, verbose_name="填报时间")),
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
                            "named_product",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="catalog.product",
                                verbose_name="指定产品",
                            ),
                        ),
                        (
                            "reported_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="填报人",
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
                        "verbose_name": "historical 需求报量",
                        "verbose_name_plural": "historical 需求报量",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalBid",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("seal_hash", models.CharField(editable=False, max_length=64, verbose_name="申报摘要 SHA-256")),
                        (
                            "price",
                            models.DecimalField(
                                blank=True,
                                decimal_places=4,
                                editable=False,
                                help_text="每最小制剂单位；开标后解密写入",
                                max_digits=14,
                                null=True,
                                verbose_name="申报单价",
                            ),
                        ),
                        (
                            "comparison_price",
                            models.DecimalField(
                                blank=True,
                                decimal_places=4,
                                editable=False,
                                max_digits=14,
                                null=True,
                                verbose_name="单位可比价",
                            ),
                        ),
                        (
                            "supply_capacity",
                            models.PositiveBigIntegerField(
                                help_text="采购周期内可供应的最小制剂单位数", verbose_name="供应能力"
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("submitted", "已申报"),
                                    ("replaced", "已替换"),
                                    ("withdrawn", "已撤回"),
                                    ("valid", "有效"),
                                    ("invalid", "无效"),
                                    ("selected", "拟中选"),
                                    ("not_selected", "未中选"),
                                ],
                                default="submitted",
                                max_length=20,
                                verbose_name="状态",
                            ),
                        ),
                        ("invalid_reason", models.CharField(blank=True, max_length=300, verbose_name="无效原因")),
                        ("submitted_at", models.DateTimeField(verbose_name="申报时间")),
                        ("withdrawn_at", models.DateTimeField(blank=True, null=True, verbose_name="撤回时间")),
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
                            "manufacturer",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="申报企业",
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
                                verbose_name="申报产品",
                            ),
                        ),
                        (
                            "replaces",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="procurement.bid",
                                verbose_name="替换的申报",
                            ),
                        ),
                        (
                            "submitted_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="申报人",
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
                        "verbose_name": "historical 申报",
                        "verbose_name_plural": "historical 申报",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalAward",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("rank", models.PositiveSmallIntegerField(verbose_name="中选顺位")),
                        (
                            "awarded_price",
                            models.DecimalField(
                                decimal_places=4, max_digits=14, verbose_name="中选价（每最小制剂单位）"
                            ),
                        ),
                        (
                            "comparison_price",
                            models.DecimalField(decimal_places=4, max_digits=14, verbose_name="单位可比价"),
                        ),
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
                            "bid",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="procurement.bid",
                                verbose_name="申报",
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
                            "manufacturer",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="中选企业",
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
                                verbose_name="中选产品",
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
                        "verbose_name": "historical 中选结果",
                        "verbose_name_plural": "historical 中选结果",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="DemandReport",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("annual_volume", models.PositiveBigIntegerField(verbose_name="年度需求量")),
                        ("reported_at", models.DateTimeField(auto_now=True, verbose_name="填报时间")),
                        (
                            "hospital",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="demand_reports",
                                to="accounts.organization",
                                verbose_name="医疗机构",
                            ),
                        ),
                        (
                            "named_product",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="catalog.product",
                                verbose_name="指定产品",
                            ),
                        ),
                        (
                            "reported_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="填报人",
                            ),
                        ),
                        (
                            "lot",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="demands",
                                to="procurement.lot",
                                verbose_name="品种",
                            ),
                        ),
                        (
                            "tender",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="demands",
                                to="procurement.tender",
                                verbose_name="批次",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "需求报量",
                        "verbose_name_plural": "需求报量",
                        "constraints": [
                            models.UniqueConstraint(fields=("lot", "hospital"), name="demand_one_per_hospital_lot")
                        ],
                        "indexes": [],
                    },
                ),
                migrations.CreateModel(
                    name="CommitmentProgress",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "period_kind",
                            models.CharField(
                                choices=[("month", "月度"), ("cycle", "周期累计")],
                                max_length=10,
                                verbose_name="期间类型",
                            ),
                        ),
                        ("period_start", models.DateField(verbose_name="期间开始")),
                        ("period_end", models.DateField(verbose_name="期间结束")),
                        ("agreed_volume", models.PositiveBigIntegerField(verbose_name="约定采购量")),
                        (
                            "expected_units",
                            models.BigIntegerField(
                                help_text="约定量 × 期末已过周期天数 / 周期天数（取整）", verbose_name="进度应完成量"
                            ),
                        ),
                        (
                            "received_units",
                            models.BigIntegerField(help_text="中选产品验收量减退货量", verbose_name="本期入库量"),
                        ),
                        (
                            "received_amount",
                            models.DecimalField(decimal_places=2, max_digits=16, verbose_name="本期入库金额"),
                        ),
                        ("returned_units", models.BigIntegerField(verbose_name="本期退货量")),
                        (
                            "substitute_units",
                            models.BigIntegerField(
                                help_text="同品种非中选产品，验收量减退货量", verbose_name="本期替代品入库量"
                            ),
                        ),
                        (
                            "substitute_amount",
                            models.DecimalField(decimal_places=2, max_digits=16, verbose_name="本期替代品金额"),
                        ),
                        ("cumulative_units", models.BigIntegerField(verbose_name="累计入库量")),
                        (
                            "cumulative_amount",
                            models.DecimalField(decimal_places=2, max_digits=16, verbose_name="累计入库金额"),
                        ),
                        ("cumulative_substitute_units", models.BigIntegerField(verbose_name="累计替代品入库量")),
                        (
                            "completion_rate",
                            models.DecimalField(
                                blank=True,
                                decimal_places=4,
                                help_text="累计入库量 / 约定采购量；约定量为 0 时为空",
                                max_digits=12,
                                null=True,
                                verbose_name="完成率",
                            ),
                        ),
                        (
                            "substitution_ratio",
                            models.DecimalField(
                                blank=True,
                                decimal_places=4,
                                help_text="累计替代品 / (累计中选产品 + 累计替代品)",
                                max_digits=6,
                                null=True,
                                verbose_name="替代率",
                            ),
                        ),
                        ("projected_units", models.BigIntegerField(verbose_name="按近期速度预计周期末完成量")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("on_track", "正常"),
                                    ("behind", "滞后"),
                                    ("at_risk", "难以完成"),
                                    ("completed", "已完成"),
                                    ("over", "超量"),
                                ],
                                max_length=20,
                                verbose_name="进度状态",
                            ),
                        ),
                        (
                            "commitment",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="progress",
                                to="procurement.commitment",
                                verbose_name="约定采购量",
                            ),
                        ),
                        (
                            "hospital",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="医疗机构",
                            ),
                        ),
                        (
                            "manufacturer",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="供应企业",
                            ),
                        ),
                        (
                            "region",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                db_index=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="accounts.region",
                                verbose_name="统筹区",
                            ),
                        ),
                        (
                            "lot",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="procurement.lot",
                                verbose_name="品种",
                            ),
                        ),
                        (
                            "tender",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="procurement.tender",
                                verbose_name="批次",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "约定采购量完成进度",
                        "verbose_name_plural": "约定采购量完成进度",
                        "ordering": ["commitment", "period_kind", "period_start"],
                        "indexes": [
                            models.Index(fields=["hospital", "period_kind"], name="progress_hospital_kind"),
                            models.Index(
                                condition=models.Q(("period_kind", "cycle")),
                                fields=["status"],
                                name="progress_cycle_status",
                            ),
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("commitment", "period_kind", "period_start"),
                                name="progress_one_per_commitment_period",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="TenderEvaluation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("run_no", models.PositiveIntegerField(verbose_name="评审轮次")),
                        ("rules", models.JSONField(verbose_name="规则")),
                        ("inputs", models.JSONField(verbose_name="输入")),
                        ("outputs", models.JSONField(verbose_name="结果")),
                        ("is_current", models.BooleanField(default=True, verbose_name="当前结果")),
                        ("reason", models.TextField(blank=True, verbose_name="重新评审原因")),
                        ("run_at", models.DateTimeField(auto_now_add=True, verbose_name="评审时间")),
                        (
                            "run_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="评审人",
                            ),
                        ),
                        (
                            "tender",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="evaluations",
                                to="procurement.tender",
                                verbose_name="批次",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "评审记录",
                        "verbose_name_plural": "评审记录",
                        "ordering": ["tender", "-run_no"],
                        "constraints": [
                            models.UniqueConstraint(fields=("tender", "run_no"), name="evaluation_run_unique"),
                            models.UniqueConstraint(
                                condition=models.Q(("is_current", True)),
                                fields=("tender",),
                                name="evaluation_one_current",
                            ),
                        ],
                        "indexes": [],
                    },
                ),
                migrations.CreateModel(
                    name="DistributionAuthorization",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("valid_from", models.DateField(verbose_name="有效期起")),
                        ("valid_to", models.DateField(blank=True, null=True, verbose_name="有效期止")),
                        ("is_active", models.BooleanField(default=True, verbose_name="有效")),
                        ("revoke_reason", models.CharField(blank=True, max_length=300, verbose_name="撤销原因")),
                        ("suspended_reason", models.CharField(blank=True, max_length=300, verbose_name="暂停原因")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="授权人",
                            ),
                        ),
                        (
                            "distributor",
                            models.ForeignKey(
                                limit_choices_to={"kind": "distributor"},
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="distribution_authorizations",
                                to="accounts.organization",
                                verbose_name="配送企业",
                            ),
                        ),
                        (
                            "manufacturer",
                            models.ForeignKey(
                                limit_choices_to={"kind": "manufacturer"},
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="distribution_authorizations_given",
                                to="accounts.organization",
                                verbose_name="生产企业",
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="distribution_authorizations",
                                to="catalog.product",
                                verbose_name="产品",
                            ),
                        ),
                        (
                            "regions",
                            models.ManyToManyField(
                                help_text="盟市：覆盖其下全部旗县区",
                                related_name="distribution_authorizations",
                                to="accounts.region",
                                verbose_name="配送区域",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "配送授权",
                        "verbose_name_plural": "配送授权",
                        "ordering": ["product", "distributor", "-valid_from"],
                        "indexes": [
                            models.Index(
                                fields=["product", "distributor", "is_active"], name="procurement_product_e0393d_idx"
                            ),
                            models.Index(fields=["distributor", "is_active"], name="procurement_distrib_fdbe88_idx"),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("valid_to__isnull", True),
                                    ("valid_to__gte", models.F("valid_from")),
                                    _connector="OR",
                                ),
                                name="authorization_validity_order",
                            ),
                            models.UniqueConstraint(
                                fields=("manufacturer", "distributor", "product", "valid_from"),
                                name="authorization_unique_start",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ConsumableBid",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("system_name", models.CharField(blank=True, max_length=200, verbose_name="产品系统名称")),
                        ("supplies_all_regions", models.BooleanField(default=True, verbose_name="承诺供应全部地区")),
                        ("meets_group_a_conditions", models.BooleanField(default=True, verbose_name="满足A组其他条件")),
                        ("accepts_revival", models.BooleanField(default=False, verbose_name="接受复活价格")),
                        (
                            "bid",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="consumable",
                                to="procurement.bid",
                                verbose_name="申报",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "耗材申报声明",
                        "verbose_name_plural": "耗材申报声明",
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="ConsumableLot",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("high_value_class", models.CharField(blank=True, max_length=20, verbose_name="高值耗材类别")),
                        ("system_category", models.CharField(blank=True, max_length=100, verbose_name="产品系统类别")),
                        ("material_group", models.CharField(blank=True, max_length=100, verbose_name="材质/功能分组")),
                        (
                            "bid_unit",
                            models.CharField(
                                choices=[("registration", "按注册证申报"), ("system", "按产品系统申报")],
                                default="registration",
                                max_length=20,
                                verbose_name="申报单元",
                            ),
                        ),
                        (
                            "price_basis",
                            models.CharField(
                                choices=[("unit", "按单件计价"), ("system", "按系统（套）计价")],
                                default="unit",
                                max_length=20,
                                verbose_name="计价方式",
                            ),
                        ),
                        ("components", models.JSONField(blank=True, default=list, verbose_name="系统部件")),
                        (
                            "lot",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="consumable",
                                to="procurement.lot",
                                verbose_name="品种",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "耗材品种设置",
                        "verbose_name_plural": "耗材品种设置",
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="ConsumableTender",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("rules", models.JSONField(default=dict, verbose_name="耗材中选规则")),
                        (
                            "tender",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="consumable",
                                to="procurement.tender",
                                verbose_name="批次",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "耗材批次规则",
                        "verbose_name_plural": "耗材批次规则",
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalConsumableDemand",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("volume", models.PositiveBigIntegerField(verbose_name="意向采购量")),
                        ("reported_at", models.DateTimeField(blank=True, editable=False, verbose_name="填报时间")),
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
                                verbose_name="产品（品牌）",
                            ),
                        ),
                        (
                            "reported_by",
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
                        "verbose_name": "historical 耗材意向采购量",
                        "verbose_name_plural": "historical 耗材意向采购量",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalConsumableLot",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("high_value_class", models.CharField(blank=True, max_length=20, verbose_name="高值耗材类别")),
                        ("system_category", models.CharField(blank=True, max_length=100, verbose_name="产品系统类别")),
                        ("material_group", models.CharField(blank=True, max_length=100, verbose_name="材质/功能分组")),
                        (
                            "bid_unit",
                            models.CharField(
                                choices=[("registration", "按注册证申报"), ("system", "按产品系统申报")],
                                default="registration",
                                max_length=20,
                                verbose_name="申报单元",
                            ),
                        ),
                        (
                            "price_basis",
                            models.CharField(
                                choices=[("unit", "按单件计价"), ("system", "按系统（套）计价")],
                                default="unit",
                                max_length=20,
                                verbose_name="计价方式",
                            ),
                        ),
                        ("components", models.JSONField(blank=True, default=list, verbose_name="系统部件")),
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
                    ],
                    options={
                        "verbose_name": "historical 耗材品种设置",
                        "verbose_name_plural": "historical 耗材品种设置",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalConsumableTender",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("rules", models.JSONField(default=dict, verbose_name="耗材中选规则")),
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
                        "verbose_name": "historical 耗材批次规则",
                        "verbose_name_plural": "historical 耗材批次规则",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="BidComponent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("role", models.CharField(max_length=100, verbose_name="部件")),
                        (
                            "quantity",
                            models.PositiveSmallIntegerField(
                                default=1,
                                validators=[django.core.validators.MinValueValidator(1)],
                                verbose_name="每套数量",
                            ),
                        ),
                        (
                            "bid",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="components",
                                to="procurement.bid",
                                verbose_name="申报",
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="catalog.product",
                                verbose_name="部件产品",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "系统部件",
                        "verbose_name_plural": "系统部件",
                        "ordering": ["bid", "pk"],
                        "constraints": [
                            models.UniqueConstraint(fields=("bid", "role", "product"), name="bid_component_unique"),
                            models.CheckConstraint(
                                condition=models.Q(("quantity__gte", 1)), name="bid_component_quantity_positive"
                            ),
                        ],
                        "indexes": [],
                    },
                ),
                migrations.CreateModel(
                    name="ConsumableDemand",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("volume", models.PositiveBigIntegerField(verbose_name="意向采购量")),
                        ("reported_at", models.DateTimeField(auto_now=True, verbose_name="填报时间")),
                        (
                            "hospital",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="医疗机构",
                            ),
                        ),
                        (
                            "lot",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="consumable_demands",
                                to="procurement.lot",
                                verbose_name="品种",
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="catalog.product",
                                verbose_name="产品（品牌）",
                            ),
                        ),
                        (
                            "reported_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "tender",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="procurement.tender",
                                verbose_name="批次",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "耗材意向采购量",
                        "verbose_name_plural": "耗材意向采购量",
                        "indexes": [models.Index(fields=["lot", "product"], name="procurement_lot_id_aabe01_idx")],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("lot", "hospital", "product"), name="consumable_demand_unique"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalListingApplication",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        (
                            "kind",
                            models.CharField(
                                choices=[("new", "挂网申报"), ("price_change", "调价申请"), ("delist", "撤网申请")],
                                default="new",
                                max_length=20,
                                verbose_name="申请类型",
                            ),
                        ),
                        (
                            "pack_price",
                            models.DecimalField(
                                blank=True, decimal_places=2, max_digits=16, null=True, verbose_name="申报价（每包装）"
                            ),
                        ),
                        (
                            "unit_price",
                            models.DecimalField(
                                blank=True,
                                decimal_places=4,
                                max_digits=14,
                                null=True,
                                verbose_name="申报价（每最小制剂单位）",
                            ),
                        ),
                        ("valid_from", models.DateField(verbose_name="有效期起")),
                        ("valid_to", models.DateField(blank=True, null=True, verbose_name="有效期止")),
                        (
                            "evidence",
                            models.TextField(
                                blank=True, help_text="如其他省份挂网价、全国最低价来源", verbose_name="价格依据说明"
                            ),
                        ),
                        ("reason", models.TextField(blank=True, help_text="调价、撤网的理由", verbose_name="申请理由")),
                        ("basis", models.JSONField(blank=True, default=dict, verbose_name="价格依据")),
                        (
                            "ceiling",
                            models.DecimalField(
                                blank=True,
                                decimal_places=4,
                                max_digits=14,
                                null=True,
                                verbose_name="联动上限（每最小制剂单位）",
                            ),
                        ),
                        ("above_ceiling", models.BooleanField(default=False, verbose_name="高于联动上限")),
                        ("justification", models.TextField(blank=True, verbose_name="超出联动上限的说明")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("draft", "草稿"),
                                    ("submitted", "待审核"),
                                    ("returned", "已退回"),
                                    ("approved", "已通过"),
                                    ("refused", "不予通过"),
                                ],
                                default="draft",
                                max_length=20,
                                verbose_name="状态",
                            ),
                        ),
                        ("review_note", models.CharField(blank=True, max_length=500, verbose_name="审核意见")),
                        ("created_at", models.DateTimeField(blank=True, editable=False, verbose_name="创建时间")),
                        ("submitted_at", models.DateTimeField(blank=True, null=True, verbose_name="提交时间")),
                        ("reviewed_at", models.DateTimeField(blank=True, null=True, verbose_name="审核时间")),
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
                                verbose_name="申请人",
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
                            "reviewed_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="审核人",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical 挂网申请",
                        "verbose_name_plural": "historical 挂网申请",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="ListingApplicationDocument",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("title", models.CharField(max_length=200, verbose_name="文件名称")),
                        ("file", models.FileField(upload_to="listing_applications/%Y/%m/", verbose_name="文件")),
                        ("uploaded_at", models.DateTimeField(auto_now_add=True, verbose_name="上传时间")),
                        (
                            "application",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="documents",
                                to="procurement.listingapplication",
                                verbose_name="挂网申请",
                            ),
                        ),
                        (
                            "uploaded_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "挂网申请附件",
                        "verbose_name_plural": "挂网申请附件",
                        "ordering": ["uploaded_at", "id"],
                        "indexes": [],
                        "constraints": [],
                    },
                ),
            ],
        ),
        migrations.RunSQL(
            sql="ALTER TABLE procurement_commitmentprogress SET (fillfactor = 85)",
            reverse_sql="ALTER TABLE procurement_commitmentprogress RESET (fillfactor)",
        ),
        migrations.RunPython(
            code=schedule_watch,
            reverse_code=unschedule_watch,
        ),
    ]
