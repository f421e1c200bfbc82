"""Price monitoring: observations, reference prices, detector scans, alert cases with their signals and review,
credit records.

Kept as one module (about 500 lines): the case, its signals, its inquiries and interviews and the credit records they
lead to are one review workflow whose models refer to each other in both directions; split, each part would import
the others.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import transition
from simple_history.models import HistoricalRecords

from common.fields import StatusField
from common.messages import render


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


class PriceAlert(models.Model):
    """预警案件 (AlertCase): one case per subject — a product at one hospital, or a product province-wide — while it
    is open, whatever the month. The detectors' findings are its `signals` (one per kind and month, with their
    evidence); officials review the case (函询 / 约谈) and close it. A rescan updates the signals, never opens a second
    case for the same subject; after the case is closed, a finding in one of its months is suppressed (the decision
    stands) and a finding in a later month opens a new case."""

    # what the object's history calls each step (the audit events store the code; common.labels)
    EVENT_LABELS = {
        "start_review": pgettext_lazy("预警操作", "指派审核"),
        "reassign": pgettext_lazy("预警操作", "重新指派"),
        "send_inquiry": pgettext_lazy("预警操作", "发送函询"),
        "inquiry_replied": pgettext_lazy("预警操作", "收到函询回复"),
        "record_interview": pgettext_lazy("预警操作", "记录约谈"),
        "resolve": pgettext_lazy("预警操作", "处置"),
        "dismiss": pgettext_lazy("预警操作", "排除"),
    }

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        IN_REVIEW = "in_review", _("审核中")
        INQUIRY_SENT = "inquiry_sent", _("已函询")
        INTERVIEWED = "interviewed", _("已约谈")
        RESOLVED = "resolved", _("已处置")
        DISMISSED = "dismissed", _("已排除")

    class Severity(models.IntegerChoices):
        LOW = 1, _("低")
        MEDIUM = 2, _("中")
        HIGH = 3, _("高")
        CRITICAL = 4, _("严重")

    class Disposition(models.TextChoices):
        JUSTIFIED = "justified", _("价格合理")
        CORRECTED = "corrected", _("价格已纠正")
        CREDIT_REFERRED = "credit_referred", _("移交信用评价")

    OPEN_STATUSES = (Status.OPEN, Status.IN_REVIEW, Status.INQUIRY_SENT, Status.INTERVIEWED)

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("产品"))
    # Who the case is about: a hospital ("h:<id>") or the whole province ("province").
    subject_key = models.CharField(_("对象键"), max_length=40)
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
    manufacturer = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("生产企业"),
    )
    # The signal kinds present on the case (a copy of its signals' kinds, for the inbox's filter and column).
    kinds = ArrayField(models.CharField(max_length=40), default=list, blank=True, verbose_name=_("信号类型"))
    period_start = models.DateField(_("期间起"))
    period_end = models.DateField(_("期间止"))
    months = models.PositiveSmallIntegerField(_("异常月数"), default=1)
    severity = models.PositiveSmallIntegerField(_("严重程度"), choices=Severity.choices, default=Severity.LOW)
    score = models.DecimalField(_("风险评分"), max_digits=10, decimal_places=2, default=0)
    deviation = models.DecimalField(_("偏离程度"), max_digits=12, decimal_places=4, default=0)
    amount_at_stake = models.DecimalField(_("涉及金额"), max_digits=16, decimal_places=2, default=0)
    observed_price = models.DecimalField(_("监测价格"), max_digits=14, decimal_places=4, null=True, blank=True)
    reference_value = models.DecimalField(_("参照价格"), max_digits=14, decimal_places=4, null=True, blank=True)
    summary = models.CharField(_("摘要"), max_length=300)
    # what the summary says, as a message and its parameters (common.messages), shown in the reader's language;
    # `summary` is its Chinese rendering, the fallback for rows found before messages were kept
    summary_message = models.JSONField(_("摘要（消息）"), default=dict, blank=True)
    status = StatusField(_("状态"), max_length=20, choices=Status.choices, default=Status.OPEN, protected=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("经办人"),
    )
    disposition = models.CharField(_("处置结果"), max_length=20, choices=Disposition.choices, blank=True)
    resolution_note = models.TextField(_("处置说明"), blank=True)
    corrected_price = models.DecimalField(_("纠正后价格"), max_digits=14, decimal_places=4, null=True, blank=True)
    first_detected_at = models.DateTimeField(_("首次发现"), auto_now_add=True)
    last_detected_at = models.DateTimeField(_("最近发现"))
    version = models.PositiveIntegerField(_("版本"), default=1)
    history = HistoricalRecords(excluded_fields=["last_detected_at", "kinds", "months", "score", "summary_message"])

    class Meta:
        verbose_name = _("价格预警案件")
        verbose_name_plural = _("价格预警案件")
        ordering = ["-score", "-last_detected_at"]
        indexes = [
            models.Index(fields=["status", "severity"]),
            models.Index(fields=["product", "subject_key"]),
            models.Index(fields=["-score"], name="alert_score_desc"),
        ]
        constraints = [
            # One open case per product × subject: a new finding, whatever its month or kind, becomes its signal.
            models.UniqueConstraint(
                fields=["product", "subject_key"],
                condition=Q(status__in=["open", "in_review", "inquiry_sent", "interviewed"]),
                name="alert_one_open_case_per_product_subject",
            ),
        ]

    def __str__(self) -> str:
        return self.summary

    @property
    def summary_text(self) -> str:
        return render(self.summary_message, self.summary)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @transition(field=status, source=Status.OPEN, target=Status.IN_REVIEW)
    def start_review(self) -> None:
        pass

    @transition(field=status, source=[Status.IN_REVIEW, Status.INQUIRY_SENT], target=Status.INQUIRY_SENT)
    def send_inquiry(self) -> None:
        pass

    @transition(
        field=status, source=[Status.IN_REVIEW, Status.INQUIRY_SENT, Status.INTERVIEWED], target=Status.INTERVIEWED
    )
    def record_interview(self) -> None:
        pass

    @transition(
        field=status, source=[Status.IN_REVIEW, Status.INQUIRY_SENT, Status.INTERVIEWED], target=Status.RESOLVED
    )
    def resolve(self) -> None:
        pass

    @transition(field=status, source=list(OPEN_STATUSES), target=Status.DISMISSED)
    def dismiss(self) -> None:
        pass


class Signal(models.Model):
    """预警信号: one detector's finding on a case for one month — the numbers, how far past its threshold
    (`strength`, 1 = at the threshold), the calibrated `score`, the money at stake and the evidence. Informational
    signals (e.g. a non-selected product above its payment standard, where the patient pays the difference) inform
    a case but never open one."""

    alert = models.ForeignKey(PriceAlert, on_delete=models.CASCADE, related_name="signals", verbose_name=_("预警案件"))
    kind = models.CharField(_("信号类型"), max_length=40)
    month = models.DateField(_("月份"))
    informational = models.BooleanField(_("仅供参考"), default=False)
    deviation = models.DecimalField(_("偏离程度"), max_digits=12, decimal_places=4, default=0)
    strength = models.DecimalField(_("超出阈值倍数"), max_digits=10, decimal_places=2, default=0)
    score = models.DecimalField(_("风险评分"), max_digits=10, decimal_places=2, default=0)
    amount_at_stake = models.DecimalField(_("涉及金额"), max_digits=16, decimal_places=2, default=0)
    observed_value = models.DecimalField(_("监测值"), max_digits=16, decimal_places=4, null=True, blank=True)
    reference_value = models.DecimalField(_("参照值"), max_digits=16, decimal_places=4, null=True, blank=True)
    summary = models.CharField(_("摘要"), max_length=300)
    # what the summary says, as a message and its parameters (common.messages), shown in the reader's language;
    # `summary` is its Chinese rendering, the fallback for rows found before messages were kept
    summary_message = models.JSONField(_("摘要（消息）"), default=dict, blank=True)
    evidence = models.JSONField(_("证据"), default=dict)
    first_detected_at = models.DateTimeField(_("首次发现"))
    last_detected_at = models.DateTimeField(_("最近发现"))

    class Meta:
        verbose_name = _("预警信号")
        verbose_name_plural = _("预警信号")
        ordering = ["month", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "kind", "month"], name="signal_one_per_case_kind_month"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.month:%Y-%m}"

    @property
    def summary_text(self) -> str:
        return render(self.summary_message, self.summary)


class Inquiry(models.Model):
    """函询: a letter to the manufacturer or hospital about an alert, answered in the platform."""

    alert = models.ForeignKey(
        PriceAlert, on_delete=models.PROTECT, related_name="inquiries", verbose_name=_("预警案件")
    )
    recipient = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="price_inquiries", verbose_name=_("函询对象")
    )
    letter = models.TextField(_("函询内容"))
    reply_due = models.DateField(_("回复期限"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发函人")
    )
    sent_at = models.DateTimeField(_("发函时间"), auto_now_add=True)
    reply = models.TextField(_("回复内容"), blank=True)
    reply_file = models.FileField(_("回复附件"), upload_to="pricing/replies/%Y/%m/", blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("回复人"),
    )
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("函询")
        verbose_name_plural = _("函询")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"函询 {self.recipient} · {self.alert_id}"

    @property
    def is_overdue(self) -> bool:
        return not self.replied_at and self.reply_due < timezone.localdate()


class Interview(models.Model):
    """约谈: a meeting with the party, with date, participants and minutes."""

    alert = models.ForeignKey(
        PriceAlert, on_delete=models.PROTECT, related_name="interviews", verbose_name=_("预警案件")
    )
    held_on = models.DateField(_("约谈日期"))
    participants = models.TextField(_("参加人员"))
    minutes = models.TextField(_("约谈纪要"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("约谈")
        verbose_name_plural = _("约谈")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"约谈 {self.held_on} · {self.alert_id}"


class CreditRecord(models.Model):
    """医药价格和招采信用评价: a dishonesty record of a manufacturer or distributor and its consequences."""

    class Behaviour(models.TextChoices):
        BRIBERY = "bribery", _("给予回扣等商业贿赂")
        TAX = "tax", _("涉税违法")
        PRICE_FRAUD = "price_fraud", _("实施价格欺诈或不公平高价")
        MONOPOLY = "monopoly", _("垄断行为")
        DISRUPT_PROCUREMENT = "disrupt", _("扰乱集中采购秩序")
        BREACH = "breach", _("恶意违反合同约定（供应）")

    class Scheme(models.TextChoices):
        RULES_2020 = "2020", _("2020 年评级规则（一般/中等/严重/特别严重）")
        RULES_2025 = "2025", _("2025 年修订（失信/严重失信/特别严重失信）")

    class Level(models.TextChoices):
        # The codes are shared by both schemes; each scheme's own names and thresholds are in
        # pricing/credit_schemes.py (the 2025 scheme has no 中等: 失信 / 严重失信 / 特别严重失信).
        GENERAL = "general", _("一般")
        MEDIUM = "medium", _("中等")
        SERIOUS = "serious", _("严重")
        VERY_SERIOUS = "very_serious", _("特别严重")

    class Status(models.TextChoices):
        ACTIVE = "active", _("生效中")
        REPAIRED = "repaired", _("已信用修复")
        ENDED = "ended", _("已到期")

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="credit_records", verbose_name=_("企业")
    )
    behaviour = models.CharField(_("失信行为"), max_length=20, choices=Behaviour.choices)
    scheme = models.CharField(_("评级规则"), max_length=4, choices=Scheme.choices, default=Scheme.RULES_2020)
    level = models.CharField(_("失信等级"), max_length=20, choices=Level.choices)
    amount = models.DecimalField(_("涉案金额"), max_digits=16, decimal_places=2, default=0)
    evidence = models.TextField(_("事实与依据"))
    products = models.ManyToManyField("catalog.Product", blank=True, related_name="+", verbose_name=_("涉及产品"))
    alert = models.ForeignKey(
        PriceAlert,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_records",
        verbose_name=_("来源预警"),
    )
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"), null=True, blank=True)
    status = StatusField(_("状态"), max_length=20, choices=Status.choices, default=Status.ACTIVE, protected=True)
    repaired_at = models.DateTimeField(_("修复时间"), null=True, blank=True)
    repair_note = models.TextField(_("修复说明"), blank=True)
    # Listing ids this record suspended, so lifting it restores exactly those.
    suspended_listing_ids = models.JSONField(_("已暂停挂网"), default=list, blank=True)
    # Distribution authorisation ids this record (of a distributor) suspended, restored the same way.
    suspended_authorization_ids = models.JSONField(_("已暂停配送授权"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("录入人")
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("信用评价记录")
        verbose_name_plural = _("信用评价记录")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="credit_end_not_before_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.get_level_display()}"

    @transition(field=status, source=Status.ACTIVE, target=Status.REPAIRED)
    def repair(self) -> None:
        pass

    @transition(field=status, source=Status.ACTIVE, target=Status.ENDED)
    def expire(self) -> None:
        pass


class CreditRating(models.Model):
    """The quarterly rating of a company: its most serious credit record active in the quarter."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="credit_ratings", verbose_name=_("企业")
    )
    quarter_start = models.DateField(_("季度"))
    level = models.CharField(_("评定等级"), max_length=20, choices=CreditRecord.Level.choices, blank=True)
    scheme = models.CharField(_("评级规则"), max_length=4, choices=CreditRecord.Scheme.choices, blank=True)
    active_records = models.PositiveIntegerField(_("生效记录数"), default=0)
    computed_at = models.DateTimeField(_("评定时间"), auto_now=True)

    class Meta:
        verbose_name = _("季度信用评级")
        verbose_name_plural = _("季度信用评级")
        ordering = ["-quarter_start", "organization"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "quarter_start"], name="credit_rating_one_per_quarter")
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.quarter_start:%Y}Q{(self.quarter_start.month - 1) // 3 + 1}"


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
