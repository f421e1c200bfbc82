"""医保支付标准: what the fund pays per minimum unit of a product in a year, with its source and history.

A standard is derived from a tender's award (the selected products) or by the linkage rule of 医保发〔2019〕56号 (the
non-selected products of the same group), imported, or entered by hand. Derived rows are drafts until an official
publishes the year: then they replace the year's published standard of the product (which becomes superseded), so
nothing in force changes silently.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import transition
from simple_history.models import HistoricalRecords

from common.fields import StatusField


class Basis(models.TextChoices):
    """Which branch of the rule gave a derived standard (stored as a code, shown in the reader's language)."""

    SELECTED = "selected", _("中选产品：中选价")
    ABOVE_DOUBLE = "above_double", _("原支付标准高于中选价2倍以上：逐年调整")
    WITHIN_DOUBLE = "within_double", _("原支付标准在中选价2倍以内：中选价")
    BELOW_SELECTED = "below_selected", _("原支付标准低于中选价：原支付标准")
    NOT_EVALUATED = "not_evaluated", _("未通过一致性评价：不高于中选价")
    MANUAL = "manual", _("手工确定")
    IMPORTED = "imported", _("导入")


class PaymentStandard(models.Model):
    class Source(models.TextChoices):
        AWARD = "award", _("带量采购中选价")
        LINKAGE = "linkage", _("协同联动规则")
        IMPORT = "import", _("导入")
        MANUAL = "manual", _("手工录入")

    class Status(models.TextChoices):
        DRAFT = "draft", _("待发布")
        PUBLISHED = "published", _("已发布")
        SUPERSEDED = "superseded", _("已替代")

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="payment_standards", verbose_name=_("产品")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    standard = models.DecimalField(_("支付标准（每最小制剂单位）"), max_digits=14, decimal_places=4)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    basis = models.CharField(_("确定依据"), max_length=20, choices=Basis.choices, default=Basis.MANUAL)
    # Changed only through the transitions below, called by payment_standards.services.
    status = StatusField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    award = models.ForeignKey(
        "procurement.Award",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("中选结果"),
    )
    lot = models.ForeignKey(
        "procurement.Lot", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("品种")
    )
    selected_price = models.DecimalField(_("中选价"), max_digits=14, decimal_places=4, null=True, blank=True)
    original_standard = models.DecimalField(_("原支付标准"), max_digits=14, decimal_places=4, null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("医保支付标准")
        verbose_name_plural = _("医保支付标准")
        ordering = ["-year", "product__generic_name", "product_id"]
        indexes = [models.Index(fields=["year", "status"]), models.Index(fields=["product", "status", "year"])]
        constraints = [
            models.CheckConstraint(condition=Q(standard__gt=0), name="payment_standard_positive"),
            models.CheckConstraint(
                condition=Q(source__in=["award", "linkage", "import", "manual"]), name="payment_standard_has_source"
            ),
            models.UniqueConstraint(
                fields=["product", "year"], condition=Q(status="draft"), name="payment_standard_one_draft"
            ),
            models.UniqueConstraint(
                fields=["product", "year"], condition=Q(status="published"), name="payment_standard_one_published"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.year}: {self.standard}"

    @transition(field=status, source=Status.DRAFT, target=Status.PUBLISHED)
    def publish(self) -> None:
        pass

    @transition(field=status, source=Status.PUBLISHED, target=Status.SUPERSEDED)
    def supersede(self) -> None:
        pass


class Publication(models.Model):
    """One publication of a year's drafts: who published how many standards when (the audit events' subject)."""

    year = models.PositiveSmallIntegerField(_("年度"))
    count = models.PositiveIntegerField(_("发布条数"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发布人")
    )
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("支付标准发布")
        verbose_name_plural = _("支付标准发布")
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return f"{self.year} ({self.count})"
