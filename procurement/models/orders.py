"""Online ordering (挂网阳光采购): distribution authorisations, listing applications, purchase orders with their
lines and events. Deliveries, receipts and returns are `procurement.models.deliveries`; off-platform purchases
`procurement.models.offplatform`.

Quantities are kept in packs as ordered and shipped, with the minimum-unit count derived (`pack_size` frozen on
the order line).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import transition
from simple_history.models import HistoricalRecords

from common.fields import StatusField
from common.labels import event_label, status_label
from common.markup import render_marked
from common.messages import render

AMOUNT = {"max_digits": 16, "decimal_places": 2}
UNIT_PRICE = {"max_digits": 14, "decimal_places": 4}


class SupplyClass(models.TextChoices):
    """What the online-purchase share is measured on (seed 000 targets)."""

    DRUG = "drug", _("药品")
    HIGH_VALUE_CONSUMABLE = "hv_consumable", _("高值医用耗材")
    OTHER_CONSUMABLE = "consumable", _("其他医用耗材")


class DistributionAuthorization(models.Model):
    """配送关系: a manufacturer authorises a distributor to deliver one of its products in the given regions."""

    manufacturer = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="distribution_authorizations_given",
        verbose_name=_("生产企业"),
        limit_choices_to={"kind": "manufacturer"},
    )
    distributor = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="distribution_authorizations",
        verbose_name=_("配送企业"),
        limit_choices_to={"kind": "distributor"},
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="distribution_authorizations", verbose_name=_("产品")
    )
    regions = models.ManyToManyField(
        "accounts.Region",
        related_name="distribution_authorizations",
        verbose_name=_("配送区域"),
        help_text=_("盟市：覆盖其下全部旗县区"),
    )
    valid_from = models.DateField(_("有效期起"))
    valid_to = models.DateField(_("有效期止"), null=True, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    revoke_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)
    # Set while a sanction (a credit record of the distributor) suspends the authorisation: is_active is then False,
    # and reinstating it clears both.
    suspended_reason = models.CharField(_("暂停原因"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("授权人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("配送授权")
        verbose_name_plural = _("配送授权")
        ordering = ["product", "distributor", "-valid_from"]
        indexes = [
            models.Index(fields=["product", "distributor", "is_active"]),
            models.Index(fields=["distributor", "is_active"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="authorization_validity_order",
            ),
            models.UniqueConstraint(
                fields=["manufacturer", "distributor", "product", "valid_from"], name="authorization_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.manufacturer} → {self.distributor}: {self.product}"


class PurchaseOrder(models.Model):
    """订单: a hospital orders listed products from one authorised distributor.

    draft → submitted → accepted | rejected → partially_shipped / shipped → partially_received / received → closed;
    cancelled from draft, submitted or accepted (before anything is shipped). Prices are frozen on the lines at
    submission. `version` grows with every change, so a client acting on a stale copy gets a conflict.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待响应")
        ACCEPTED = "accepted", _("已接单")
        REJECTED = "rejected", _("已拒绝")
        PARTIALLY_SHIPPED = "partially_shipped", _("部分配送")
        SHIPPED = "shipped", _("已配送")
        PARTIALLY_RECEIVED = "partially_received", _("部分入库")
        RECEIVED = "received", _("已入库")
        CLOSED = "closed", _("已完结")
        CANCELLED = "cancelled", _("已撤销")

    S = Status
    OPEN_STATUSES = (S.DRAFT, S.SUBMITTED, S.ACCEPTED, S.PARTIALLY_SHIPPED, S.SHIPPED, S.PARTIALLY_RECEIVED)
    SHIPPABLE_STATUSES = (S.ACCEPTED, S.PARTIALLY_SHIPPED, S.SHIPPED, S.PARTIALLY_RECEIVED)
    CANCELLABLE_STATUSES = (S.DRAFT, S.SUBMITTED, S.ACCEPTED)
    # Goods still to come from the distributor: a deactivated distributor's order in one of these is to be redirected.
    AWAITING_DISTRIBUTOR_STATUSES = (S.DRAFT, S.SUBMITTED, S.ACCEPTED, S.PARTIALLY_SHIPPED)

    number = models.CharField(_("订单编号"), max_length=30, unique=True, null=True, blank=True)
    # No index of their own: the composite indexes below lead with each (an order writes every index it has).
    hospital = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="purchase_orders",
        verbose_name=_("医疗机构"),
        db_index=False,
    )
    distributor = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="incoming_orders",
        verbose_name=_("配送企业"),
        db_index=False,
    )
    # Changed only through the transitions below, called by procurement.services.orders.
    status = StatusField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    urgent = models.BooleanField(_("紧急订单"), default=False)
    hospital_remarks = models.TextField(_("医疗机构备注"), blank=True)
    distributor_remarks = models.TextField(_("配送企业备注"), blank=True)
    idempotency_key = models.CharField(
        _("幂等键"), max_length=100, blank=True, help_text=_("客户端重试提交时携带同一键，返回同一订单")
    )
    # SHA-256 of the request that first used the key (common.idempotency): a reuse with another body is refused
    idempotency_fingerprint = models.CharField(
        _("幂等请求指纹"), max_length=64, blank=True, editable=False, default="", db_default=""
    )  # a default raw inserts get too
    total_amount = models.DecimalField(_("订单金额"), default=0, **AMOUNT)
    line_count = models.PositiveIntegerField(_("品规数"), default=0)
    version = models.PositiveIntegerField(_("版本"), default=1)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("创建人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True, db_index=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提交人"),
    )
    response_due_at = models.DateTimeField(_("响应期限"), null=True, blank=True)
    delivery_due_at = models.DateTimeField(_("配送期限"), null=True, blank=True)
    responded_at = models.DateTimeField(_("响应时间"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("响应人"),
    )
    reject_reason = models.CharField(_("拒绝原因"), max_length=300, blank=True)
    first_shipped_at = models.DateTimeField(_("首次配送时间"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("配送完成时间"), null=True, blank=True)
    received_at = models.DateTimeField(_("入库完成时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("完结时间"), null=True, blank=True)
    close_reason = models.CharField(_("完结说明"), max_length=300, blank=True)
    cancelled_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)
    # Set by the overdue job (and shown live by the selectors): the distributor missed a deadline.
    response_overdue = models.BooleanField(_("响应超时"), default=False)
    delivery_overdue = models.BooleanField(_("配送超时"), default=False)
    # A line's listing was suspended or withdrawn while the order was open.
    listing_flag = models.BooleanField(_("挂网异常"), default=False)
    listing_flag_reason = models.CharField(_("挂网异常说明"), max_length=300, blank=True)
    # the same note kept as what it means (common.messages: the product's name and the reason), shown in the
    # reader's language; empty for notes written before it was kept (the text above is shown then)
    listing_flag_message = models.JSONField(_("挂网异常说明（消息）"), null=True, blank=True)

    class Meta:
        verbose_name = _("采购订单")
        verbose_name_plural = _("采购订单")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["hospital", "status", "created_at"]),
            models.Index(fields=["distributor", "status", "submitted_at"]),
            models.Index(fields=["status", "response_due_at"]),
            models.Index(fields=["status", "delivery_due_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["hospital", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="order_idempotency_key_unique_per_hospital",
            ),
            models.CheckConstraint(condition=Q(total_amount__gte=0), name="order_total_non_negative"),
        ]

    def __str__(self) -> str:
        return self.number or f"草稿订单 {self.pk}"

    @property
    def listing_flag_note(self):
        """The listing-problem note for a page, in the reader's language: the product's name and a typed reason
        marked as data (common.markup)."""
        return render_marked(self.listing_flag_message, self.listing_flag_reason, names={"product", "reason"})

    @property
    def listing_flag_text(self) -> str:
        """The listing-problem note as plain text (an element's title), in the reader's language."""
        return render(self.listing_flag_message, self.listing_flag_reason)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def distributor_inactive(self) -> bool:
        """配送企业已停用: goods are still to come from a distributor that can no longer act; the hospital redirects
        the order (cancels it, or closes a partly shipped one, and orders from another distributor). Read live from
        the distributor, so a reactivation clears it."""
        return self.status in self.AWAITING_DISTRIBUTOR_STATUSES and not self.distributor.is_active

    # Transitions: the services check the rest (who, quantities) and record an OrderEvent for each.
    @transition(field=status, source=S.DRAFT, target=S.SUBMITTED)
    def submit(self) -> None:
        pass

    @transition(field=status, source=S.SUBMITTED, target=S.ACCEPTED)
    def accept(self) -> None:
        pass

    @transition(field=status, source=S.SUBMITTED, target=S.REJECTED)
    def reject(self) -> None:
        pass

    @transition(field=status, source=SHIPPABLE_STATUSES, target=S.PARTIALLY_SHIPPED)
    def ship_partly(self) -> None:
        pass

    @transition(field=status, source=SHIPPABLE_STATUSES, target=S.SHIPPED)
    def ship_fully(self) -> None:
        pass

    @transition(
        field=status, source=(S.PARTIALLY_SHIPPED, S.SHIPPED, S.PARTIALLY_RECEIVED), target=S.PARTIALLY_RECEIVED
    )
    def receive_partly(self) -> None:
        pass

    @transition(field=status, source=(S.SHIPPED, S.PARTIALLY_RECEIVED), target=S.RECEIVED)
    def receive_fully(self) -> None:
        pass

    @transition(
        field=status, source=(S.RECEIVED, S.PARTIALLY_RECEIVED, S.PARTIALLY_SHIPPED, S.SHIPPED), target=S.CLOSED
    )
    def close(self) -> None:
        pass

    @transition(field=status, source=CANCELLABLE_STATUSES, target=S.CANCELLED)
    def cancel(self) -> None:
        pass


class PurchaseOrderLine(models.Model):
    """One listed product on an order. Prices follow the listing while the order is a draft and are frozen at
    submission; `substitution_for` records that a non-selected product was ordered while the hospital's
    commitment for the same lot was unmet (the commitment job counts it)."""

    # no index of its own: the unique (order, line_no) leads with it; each new line writes every index of the table
    order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="lines", verbose_name=_("订单"), db_index=False
    )
    line_no = models.PositiveSmallIntegerField(_("行号"))
    listing = models.ForeignKey(
        "procurement.Listing", on_delete=models.PROTECT, related_name="order_lines", verbose_name=_("挂网产品")
    )
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("产品"))
    manufacturer = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("生产企业")
    )
    award = models.ForeignKey(
        "procurement.Award",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("中选结果"),
    )
    packs = models.PositiveIntegerField(_("采购数量（包装）"), validators=[MinValueValidator(1)])
    pack_size = models.PositiveIntegerField(_("包装转换比"), validators=[MinValueValidator(1)])
    min_units = models.PositiveBigIntegerField(_("采购数量（最小制剂单位）"))
    unit_price = models.DecimalField(_("单价（每最小制剂单位）"), **UNIT_PRICE)
    pack_price = models.DecimalField(_("单价（每包装）"), **AMOUNT)
    amount = models.DecimalField(_("金额"), **AMOUNT)
    price_frozen_at = models.DateTimeField(_("价格锁定时间"), null=True, blank=True)
    substitution_for = models.ForeignKey(
        "procurement.Commitment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="substitutions",
        verbose_name=_("替代的约定采购量"),
    )
    # 缺货: packs the distributor said at acceptance it cannot supply (with the reason); they are never shipped.
    packs_short = models.PositiveIntegerField(_("缺货（包装）"), default=0, db_default=0)
    short_reason = models.CharField(_("缺货原因"), max_length=300, blank=True, db_default="")
    packs_shipped = models.PositiveIntegerField(_("已配送（包装）"), default=0)
    packs_accepted = models.PositiveIntegerField(_("已验收（包装）"), default=0)
    packs_rejected = models.PositiveIntegerField(_("拒收（包装）"), default=0)
    packs_returned = models.PositiveIntegerField(_("已退货（包装）"), default=0)
    remarks = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("订单明细")
        verbose_name_plural = _("订单明细")
        ordering = ["order", "line_no"]
        # listing and product are indexed as foreign keys (a second index on each only doubled every line's writes)
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="order_line_no_unique"),
            models.UniqueConstraint(fields=["order", "listing"], name="order_line_listing_unique"),
            models.CheckConstraint(condition=Q(packs__gte=1), name="order_line_packs_positive"),
            models.CheckConstraint(condition=Q(min_units=F("packs") * F("pack_size")), name="order_line_min_units"),
            models.CheckConstraint(condition=Q(unit_price__gt=0) & Q(amount__gte=0), name="order_line_prices"),
            models.CheckConstraint(
                condition=Q(packs_accepted__lte=F("packs_shipped")) & Q(packs_returned__lte=F("packs_accepted")),
                name="order_line_counters_consistent",
            ),
            # nothing is shipped beyond what the line needs (its packs less what the distributor said is short)
            models.CheckConstraint(
                condition=Q(packs_short__lte=F("packs")) & Q(packs_shipped__lte=F("packs") - F("packs_short")),
                name="order_line_never_over_shipped",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order} #{self.line_no} {self.product}"

    @property
    def packs_needed(self) -> int:
        """What the line is to be supplied: its packs less what the distributor said is short."""
        return self.packs - self.packs_short

    @property
    def packs_outstanding(self) -> int:
        return max(self.packs_needed - self.packs_shipped, 0)


