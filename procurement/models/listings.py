"""挂网: products offered on the platform at a listed price, from a tender award or another source."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import transition
from simple_history.models import HistoricalRecords

from common.fields import StatusField


class Listing(models.Model):
    class Source(models.TextChoices):
        TENDER_AWARD = "tender_award", _("带量采购中选")
        PRICE_LINKAGE = "price_linkage", _("全国最低价联动挂网")
        APPLICATION = "application", _("企业申请挂网（审核通过）")

    class Status(models.TextChoices):
        ACTIVE = "active", _("挂网中")
        SUSPENDED = "suspended", _("暂停挂网")
        WITHDRAWN = "withdrawn", _("已撤网")

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="listings", verbose_name=_("产品")
    )
    manufacturer = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="listings", verbose_name=_("生产企业")
    )
    unit_price = models.DecimalField(_("挂网价（每最小制剂单位）"), max_digits=14, decimal_places=4)
    pack_price = models.DecimalField(_("挂网价（每包装）"), max_digits=16, decimal_places=2)
    valid_from = models.DateField(_("有效期起"))
    valid_to = models.DateField(_("有效期止"), null=True, blank=True)
    source = models.CharField(_("挂网来源"), max_length=20, choices=Source.choices)
    award = models.ForeignKey(
        "procurement.Award",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="listings",
        verbose_name=_("中选结果"),
    )
    # Changed only through the transitions below, called by procurement.services.listings (not protected, so rows
    # can be refreshed from the database inside a locked transaction).
    status = StatusField(_("状态"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.CharField(_("状态原因"), max_length=300, blank=True)
    # Set while the qualification watch keeps the listing suspended (the maker's licence or the product's
    # registration lapsed); the watch reinstates only the listings it suspended, once renewed.
    qualification_lapsed = models.BooleanField(_("因资质过期暂停"), default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("挂网产品")
        verbose_name_plural = _("挂网产品")
        ordering = ["product__generic_name", "id"]
        indexes = [models.Index(fields=["product", "status"]), models.Index(fields=["manufacturer", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(unit_price__gt=0) & Q(pack_price__gt=0), name="listing_prices_positive"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="listing_validity_order",
            ),
            models.CheckConstraint(
                condition=~Q(source="tender_award") | Q(award__isnull=False), name="listing_award_source_has_award"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} @ {self.unit_price}"

    # Status changes go through procurement.services.listings (history row with the reason, open orders flagged).
    @transition(field=status, source=Status.ACTIVE, target=Status.SUSPENDED)
    def suspend(self) -> None:
        pass

    @transition(field=status, source=Status.SUSPENDED, target=Status.ACTIVE)
    def reinstate(self) -> None:
        pass

    @transition(field=status, source=[Status.ACTIVE, Status.SUSPENDED], target=Status.WITHDRAWN)
    def withdraw(self) -> None:
        pass

    def is_orderable_on(self, day) -> bool:
        """Active and valid on the given day."""
        return (
            self.status == self.Status.ACTIVE
            and self.valid_from <= day
            and (self.valid_to is None or day <= self.valid_to)
        )
