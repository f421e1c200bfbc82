"""Credit: the records of a company's breaches (from a case or entered by an official) and its periodic rating."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import transition
from simple_history.models import HistoricalRecords

from common.fields import StatusField

from .cases import PriceAlert


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
