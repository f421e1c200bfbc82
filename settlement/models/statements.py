"""Statements (one per manufacturer × hospital × statement period, a month by default), their lines, the returns they account for, their events, and the generation runs.

A receipt line (procurement.ReceiptLine) is settled in exactly one statement: `SettlementLine.receipt_line` is unique
for receipt lines, so two batch runs racing each other cannot both settle it. Returns (GoodsReturnLine) are netted
once each through `SettledReturn`.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import transition
from simple_history.models import HistoricalRecords

from common.fields import StatusField

from .columns import AMOUNT, UNIT_PRICE
from .corrections import PriceAdjustment, PriceCorrection
from .ledger import FundAccount


class SettlementRun(models.Model):
    """One generation run for a month (and optionally one region): its counts, and the lease that keeps two runs of
    the same month and region from overlapping."""

    class Status(models.TextChoices):
        RUNNING = "running", _("运行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    period = models.DateField(_("结算月份"))
    region = models.ForeignKey(
        "accounts.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("统筹区")
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    statements_created = models.PositiveIntegerField(_("新建结算单"), default=0)
    lines_created = models.PositiveIntegerField(_("新建明细"), default=0)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("结算单生成记录")
        verbose_name_plural = _("结算单生成记录")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} {self.region or '全区'} {self.get_status_display()}"


class JobLock(models.Model):
    """A named lease: held by one run until `locked_until`; a crashed holder's lease simply expires."""

    name = models.CharField(_("锁名称"), max_length=100, unique=True)
    token = models.CharField(_("持有者"), max_length=64, blank=True)
    locked_until = models.DateTimeField(_("租约到期"), null=True, blank=True)

    class Meta:
        verbose_name = _("任务锁")
        verbose_name_plural = _("任务锁")

    def __str__(self) -> str:
        return self.name


