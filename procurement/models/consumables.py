"""Consumable tenders (耗材带量采购): the tender's selection rules, each lot's bid unit and product system, the
components of a system bid, a bid's declarations, and hospitals' intended volumes per product (意向采购量 by brand).

A consumable tender is a ``Tender`` of kind ``consumables`` with the same lifecycle and sealed bids as a drug tender;
these tables hold what only consumables have. Rules: ``procurement.evaluation.consumables``; services:
``procurement.services.tenders.consumables``; reference: docs/consumables.md.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .tenders import Bid, Lot, Tender


class ConsumableTender(models.Model):
    """The consumable selection rules of a tender (``ConsumableRules.to_dict()``), copied from a batch's preset."""

    tender = models.OneToOneField(Tender, on_delete=models.CASCADE, related_name="consumable", verbose_name=_("批次"))
    rules = models.JSONField(_("耗材中选规则"), default=dict)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("耗材批次规则")
        verbose_name_plural = _("耗材批次规则")

    def __str__(self) -> str:
        return f"{self.tender.code} {self.rules.get('preset') or ''}".strip()


class ConsumableLot(models.Model):
    """What a consumable lot groups and how it is bid: by registration certificate or by product system."""

    class BidUnit(models.TextChoices):
        REGISTRATION = "registration", _("按注册证申报")
        SYSTEM = "system", _("按产品系统申报")

    class PriceBasis(models.TextChoices):
        UNIT = "unit", _("按单件计价")
        SYSTEM = "system", _("按系统（套）计价")

    lot = models.OneToOneField(Lot, on_delete=models.CASCADE, related_name="consumable", verbose_name=_("品种"))
    high_value_class = models.CharField(_("高值耗材类别"), max_length=20, blank=True)
    system_category = models.CharField(_("产品系统类别"), max_length=100, blank=True)
    material_group = models.CharField(_("材质/功能分组"), max_length=100, blank=True)
    bid_unit = models.CharField(_("申报单元"), max_length=20, choices=BidUnit.choices, default=BidUnit.REGISTRATION)
    price_basis = models.CharField(_("计价方式"), max_length=20, choices=PriceBasis.choices, default=PriceBasis.UNIT)
    # [{"role": "股骨柄", "required": true}, …] for a system lot: the components a system bid lists.
    components = models.JSONField(_("系统部件"), default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("耗材品种设置")
        verbose_name_plural = _("耗材品种设置")

    def __str__(self) -> str:
        return f"{self.lot} · {self.get_bid_unit_display()}"

    @property
    def required_roles(self) -> list[str]:
        return [c["role"] for c in self.components if c.get("required", True)]

    @property
    def roles(self) -> list[str]:
        return [c["role"] for c in self.components]


class ConsumableBid(models.Model):
    """What a consumable bidder declares with its sealed price: the system's name, whether it supplies every region
    of the alliance (a condition of group A in the joint batch), and whether it accepts the revival price (复活)."""

    bid = models.OneToOneField(Bid, on_delete=models.CASCADE, related_name="consumable", verbose_name=_("申报"))
    system_name = models.CharField(_("产品系统名称"), max_length=200, blank=True)
    supplies_all_regions = models.BooleanField(_("承诺供应全部地区"), default=True)
    meets_group_a_conditions = models.BooleanField(_("满足A组其他条件"), default=True)
    accepts_revival = models.BooleanField(_("接受复活价格"), default=False)

    class Meta:
        verbose_name = _("耗材申报声明")
        verbose_name_plural = _("耗材申报声明")

    def __str__(self) -> str:
        return f"{self.bid} {self.system_name}".strip()


class BidComponent(models.Model):
    """A component of a product-system bid: its role in the system and the product (with its registration)."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="components", verbose_name=_("申报"))
    role = models.CharField(_("部件"), max_length=100)
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("部件产品")
    )
    quantity = models.PositiveSmallIntegerField(_("每套数量"), default=1, validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("系统部件")
        verbose_name_plural = _("系统部件")
        ordering = ["bid", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["bid", "role", "product"], name="bid_component_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="bid_component_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.product}"


class ConsumableDemand(models.Model):
    """意向采购量: a hospital's intended annual volume of one product (brand) in a consumable lot, in units or
    systems. The lot's total per hospital is kept in ``DemandReport`` for the agreed volumes."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="+", verbose_name=_("批次"))
    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="consumable_demands", verbose_name=_("品种"))
    hospital = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("医疗机构")
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("产品（品牌）")
    )
    volume = models.PositiveBigIntegerField(_("意向采购量"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_at = models.DateTimeField(_("填报时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("耗材意向采购量")
        verbose_name_plural = _("耗材意向采购量")
        constraints = [
            models.UniqueConstraint(fields=["lot", "hospital", "product"], name="consumable_demand_unique"),
        ]
        indexes = [models.Index(fields=["lot", "product"])]

    def __str__(self) -> str:
        return f"{self.hospital} · {self.product}: {self.volume}"
