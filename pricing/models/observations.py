"""What price monitoring reads and runs: the prices hospitals paid (observations), the reference prices, the
detector scans, and the shortage alerts raised from hospitals' reports."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords


class PriceObservation(models.Model):
    """One price paid (or seen) for a product, per minimum unit. Append-only; the scans read it in SQL."""

    class Source(models.TextChoices):
        PLATFORM_RECEIPT = "platform_receipt", _("平台入库验收")
        OFF_PLATFORM = "off_platform", _("医疗机构线下采购")
        OTHER_PROVINCE = "other_province", _("外省挂网/采购价")
        RETAIL_SURVEY = "retail_survey", _("零售药店调查")

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("产品"))
    hospital = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("医疗机构"),
    )
    region = models.ForeignKey(
        "accounts.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("统筹区")
    )
    province = models.CharField(_("省份"), max_length=20, blank=True, help_text=_("外省价格的来源省份"))
    observed_on = models.DateField(_("日期"), db_index=True)
    unit_price = models.DecimalField(_("单价（每最小制剂单位）"), max_digits=14, decimal_places=4)
    quantity = models.BigIntegerField(_("数量（最小制剂单位）"), default=0)
    amount = models.DecimalField(_("金额"), max_digits=16, decimal_places=2, default=0)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices, db_index=True)
    # The receipt line a platform observation comes from: one observation per line, never two — unique with the
    # date (the table is partitioned by month on `observed_on`, which is the receipt line's `received_on`).
    receipt_line_id = models.BigIntegerField(_("入库明细编号"), null=True, blank=True)
    import_batch = models.CharField(_("导入批次"), max_length=40, blank=True, db_index=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("价格监测记录")
        verbose_name_plural = _("价格监测记录")
        indexes = [
            models.Index(fields=["product", "observed_on"]),
            models.Index(fields=["hospital", "product", "observed_on"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="observation_price_positive"),
            models.UniqueConstraint(fields=["receipt_line_id", "observed_on"], name="observation_one_per_receipt_line"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.unit_price} @ {self.observed_on}"


class ReferencePrice(models.Model):
    class Kind(models.TextChoices):
        NATIONAL_LOWEST = "national_lowest", _("全国最低挂网价")
        VBP_AWARDED = "vbp_awarded", _("带量采购中选价")
        PAYMENT_STANDARD = "payment_standard", _("医保支付标准")
        MAX_BID = "max_bid", _("最高有效申报价")

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="reference_prices", verbose_name=_("产品")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    unit_price = models.DecimalField(_("单价（每最小制剂单位）"), max_digits=14, decimal_places=4)
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=200)
    # For VBP awarded prices: whether this product itself was selected. A non-selected product of the lot carries
    # the lot's awarded price as its reference, which the non-selected premium detector compares against.
    selected = models.BooleanField(_("本产品中选"), null=True, blank=True)
    lot_label = models.CharField(_("采购品种"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("参考价格")
        verbose_name_plural = _("参考价格")
        ordering = ["product", "kind", "-valid_from"]
        indexes = [models.Index(fields=["product", "kind", "valid_from"])]
        constraints = [
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="reference_price_positive"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="reference_price_validity_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.unit_price}"


class ExactNumericField(models.Field):
    """`numeric` without a precision: a figure computed in SQL (a quotient) kept exactly as computed, so that what is
    read back compares and sorts as the computation's own value would."""

    description = _("精确数值")

    def db_type(self, connection) -> str:
        return "numeric"


