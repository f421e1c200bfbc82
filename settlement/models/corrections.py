"""Price corrections of listings for receipts already made, and the adjustments of lines already settled."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .columns import AMOUNT, UNIT_PRICE


class PriceCorrection(models.Model):
    """价格更正: a listing's price corrected for receipts already made at the old price (e.g. a price linkage that
    took effect earlier). Receipt lines of the listing received in [effective_from, effective_to] are settled at
    `unit_price`; the difference to the frozen order price appears as the line's correction amount."""

    listing = models.ForeignKey(
        "procurement.Listing", on_delete=models.PROTECT, related_name="+", verbose_name=_("挂网产品")
    )
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("截止日期"), null=True, blank=True)
    unit_price = models.DecimalField(_("更正后单价（每最小制剂单位）"), **UNIT_PRICE)
    reason = models.CharField(_("更正原因"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("经办人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("价格更正")
        verbose_name_plural = _("价格更正")
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="price_correction_positive"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="price_correction_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.listing} → {self.unit_price} ({self.effective_from})"


class PriceAdjustment(models.Model):
    """已结算明细的价格更正: a price correction of a receipt line that was already settled. The settled statement is
    never changed; the difference — round((corrected − settled unit price) × units still settled, 2), negative when
    the price went down — is settled once, as a price-adjustment line of the manufacturer × hospital's next statement
    (a later month than the original statement's).

    Recorded by `services.price_correction_create` for every settled receipt line the correction covers whose settled
    price differs (`previous_unit_price`: the line's settled price, or its latest adjustment's). Units still settled
    = accepted − returns already accounted for; a return accounted later is reversed at the adjusted price."""

    correction = models.ForeignKey(
        PriceCorrection, on_delete=models.PROTECT, related_name="adjustments", verbose_name=_("价格更正")
    )
    # Looked up through the unique constraint (receipt line, correction): no second index. No foreign key in the
    # database: receipt lines are partitioned by month (docs/scale-out.md); the service records adjustments of the
    # settled lines it has just read, and settled lines are never deleted.
    receipt_line = models.ForeignKey(
        "procurement.ReceiptLine",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("验收明细"),
        db_index=False,
        db_constraint=False,
    )
    statement = models.ForeignKey(
        "SettlementStatement", on_delete=models.PROTECT, related_name="price_adjustments", verbose_name=_("原结算单")
    )
    units = models.BigIntegerField(_("调整数量（最小制剂单位）"))
    previous_unit_price = models.DecimalField(_("原结算单价"), **UNIT_PRICE)
    unit_price = models.DecimalField(_("更正后单价"), **UNIT_PRICE)
    amount = models.DecimalField(_("调整金额"), **AMOUNT)
    recorded_on = models.DateField(_("记录日期"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("已结算价格更正调整")
        verbose_name_plural = _("已结算价格更正调整")
        ordering = ["-recorded_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["receipt_line", "correction"], name="price_adjustment_once_per_correction"),
            models.CheckConstraint(condition=Q(units__gt=0) & Q(unit_price__gt=0), name="price_adjustment_units_price"),
            models.CheckConstraint(
                condition=~Q(unit_price=F("previous_unit_price")), name="price_adjustment_changes_price"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_line_id}: {self.previous_unit_price} → {self.unit_price} ({self.amount})"
