"""Payments to manufacturers, one by one or from a bank file."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .columns import AMOUNT
from .ledger import JournalEntry
from .statements import SettlementStatement


class PaymentImport(models.Model):
    """A bank file of payments: applied whole, or rejected whole with the per-row report."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("已入账")
        REJECTED = "rejected", _("已拒绝")
        CHECKED = "checked", _("校验通过（未入账）")

    file_name = models.CharField(_("文件名"), max_length=200)
    status = models.CharField(_("结果"), max_length=10, choices=Status.choices)
    row_count = models.PositiveIntegerField(_("行数"), default=0)
    total = models.DecimalField(_("合计金额"), default=0, **AMOUNT)
    report = models.JSONField(_("逐行报告"), default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("银行回单导入")
        verbose_name_plural = _("银行回单导入")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.file_name


class Payment(models.Model):
    statement = models.ForeignKey(
        SettlementStatement, on_delete=models.PROTECT, related_name="payments", verbose_name=_("结算单")
    )
    amount = models.DecimalField(_("支付金额"), **AMOUNT)
    reference = models.CharField(_("支付流水号"), max_length=60)
    paid_on = models.DateField(_("支付日期"))
    payment_import = models.ForeignKey(
        PaymentImport,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("导入批次"),
    )
    journal_entry = models.OneToOneField(
        JournalEntry, on_delete=models.PROTECT, related_name="payment", verbose_name=_("记账凭证")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("经办人")
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("支付记录")
        verbose_name_plural = _("支付记录")
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.UniqueConstraint(fields=["statement", "reference"], name="payment_reference_unique_per_statement"),
        ]

    def __str__(self) -> str:
        return f"{self.statement} · {self.amount} · {self.reference}"
