"""Deliveries (配送单), receipts (入库验收) and returns (退货) of online orders.

Receipt and return lines carry, denormalised, the hospital, product, manufacturer, listing, award, date, minimum
units, unit price and amount, so that commitment progress, price monitoring, direct settlement and the
online-purchase share are single set-based queries over one table, without joining back to orders.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .orders import AMOUNT, UNIT_PRICE, PurchaseOrder, PurchaseOrderLine, SupplyClass


class Delivery(models.Model):
    """配送单: one shipment of an order by its distributor, with the distributor's invoice (两票制 second invoice)."""

    number = models.CharField(_("配送单号"), max_length=30, unique=True, null=True, blank=True)
    order = models.ForeignKey(
        PurchaseOrder, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("订单")
    )
    distributor = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("配送企业")
    )
    hospital = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="incoming_deliveries",
        verbose_name=_("医疗机构"),
    )
    invoice_number = models.CharField(_("发票号"), max_length=50)
    invoice_date = models.DateField(_("开票日期"), null=True, blank=True)
    invoice_amount = models.DecimalField(_("发票金额"), default=0, **AMOUNT)
    shipped_at = models.DateTimeField(_("发货时间"))
    shipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发货人")
    )
    remarks = models.CharField(_("备注"), max_length=300, blank=True)
    received = models.BooleanField(_("已验收"), default=False)

    class Meta:
        verbose_name = _("配送单")
        verbose_name_plural = _("配送单")
        ordering = ["-shipped_at", "-id"]
        indexes = [
            models.Index(fields=["distributor", "shipped_at"]),
            models.Index(fields=["hospital", "received", "shipped_at"]),
        ]

    def __str__(self) -> str:
        return self.number or f"配送单 {self.pk}"


class DeliveryLine(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="lines", verbose_name=_("配送单"))
    order_line = models.ForeignKey(
        PurchaseOrderLine, on_delete=models.PROTECT, related_name="delivery_lines", verbose_name=_("订单明细")
    )
    packs = models.PositiveIntegerField(_("配送数量（包装）"), validators=[MinValueValidator(1)])
    min_units = models.PositiveBigIntegerField(_("配送数量（最小制剂单位）"))
    batch_number = models.CharField(_("批号"), max_length=50)
    production_date = models.DateField(_("生产日期"), null=True, blank=True)
    expiry_date = models.DateField(_("有效期至"))

    class Meta:
        verbose_name = _("配送明细")
        verbose_name_plural = _("配送明细")
        ordering = ["delivery", "id"]
        constraints = [models.CheckConstraint(condition=Q(packs__gte=1), name="delivery_line_packs_positive")]

    def __str__(self) -> str:
        return f"{self.delivery} · {self.order_line.product_id} × {self.packs}"


class FlowLine(models.Model):
    """Columns copied onto receipt and return lines so that commitments, price observations, settlement and the
    online share aggregate one table with set-based queries (returns are subtracted from receipts the same way)."""

    hospital = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("医疗机构")
    )
    distributor = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("配送企业")
    )
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("产品"))
    manufacturer = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("生产企业")
    )
    listing = models.ForeignKey(
        "procurement.Listing", on_delete=models.PROTECT, related_name="+", verbose_name=_("挂网产品")
    )
    award = models.ForeignKey(
        "procurement.Award",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("中选结果"),
        help_text=_("挂网来源为带量采购中选时填写（直接结算的范围）"),
    )
    supply_class = models.CharField(_("统计类别"), max_length=20, choices=SupplyClass.choices)
    unit_price = models.DecimalField(_("单价（每最小制剂单位）"), **UNIT_PRICE)
    amount = models.DecimalField(_("金额"), **AMOUNT)

    class Meta:
        abstract = True


class Receipt(models.Model):
    """入库验收: the hospital's acceptance of one delivery. What commitments, prices and settlement count."""

    delivery = models.OneToOneField(
        Delivery, on_delete=models.PROTECT, related_name="receipt", verbose_name=_("配送单")
    )
    order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="receipts", verbose_name=_("订单"))
    hospital = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="receipts", verbose_name=_("医疗机构")
    )
    distributor = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("配送企业")
    )
    received_at = models.DateTimeField(_("验收时间"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("验收人")
    )
    accepted_amount = models.DecimalField(_("验收金额"), default=0, **AMOUNT)
    remarks = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("入库验收")
        verbose_name_plural = _("入库验收")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["hospital", "received_at"])]

    def __str__(self) -> str:
        return f"验收 {self.delivery}"


