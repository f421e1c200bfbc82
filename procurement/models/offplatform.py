"""Off-platform purchases (线下采购) that hospitals report, and their imports: the denominator of the
online-purchase share."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .orders import AMOUNT, SupplyClass


class OffPlatformImport(models.Model):
    """One file of off-platform purchases reported by hospitals (imported all-or-nothing)."""

    original_name = models.CharField(_("原文件名"), max_length=255)
    hospital = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上报机构"),
        help_text=_("医疗机构上报时为本机构；官方导入可含多家机构"),
    )
    rows = models.PositiveIntegerField(_("行数"), default=0)
    counts = models.JSONField(_("统计"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("导入人")
    )
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("线下采购导入")
        verbose_name_plural = _("线下采购导入")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.created_at:%Y-%m-%d})"


class OffPlatformPurchase(models.Model):
    """线下采购: a hospital's purchases of a product outside the platform in one month (the denominator's rest)."""

    hospital = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="off_platform_purchases",
        verbose_name=_("医疗机构"),
    )
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("产品"))
    supply_class = models.CharField(_("统计类别"), max_length=20, choices=SupplyClass.choices)
    month = models.DateField(_("月份"), help_text=_("当月 1 日"))
    quantity = models.PositiveBigIntegerField(_("数量（最小制剂单位）"))
    amount = models.DecimalField(_("金额"), **AMOUNT)
    source = models.CharField(_("来源"), max_length=100, blank=True, help_text=_("如 医院HIS导出、发票汇总"))
    import_batch = models.ForeignKey(
        OffPlatformImport,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="purchases",
        verbose_name=_("导入批次"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("线下采购")
        verbose_name_plural = _("线下采购")
        ordering = ["-month", "hospital", "product"]
        indexes = [models.Index(fields=["month", "hospital", "supply_class"], name="offplatform_month_hosp")]
        constraints = [
            models.UniqueConstraint(fields=["hospital", "product", "month"], name="offplatform_one_per_month"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="offplatform_amount_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.hospital} · {self.product} · {self.month:%Y-%m}"