class SettlementStatement(models.Model):
    """结算单: one manufacturer's receipts at one hospital for one month, net of returns and price corrections.

    draft → claimed (manufacturer, invoice numbers, by the claim day of the next month) → hospital_confirmed (within
    the confirmation window of working days; disputed lines send it back to draft) → approved (fund officer) → partially_paid / paid."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("待企业申报")
        CLAIMED = "claimed", _("待医疗机构确认")
        HOSPITAL_CONFIRMED = "hospital_confirmed", _("待基金审核")
        APPROVED = "approved", _("待支付")
        PARTIALLY_PAID = "partially_paid", _("部分支付")
        PAID = "paid", _("已支付")

    S = Status
    PAYABLE_STATUSES = (S.APPROVED, S.PARTIALLY_PAID)

    # Indexes kept to those queries use (a month's generation writes 100,000 statements through each of them): the
    # single-column foreign-key indexes are covered by the composite ones in Meta, the user and deduction references
    # are indexed only where set, and the number is unique through a constraint (no second LIKE index).
    # Statements are written only by the generation, whose INSERT … SELECT joins the fund, the manufacturer, the
    # hospital and the run it references: no foreign-key check per statement at commit. Django's PROTECT/SET_NULL
    # apply as for any foreign key, and the hospital and manufacturer stay referenced (with checked foreign keys) by the
    # settled receipt lines, whose deletion the database refuses (migration 0005).
    number = models.CharField(_("结算单号"), max_length=40)
    fund = models.ForeignKey(
        FundAccount,
        on_delete=models.PROTECT,
        related_name="statements",
        verbose_name=_("基金"),
        db_index=False,
        db_constraint=False,
    )
    manufacturer = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="settlement_statements",
        verbose_name=_("生产企业"),
        db_index=False,
        db_constraint=False,
    )
    hospital = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="hospital_settlement_statements",
        verbose_name=_("医疗机构"),
        db_index=False,
        db_constraint=False,
    )
    period = models.DateField(_("结算周期"), help_text=_("结算周期的第一天（按月结算为当月 1 日）"))
    period_end = models.DateField(_("结算周期止"), null=True, blank=True)
    status = StatusField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    line_count = models.PositiveIntegerField(_("明细数"), default=0)
    gross_amount = models.DecimalField(_("验收金额"), default=0, **AMOUNT)
    returned_amount = models.DecimalField(_("退货金额"), default=0, **AMOUNT)
    correction_amount = models.DecimalField(_("价格更正金额"), default=0, **AMOUNT)
    amount = models.DecimalField(_("结算金额"), default=0, **AMOUNT)
    disputed_amount = models.DecimalField(_("争议金额"), default=0, **AMOUNT)
    # 核减: what the fund officer took off the confirmed amount at approval, line by line with reasons (the lines'
    # `reduced_amount`); the approved amount is the rest. The fund never pays it; hospital and manufacturer settle it
    # between themselves or the manufacturer corrects it in a later statement.
    reduced_amount = models.DecimalField(_("核减金额"), default=0, db_default=0, **AMOUNT)
    approved_amount = models.DecimalField(_("审核金额"), default=0, **AMOUNT)
    paid_amount = models.DecimalField(_("已付金额"), default=0, **AMOUNT)
    invoice_numbers = models.JSONField(_("发票号"), default=list, blank=True)
    claim_due_on = models.DateField(_("申报截止"))
    claimed_at = models.DateTimeField(_("申报时间"), null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申报人"),
        db_index=False,
    )
    claimed_late = models.BooleanField(_("逾期申报"), default=False)
    confirm_due_on = models.DateField(_("确认截止"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
        db_index=False,
    )
    auto_confirmed = models.BooleanField(_("逾期视同确认"), default=False)
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
        db_index=False,
    )
    payment_due_on = models.DateField(_("付款期限"), help_text=_("最早一笔验收日加付款期限天数"))
    paid_at = models.DateTimeField(_("付清时间"), null=True, blank=True)
    overdue = models.BooleanField(_("已逾期"), default=False)
    due_soon = models.BooleanField(_("即将到期"), default=False)
    deduction = models.ForeignKey(
        "HospitalDeduction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statements",
        verbose_name=_("扣减记录"),
        db_index=False,
    )
    run = models.ForeignKey(
        SettlementRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="statements",
        verbose_name=_("生成记录"),
        db_index=False,
        db_constraint=False,
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["overdue", "due_soon"])

    class Meta:
        verbose_name = _("结算单")
        verbose_name_plural = _("结算单")
        ordering = ["-period", "hospital", "manufacturer"]
        indexes = [
            models.Index(fields=["fund", "period", "status"]),
            models.Index(fields=["manufacturer", "status"]),
            models.Index(fields=["hospital", "status"]),
            models.Index(fields=["status", "payment_due_on"]),
            models.Index(fields=["deduction"], condition=Q(deduction__isnull=False), name="statement_deduction"),
            models.Index(fields=["claimed_by"], condition=Q(claimed_by__isnull=False), name="statement_claimed_by"),
            models.Index(
                fields=["confirmed_by"], condition=Q(confirmed_by__isnull=False), name="statement_confirmed_by"
            ),
            models.Index(fields=["approved_by"], condition=Q(approved_by__isnull=False), name="statement_approved_by"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="statement_number_unique"),
            models.UniqueConstraint(fields=["manufacturer", "hospital", "period"], name="statement_one_per_month"),
            models.CheckConstraint(
                condition=Q(paid_amount__gte=0) & (Q(paid_amount__lte=F("approved_amount")) | Q(paid_amount=0)),
                name="statement_paid_within_approved",
            ),
            models.CheckConstraint(condition=Q(disputed_amount__gte=0), name="statement_disputed_non_negative"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def period_label(self) -> str:
        """2026-11 for a month; 2026-11-16 – 11-30 for a shorter period."""
        if self.period_end is None or (self.period.day == 1 and (self.period_end + timedelta(days=1)).day == 1):
            return f"{self.period:%Y-%m}"
        return f"{self.period:%Y-%m-%d} – {self.period_end:%m-%d}"

    @property
    def outstanding_amount(self) -> Decimal:
        return self.approved_amount - self.paid_amount

    @transition(field=status, source=S.DRAFT, target=S.CLAIMED)
    def claim(self) -> None:
        pass

    @transition(field=status, source=S.CLAIMED, target=S.HOSPITAL_CONFIRMED)
    def confirm(self) -> None:
        pass

    @transition(field=status, source=S.CLAIMED, target=S.DRAFT)
    def send_back(self) -> None:
        pass

    @transition(field=status, source=S.HOSPITAL_CONFIRMED, target=S.APPROVED)
    def approve(self) -> None:
        pass

    @transition(field=status, source=S.HOSPITAL_CONFIRMED, target=S.DRAFT)
    def return_to_manufacturer(self) -> None:
        """退回: the fund officer sends a confirmed statement back to the manufacturer (with a reason) to claim again."""

    @transition(field=status, source=PAYABLE_STATUSES, target=S.PARTIALLY_PAID)
    def pay_partly(self) -> None:
        pass

    @transition(field=status, source=PAYABLE_STATUSES, target=S.PAID)
    def pay_fully(self) -> None:
        pass


class SettlementLine(models.Model):
    """A statement line: one receipt line net of its returns and price correction; (kind=return_adjustment) a
    return of goods whose receipt was settled in an earlier statement, as a negative amount; or
    (kind=price_adjustment) a price correction of a receipt line settled in an earlier statement."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("验收")
        RETURN_ADJUSTMENT = "return_adjustment", _("已结算后退货冲减")
        PRICE_ADJUSTMENT = "price_adjustment", _("已结算后价格更正")

    # Lines are written only by the generation, a month at a time, each with the id of the statement written in the
    # same transaction and the ids of the receipt and return lines it was computed from. These references are
    # guarded where the referenced rows are deleted instead of by a foreign-key check per inserted line (a million
    # row locks and look-ups at commit): Django's CASCADE/PROTECT apply as for any foreign key, and on PostgreSQL
    # triggers refuse deleting a statement that still has lines or a receipt line that is settled (migration 0005;
    # return lines are guarded by `SettledReturn`'s foreign key, which every return adjustment has).
    statement = models.ForeignKey(
        SettlementStatement,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("结算单"),
        db_constraint=False,
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices, default=Kind.RECEIPT)
    # Looked up through the partial unique indexes below; no second plain index to maintain on every insert.
    receipt_line = models.ForeignKey(
        "procurement.ReceiptLine",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("验收明细"),
        db_index=False,
        db_constraint=False,
    )
    return_line = models.ForeignKey(
        "procurement.GoodsReturnLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("退货明细"),
        db_index=False,
        db_constraint=False,
    )
    # Copied from the receipt line (already checked there), and the correction from the joined correction row: no
    # foreign-key check per inserted line (on PostgreSQL a deferred check queued for each of a month's million rows,
    # even when the column is empty). Corrections are never deleted (PROTECT, read-only in the admin).
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name=_("产品"),
    )
    received_on = models.DateField(_("验收日期"))
    min_units = models.BigIntegerField(_("验收数量（最小制剂单位）"))
    returned_min_units = models.BigIntegerField(_("退货数量（最小制剂单位）"), default=0)
    unit_price = models.DecimalField(_("订单单价"), **UNIT_PRICE)
    settled_unit_price = models.DecimalField(_("结算单价"), **UNIT_PRICE)
    correction = models.ForeignKey(
        PriceCorrection,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("价格更正"),
        db_index=False,
        db_constraint=False,
    )
    price_adjustment = models.ForeignKey(
        PriceAdjustment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("已结算价格更正调整"),
        db_index=False,
        db_constraint=False,
    )
    gross_amount = models.DecimalField(_("验收金额"), **AMOUNT)
    returned_amount = models.DecimalField(_("退货金额"), default=0, **AMOUNT)
    correction_amount = models.DecimalField(_("价格更正金额"), default=0, **AMOUNT)
    amount = models.DecimalField(_("结算金额"), **AMOUNT)
    due_on = models.DateField(_("付款期限"))
    overdue = models.BooleanField(_("已逾期"), default=False)
    disputed = models.BooleanField(_("有争议"), default=False)
    dispute_reason = models.CharField(_("争议原因"), max_length=300, blank=True)
    response = models.CharField(_("企业答复"), max_length=300, blank=True)
    reduced_amount = models.DecimalField(_("核减金额"), default=0, db_default=0, **AMOUNT)
    reduction_reason = models.CharField(_("核减原因"), max_length=300, blank=True, db_default="")

    class Meta:
        verbose_name = _("结算明细")
        verbose_name_plural = _("结算明细")
        ordering = ["statement", "received_on", "id"]
        constraints = [
            # A receipt line is settled in exactly one statement (also when two generation runs race). The table
            # is partitioned by month on `received_on`, so each key includes it: a line's `received_on` is copied
            # from its receipt line by the generation's INSERT … SELECT and a receipt line's date never changes, so
            # the key (receipt line, day) is the key (receipt line).
            models.UniqueConstraint(
                fields=["receipt_line", "received_on"], condition=Q(kind="receipt"), name="receipt_line_settled_once"
            ),
            models.UniqueConstraint(
                fields=["return_line", "received_on"],
                condition=Q(return_line__isnull=False),
                name="return_adjustment_once",
            ),
            # A price adjustment is settled in exactly one statement line.
            models.UniqueConstraint(
                fields=["price_adjustment", "received_on"],
                condition=Q(price_adjustment__isnull=False),
                name="price_adjustment_settled_once",
            ),
            models.CheckConstraint(
                condition=Q(kind="receipt", price_adjustment__isnull=True)
                | Q(kind="return_adjustment", return_line__isnull=False, price_adjustment__isnull=True)
                | Q(kind="price_adjustment", price_adjustment__isnull=False, return_line__isnull=True),
                name="settlement_line_kind_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement} · {self.receipt_line_id}"


class SettledReturn(models.Model):
    """A return line accounted for in a statement — netted into its receipt's line, or as a return adjustment line
    when the receipt was settled earlier: each return line exactly once."""

    # Return and receipt lines are partitioned by month: no foreign key can point at their `id` alone. The rows are
    # written by the generation from the lines it read in the same statement, and the lines they name are never
    # deleted (Django's PROTECT; the receipt line's delete guard, settlement's migration). The unique return line here is
    # the small unpartitioned key that nets each return exactly once (docs/scale-out.md).
    return_line = models.OneToOneField(
        "procurement.GoodsReturnLine",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("退货明细"),
        db_constraint=False,
    )
    statement = models.ForeignKey(
        SettlementStatement, on_delete=models.CASCADE, related_name="settled_returns", verbose_name=_("结算单")
    )
    receipt_line = models.ForeignKey(
        "procurement.ReceiptLine",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("验收明细"),
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("已结算退货")
        verbose_name_plural = _("已结算退货")

    def __str__(self) -> str:
        return f"{self.statement_id} · {self.return_line_id}"


class StatementEvent(models.Model):
    statement = models.ForeignKey(
        SettlementStatement, on_delete=models.CASCADE, related_name="events", verbose_name=_("结算单")
    )

    class Action(models.TextChoices):
        CLAIMED = "claimed", _("企业申报")
        INVOICES_CHANGED = "invoices_changed", _("修改发票号")
        CONFIRMED = "confirmed", _("医疗机构确认")
        AUTO_CONFIRMED = "auto_confirmed", _("逾期视同确认")
        DISPUTED = "disputed", _("医疗机构提出争议")
        RETURNED = "returned", _("基金退回企业")
        APPROVED = "approved", _("基金审核通过")
        PAID = "paid", _("支付")
        PARTIALLY_PAID = "partially_paid", _("部分支付")

    action = models.CharField(_("操作"), max_length=40, choices=Action.choices)
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
        verbose_name = _("结算单操作记录")
        verbose_name_plural = _("结算单操作记录")
        ordering = ["statement", "at", "id"]

    def __str__(self) -> str:
        return f"{self.statement} {self.action}"

    @staticmethod
    def _status_label(value: str) -> str:
        return SettlementStatement.Status(value).label if value in SettlementStatement.Status.values else value

    @property
    def from_label(self) -> str:
        return self._status_label(self.from_status)

    @property
    def to_label(self) -> str:
        return self._status_label(self.to_status)
