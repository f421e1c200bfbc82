"""An alert case and its review: the case with its signals, the inquiries sent to the company and the interviews held."""

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