class MonthlyPrice(models.Model):
    """What a hospital paid for a product in a month — the quantity-weighted mean of the month's prices it paid — with
    the sudden change's baseline of that month: the median of its prices in its last months with purchases before it
    (`base`, over `base_months` of them; the detector's `baseline_months` and `lookback_months`). Derived, kept by the
    price scan (`pricing.sql.monthly`): a full scan rebuilds the table, an incremental one recomputes the hospital-months
    its new observations touched and the baselines they enter; the scan's detectors read these cells rather than
    aggregating the observations again. No foreign keys: the table is rebuilt wholesale and read in SQL only."""

    product_id = models.BigIntegerField(_("产品"))
    hospital_id = models.BigIntegerField(_("医疗机构"))
    month = models.DateField(_("月份"))
    price = ExactNumericField(_("加权单价"))
    quantity = ExactNumericField(_("数量"))
    region_id = models.BigIntegerField(_("统筹区"), null=True, blank=True)
    base = models.FloatField(_("基线价格"), null=True, blank=True)
    base_months = models.IntegerField(_("基线月数"), default=0)

    class Meta:
        verbose_name = _("月度采购价格")
        verbose_name_plural = _("月度采购价格")
        constraints = [
            models.UniqueConstraint(fields=["product_id", "hospital_id", "month"], name="monthly_price_one_per_month")
        ]
        indexes = [models.Index(fields=["product_id", "month"], name="monthly_price_product_month")]

    def __str__(self) -> str:
        return f"{self.product_id} {self.hospital_id} {self.month:%Y-%m} {self.price}"


class PriceScan(models.Model):
    """One run of the detectors. Runs never overlap (a row lock on the latest run) and are recorded."""

    class Status(models.TextChoices):
        RUNNING = "running", _("运行中")
        SUCCEEDED = "succeeded", _("完成")
        FAILED = "failed", _("失败")

    full = models.BooleanField(_("全量扫描"), default=False)
    since = models.DateTimeField(_("起始水位"), null=True, blank=True, help_text=_("扫描此时间之后新增的监测记录"))
    until = models.DateTimeField(_("截止水位"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    observations = models.BigIntegerField(_("扫描记录数"), default=0)
    findings = models.JSONField(_("各检测器发现数"), default=dict, blank=True)
    alerts_opened = models.IntegerField(_("新开预警"), default=0)
    alerts_updated = models.IntegerField(_("更新预警"), default=0)
    error = models.TextField(_("错误"), blank=True)
    # the sudden change's baseline parameters the monthly prices (`MonthlyPrice`) were left current with by this scan,
    # or None: an incremental scan after a scan that did not keep them (or with other parameters) rebuilds them
    monthly_prices = models.JSONField(_("月度价格参数"), null=True, blank=True)

    class Meta:
        verbose_name = _("价格扫描")
        verbose_name_plural = _("价格扫描")
        ordering = ["-started_at"]
        constraints = [
            # The lock that keeps runs from overlapping: at most one running scan at a time.
            models.UniqueConstraint(fields=["status"], condition=Q(status="running"), name="price_scan_one_running"),
        ]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.get_status_display()}"


class ShortageAlert(models.Model):
    """短缺药品监测预警: a product that hospitals cannot get, with the evidence and the affected hospitals."""

    # what the object's history calls each step (the audit events store the code; common.labels)
    EVENT_LABELS = {
        "closed": pgettext_lazy("预警操作", "关闭"),
    }

    class Reason(models.TextChoices):
        UNFILLED = "unfilled", _("订单逾期未配送")
        STOCK_OUT = "stock_out", _("配送企业多次以缺货拒单")
        NO_RECEIPTS = "no_receipts", _("常用医疗机构长期无入库")

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        CLOSED = "closed", _("已解除")

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("产品"))
    reason = models.CharField(_("原因"), max_length=20, choices=Reason.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    on_shortage_list = models.BooleanField(_("短缺药品清单"), default=False)
    hospitals = models.ManyToManyField(
        "accounts.Organization", blank=True, related_name="+", verbose_name=_("受影响机构")
    )
    evidence = models.JSONField(_("证据"), default=dict)
    first_detected_on = models.DateField(_("首次发现"))
    last_detected_on = models.DateField(_("最近发现"))
    closed_note = models.TextField(_("解除说明"), blank=True)

    class Meta:
        verbose_name = _("短缺预警")
        verbose_name_plural = _("短缺预警")
        ordering = ["status", "-last_detected_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "reason"], condition=Q(status="open"), name="shortage_one_open_per_product_reason"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.get_reason_display()}"