class ReceiptLine(FlowLine):
    """Accepted and rejected packs of one delivery line, with everything aggregation needs copied onto the row."""

    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="lines", verbose_name=_("入库验收"))
    # The table is partitioned by month on `received_on` (procurement's migration): in the database the unique key is
    # (delivery_line, received_on), `receiptline_one_per_delivery_line`. A delivery is received once
    # (`Receipt.delivery` is unique) and all lines of a receipt share its day, so that key is this one-to-one.
    delivery_line = models.OneToOneField(
        DeliveryLine, on_delete=models.PROTECT, related_name="receipt_line", verbose_name=_("配送明细")
    )
    order_line = models.ForeignKey(
        PurchaseOrderLine, on_delete=models.PROTECT, related_name="receipt_lines", verbose_name=_("订单明细")
    )
    accepted_packs = models.PositiveIntegerField(_("验收数量（包装）"))
    rejected_packs = models.PositiveIntegerField(_("拒收数量（包装）"), default=0)
    reject_reason = models.CharField(_("拒收原因"), max_length=300, blank=True)
    received_on = models.DateField(_("验收日期"))
    accepted_min_units = models.PositiveBigIntegerField(_("验收数量（最小制剂单位）"))

    class Meta:
        verbose_name = _("验收明细")
        verbose_name_plural = _("验收明细")
        ordering = ["receipt", "id"]
        indexes = [
            models.Index(fields=["hospital", "product", "received_on"], name="receiptline_hosp_prod_day"),
            models.Index(fields=["manufacturer", "received_on"], name="receiptline_mfr_day"),
            models.Index(fields=["award", "received_on"], name="receiptline_award_day"),
            models.Index(fields=["received_on"], name="receiptline_day"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0) & Q(unit_price__gt=0), name="receipt_line_prices"),
            models.CheckConstraint(
                condition=Q(rejected_packs=0) | ~Q(reject_reason=""), name="receipt_line_reject_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt} · {self.product_id}: {self.accepted_packs}"


class GoodsReturn(models.Model):
    """退货: goods sent back after receipt; reduces the received quantities and flows to settlement."""

    number = models.CharField(_("退货单号"), max_length=30, unique=True, null=True, blank=True)
    order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="returns", verbose_name=_("订单"))
    hospital = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="goods_returns", verbose_name=_("医疗机构")
    )
    distributor = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("配送企业")
    )
    reason = models.CharField(_("退货原因"), max_length=300)
    returned_at = models.DateTimeField(_("退货时间"))
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("经办人")
    )
    amount = models.DecimalField(_("退货金额"), default=0, **AMOUNT)

    class Meta:
        verbose_name = _("退货单")
        verbose_name_plural = _("退货单")
        ordering = ["-returned_at", "-id"]
        indexes = [models.Index(fields=["hospital", "returned_at"])]

    def __str__(self) -> str:
        return self.number or f"退货单 {self.pk}"


class GoodsReturnLine(FlowLine):
    goods_return = models.ForeignKey(
        GoodsReturn, on_delete=models.CASCADE, related_name="lines", verbose_name=_("退货单")
    )
    # No foreign key in the database: receipt lines are partitioned by month, and a key into them would need their
    # date here too. A return line is written by `goods_return_create` from the receipt line it has just locked, and
    # receipt lines are never deleted (PROTECT; the delete guard of settled lines) — docs/scale-out.md.
    receipt_line = models.ForeignKey(
        ReceiptLine,
        on_delete=models.PROTECT,
        related_name="return_lines",
        verbose_name=_("验收明细"),
        db_constraint=False,
    )
    order_line = models.ForeignKey(
        PurchaseOrderLine, on_delete=models.PROTECT, related_name="+", verbose_name=_("订单明细")
    )
    packs = models.PositiveIntegerField(_("退货数量（包装）"), validators=[MinValueValidator(1)])
    reason = models.CharField(_("退货原因"), max_length=300)
    returned_on = models.DateField(_("退货日期"))
    min_units = models.PositiveBigIntegerField(_("退货数量（最小制剂单位）"))

    class Meta:
        verbose_name = _("退货明细")
        verbose_name_plural = _("退货明细")
        ordering = ["goods_return", "id"]
        indexes = [
            models.Index(fields=["hospital", "product", "returned_on"], name="returnline_hosp_prod_day"),
            models.Index(fields=["manufacturer", "returned_on"], name="returnline_mfr_day"),
            models.Index(fields=["award", "returned_on"], name="returnline_award_day"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(packs__gte=1), name="return_line_packs_positive"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="return_line_amount_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.goods_return} · {self.product_id}: {self.packs}"
