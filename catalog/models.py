"""The catalog: every drug and consumable that tenders, listings, orders, prices and settlement refer to."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Concat, Lower
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .codes import MONGOLIAN_CATEGORIES, Category


class InsuranceClass(models.TextChoices):
    A = "A", _("甲类")
    B = "B", _("乙类")
    NONE = "", _("非医保")


class InsuranceStatus(models.TextChoices):
    IN = "in", _("在医保目录")
    REMOVED = "removed", _("已调出目录")
    NOT_LISTED = "", _("未纳入")


class HighValueClass(models.TextChoices):
    """Classes of high-value consumables (高值医用耗材) as used by VBP batches."""

    VASCULAR = "vascular", _("血管介入")
    NON_VASCULAR = "non_vascular", _("非血管介入")
    ORTHOPEDIC_JOINT = "ortho_joint", _("骨科关节")
    ORTHOPEDIC_SPINE = "ortho_spine", _("骨科脊柱")
    ORTHOPEDIC_TRAUMA = "ortho_trauma", _("骨科创伤")
    INTRAOCULAR_LENS = "iol", _("人工晶体")
    NEURO = "neuro", _("神经外科")
    ELECTROPHYSIOLOGY = "ep", _("电生理类")
    PACEMAKER = "pacemaker", _("起搏器类")
    DIALYSIS = "dialysis", _("血液净化")
    DENTAL = "dental", _("口腔类")
    OTHER = "other", _("其他高值耗材")


SEARCH_SEPARATOR = "\n"  # between the names in Product.search_text; a query is one line


class Product(models.Model):
    """A drug or a consumable, identified by its national (NHSA) code or a provincial local code.

    Drugs follow the NHSA drug code database layout (医保药品分类与代码数据库); prices elsewhere are compared
    per minimum unit (`min_unit`), `pack_size` minimum units making one pack (`pack_unit`).
    """

    category = models.CharField(_("类别"), max_length=30, choices=Category.choices)
    nhsa_code = models.CharField(_("医保代码"), max_length=30, unique=True)
    generic_name = models.CharField(_("通用名"), max_length=200)
    trade_name = models.CharField(_("商品名"), max_length=200, blank=True)
    name_pinyin = models.CharField(_("全拼"), max_length=400, blank=True, editable=False)
    name_initials = models.CharField(_("拼音首字母"), max_length=200, blank=True, editable=False)
    name_mn = models.CharField(_("蒙古文名称"), max_length=300, blank=True)
    name_en = models.CharField(_("英文名称"), max_length=300, blank=True)

    registered_dosage_form = models.CharField(_("注册剂型"), max_length=100, blank=True)
    dosage_form = models.CharField(_("剂型"), max_length=100, blank=True)
    registered_specification = models.CharField(_("注册规格"), max_length=300, blank=True)
    specification = models.CharField(_("规格"), max_length=300, blank=True)
    packaging_material = models.CharField(_("包装材质"), max_length=200, blank=True)
    pack_size = models.PositiveIntegerField(_("最小包装数量"), validators=[MinValueValidator(1)])
    min_unit = models.CharField(_("最小制剂单位"), max_length=20, help_text=_("如 片、粒、支、袋、g"))
    pack_unit = models.CharField(_("最小包装单位"), max_length=20, help_text=_("如 盒、瓶、袋"))

    manufacturer = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="products",
        verbose_name=_("生产企业"),
        limit_choices_to={"kind": "manufacturer"},
        db_index=False,  # the (manufacturer, category) index serves lookups by manufacturer
    )
    drug_enterprise = models.CharField(_("药品企业"), max_length=200, blank=True)
    subpackager = models.CharField(_("分包装企业"), max_length=200, blank=True)
    marketing_authorization_holder = models.CharField(_("上市许可持有人"), max_length=200, blank=True)
    preparing_hospital = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="preparations",
        verbose_name=_("配制医疗机构"),
        limit_choices_to={"kind": "hospital"},
        db_index=False,  # a partial index below: almost every product has none, and those cost nothing to index
    )
    approval_number = models.CharField(_("批准文号/注册证编号"), max_length=100, blank=True)
    original_approval_number = models.CharField(_("原批准文号"), max_length=100, blank=True)
    standard_code = models.CharField(_("药品本位码"), max_length=14, blank=True)
    market_status = models.CharField(_("市场状态"), max_length=50, blank=True)
    data_source = models.CharField(_("数据来源"), max_length=100, blank=True)

    insurance_name = models.CharField(_("医保药品名称"), max_length=200, blank=True)
    insurance_class = models.CharField(_("医保类别"), max_length=1, choices=InsuranceClass.choices, blank=True)
    insurance_dosage_form = models.CharField(_("医保剂型"), max_length=100, blank=True)
    insurance_number = models.CharField(_("医保目录编号"), max_length=50, blank=True)
    insurance_status = models.CharField(_("医保目录状态"), max_length=10, choices=InsuranceStatus.choices, blank=True)
    insurance_from = models.DateField(_("纳入目录日期"), null=True, blank=True)
    insurance_to = models.DateField(_("调出目录日期"), null=True, blank=True)
    negotiated = models.BooleanField(_("国家谈判药品"), default=False)
    negotiated_from = models.DateField(_("谈判协议起始"), null=True, blank=True)
    negotiated_to = models.DateField(_("谈判协议截止"), null=True, blank=True)
    consistency_evaluated = models.BooleanField(_("通过一致性评价"), default=False)
    shortage = models.BooleanField(_("短缺药品"), default=False)
    mongolian_medicine = models.BooleanField(
        _("蒙药"), default=False, help_text=_("蒙成药、蒙药饮片和蒙药医院制剂按甲类管理")
    )

    consumable_class = models.CharField(_("耗材分类"), max_length=100, blank=True)
    high_value = models.BooleanField(_("高值医用耗材"), default=False)
    high_value_class = models.CharField(_("高值耗材类别"), max_length=20, choices=HighValueClass.choices, blank=True)
    udi_di = models.CharField(
        _("UDI-DI（产品标识）"),
        max_length=60,
        blank=True,
        help_text=_("医疗器械唯一标识的产品标识：GS1 GTIN、HIBC、ICCBBA 或 MA 码（catalog.udi）"),
    )

    remarks = models.CharField(_("备注"), max_length=500, blank=True)
    former_codes = models.CharField(_("曾用码"), max_length=300, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    # Every name the search box matches as text, lower-cased, in one column with one trigram GIN index (PostgreSQL):
    # storing a product then updates one such index instead of one per name. The database computes it, so every way a
    # product is written (services, imports, admin, SQL) keeps it true. The code is not in it (its prefix is served by
    # the code's b-tree), nor the manufacturer's name (a maker's rename would rewrite all its products; the search
    # resolves makers by name first and matches their ids).
    search_text = models.GeneratedField(
        expression=Concat(
            Lower("generic_name"),
            Value(SEARCH_SEPARATOR),
            Lower("trade_name"),
            Value(SEARCH_SEPARATOR),
            "name_pinyin",
            Value(SEARCH_SEPARATOR),
            "name_initials",
            Value(SEARCH_SEPARATOR),
            Lower("name_mn"),
        ),
        output_field=models.TextField(),
        db_persist=True,
        verbose_name=_("检索文本"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # The history is read per product (by id) and by date; indexes copied from the product's own fields would only
    # slow down writing it (an import writes one history row per new or changed product).
    history = HistoricalRecords(
        excluded_fields=["name_pinyin", "name_initials", "search_text", "updated_at"],
        no_db_index=["nhsa_code", "manufacturer", "preparing_hospital"],
    )

    class Meta:
        verbose_name = _("产品")
        verbose_name_plural = _("产品")
        ordering = ["generic_name", "nhsa_code"]
        indexes = [
            models.Index(fields=["manufacturer", "category"]),
            models.Index(fields=["generic_name", "dosage_form"]),  # lots and reference prices find products by name
            models.Index(
                fields=["preparing_hospital"],
                condition=Q(preparing_hospital__isnull=False),
                name="catalog_product_preparing_idx",
            ),
            # One pg_trgm index serves the search by any name, pinyin or initials (substring and similarity).
            GinIndex(OpClass("search_text", name="gin_trgm_ops"), name="catalog_product_search_trgm"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(pack_size__gte=1), name="product_pack_size_positive"),
            # Seed 001: 蒙成药、蒙药医院制剂和蒙药饮片按照甲类药品管理.
            models.CheckConstraint(
                condition=~Q(category__in=sorted(MONGOLIAN_CATEGORIES)) | Q(insurance_class="A"),
                name="product_mongolian_categories_class_a",
            ),
            models.CheckConstraint(
                condition=Q(mongolian_medicine=False) | Q(insurance_class="A"),
                name="product_mongolian_medicine_class_a",
            ),
            models.CheckConstraint(
                condition=Q(high_value=True) | Q(high_value_class=""), name="product_high_value_class_only_if_high"
            ),
            models.CheckConstraint(
                condition=Q(category="consumable") | (Q(high_value=False) & Q(consumable_class="")),
                name="product_consumable_fields_only_for_consumables",
            ),
        ]

    def __str__(self) -> str:
        name = self.generic_name if not self.trade_name else f"{self.generic_name}（{self.trade_name}）"
        return f"{name} {self.specification}".strip()

    @property
    def is_drug(self) -> bool:
        return self.category != Category.CONSUMABLE

    @property
    def registration_number(self) -> str:
        """注册证编号 of a consumable (kept in ``approval_number``, whose label names both)."""
        return self.approval_number if self.category == Category.CONSUMABLE else ""

    @property
    def display_spec(self) -> str:
        return f"{self.specification} × {self.pack_size}{self.min_unit}/{self.pack_unit}"


class ImportJob(models.Model):
    """One catalog file import: its report and progress, kept for the operator to review."""

    class Layout(models.TextChoices):
        NHSA = "nhsa", _("国家医保药品分类与代码（总表）")
        PLATFORM = "platform", _("平台模板：蒙药/中药饮片/医院制剂")
        CONSUMABLES = "consumables", _("平台模板：医用耗材")

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("处理中")
        SUCCEEDED = "succeeded", _("已完成")
        FAILED = "failed", _("有错误，未导入")
        ERROR = "error", _("处理失败")

    layout = models.CharField(_("模板"), max_length=20, choices=Layout.choices)
    file = models.FileField(_("文件"), upload_to="catalog_imports/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=255)
    dry_run = models.BooleanField(_("仅校验"), default=False)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    counts = models.JSONField(_("统计"), default=dict, blank=True)
    error_count = models.PositiveIntegerField(_("错误行数"), default=0)
    report_file = models.FileField(_("逐行报告"), upload_to="catalog_imports/reports/%Y/%m/", blank=True)
    message = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("提交人")
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("目录导入任务")
        verbose_name_plural = _("目录导入任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0 if self.status in (self.Status.PENDING, self.Status.RUNNING) else 100
        return min(100, round(self.processed_rows * 100 / self.total_rows))