class OrderEvent(models.Model):
    """Audit of an order: who moved it from which state to which, when and why."""

    # what the order's history calls each step (a step that moves the order is named by the state it reaches, with
    # the status's label otherwise); common.labels reads it for pages, the API and exports
    EVENT_LABELS = {
        "created": pgettext_lazy("订单记录", "创建订单"),
        "line_added": pgettext_lazy("订单记录", "加入明细"),
        "draft_updated": pgettext_lazy("订单记录", "修改草稿"),
        "remarks": pgettext_lazy("订单记录", "填写备注"),
        "submitted": pgettext_lazy("订单记录", "提交订单"),
        "accepted": pgettext_lazy("订单记录", "接单"),
        "rejected": pgettext_lazy("订单记录", "拒绝订单"),
        "delivery": pgettext_lazy("订单记录", "发货"),
        "receipt": pgettext_lazy("订单记录", "验收入库"),
        "returned": pgettext_lazy("订单记录", "退货"),
        "cancelled": pgettext_lazy("订单记录", "撤销订单"),
        "closed": pgettext_lazy("订单记录", "完结订单"),
        "listing_flagged": pgettext_lazy("订单记录", "挂网信息变更提示"),
        "listing_flag_cleared": pgettext_lazy("订单记录", "挂网变更提示解除"),
        "distributor_deactivated": pgettext_lazy("订单记录", "配送企业停用"),
    }

    # no index of its own: the (order, at) index leads with it
    order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="events", verbose_name=_("订单"), db_index=False
    )
    action = models.CharField(_("操作"), max_length=40)
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作机构"),
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    reason = models.TextField(_("原因/说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("订单操作记录")
        verbose_name_plural = _("订单操作记录")
        ordering = ["order", "at", "id"]
        indexes = [models.Index(fields=["order", "at"])]

    def __str__(self) -> str:
        return f"{self.order} {self.action} {self.from_status}→{self.to_status}"

    @property
    def action_label(self) -> str:
        return event_label(OrderEvent, self.action)

    @property
    def from_label(self) -> str:
        return status_label(PurchaseOrder, self.from_status)

    @property
    def to_label(self) -> str:
        return status_label(PurchaseOrder, self.to_status)
