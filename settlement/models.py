"""医保基金直接结算: fund accounts, prepayments, monthly statements, payments, the double-entry ledger and
retained savings.

A receipt line (procurement.ReceiptLine) is settled in exactly one statement: `SettlementLine.receipt_line` is unique
for receipt lines, so two batch runs racing each other cannot both settle it. Returns (GoodsReturnLine) are netted
once each through `SettledReturn`. Procurement's tables are never changed by this app.

Ledger sign convention: a journal line's `amount` is positive for a debit and negative for a credit, so every entry's
lines sum to zero. Account balances (sum of their lines) read: fund bank — money in (+) / out (−); hospital — what the
hospital owes the fund (+); manufacturer — what the fund owes the manufacturer (−).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import transition
from simple_history.models import HistoricalRecords

from common.fields import StatusField

AMOUNT = {"max_digits": 16, "decimal_places": 2}
UNIT_PRICE = {"max_digits": 14, "decimal_places": 4}
RATE = {"max_digits": 5, "decimal_places": 4}


class FundAccount(models.Model):
    """统筹区医保基金: one per pooling region (league/city); its hospitals are those of the region and its counties."""

    region = models.OneToOneField(
        "accounts.Region",
        on_delete=models.PROTECT,
        related_name="fund_account",
        verbose_name=_("统筹区"),
        limit_choices_to={"level": "league_city"},
    )
    name = models.CharField(_("基金名称"), max_length=100)
    prepayment_rate = models.DecimalField(
        _("预付比例"), default=Decimal("0.3000"), help_text=_("占年度约定采购金额的比例，不低于 30%"), **RATE
    )
    retained_share = models.DecimalField(_("结余留用比例"), default=Decimal("0.5000"), **RATE)
    include_negotiated = models.BooleanField(_("国家谈判药品纳入直接结算"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("统筹区基金账户")
        verbose_name_plural = _("统筹区基金账户")
        ordering = ["region__sort_order", "region__code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(prepayment_rate__gte=Decimal("0.3")) & Q(prepayment_rate__lte=1),
                name="fund_prepayment_rate_range",
            ),
            models.CheckConstraint(
                condition=Q(retained_share__gte=0) & Q(retained_share__lte=1), name="fund_retained_share_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class LedgerAccount(models.Model):
    class Kind(models.TextChoices):
        FUND_BANK = "fund_bank", _("基金银行存款")
        HOSPITAL = "hospital", _("医疗机构往来")
        MANUFACTURER = "manufacturer", _("应付生产企业")

    fund = models.ForeignKey(
        FundAccount, on_delete=models.PROTECT, related_name="ledger_accounts", verbose_name=_("基金")
    )
    kind = models.CharField(_("科目类别"), max_length=20, choices=Kind.choices)
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("往来单位"),
    )

    class Meta:
        verbose_name = _("分类账科目")
        verbose_name_plural = _("分类账科目")
        ordering = ["fund", "kind", "organization"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "kind", "organization"], name="ledger_account_unique"),
            models.UniqueConstraint(
                fields=["fund", "kind"], condition=Q(organization__isnull=True), name="ledger_account_unique_fund_bank"
            ),
            models.CheckConstraint(
                condition=(Q(kind="fund_bank") & Q(organization__isnull=True))
                | (~Q(kind="fund_bank") & Q(organization__isnull=False)),
                name="ledger_account_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fund} · {self.get_kind_display()}{f' · {self.organization}' if self.organization_id else ''}"


class JournalEntry(models.Model):
    """记账凭证: never changed once written; a correction is a new entry pointing at the one it corrects.

    On PostgreSQL a deferred constraint trigger checks at commit that each entry's lines sum to zero, and triggers
    refuse UPDATE and DELETE on entries and lines (see migration 0002)."""

    class Kind(models.TextChoices):
        PREPAYMENT = "prepayment", _("预付医疗机构")
        APPROVAL = "approval", _("结算单审核（代医疗机构应付企业）")
        PAYMENT = "payment", _("支付生产企业")
        DEDUCTION = "deduction", _("医疗机构医保结算款扣减")
        CORRECTION = "correction", _("更正")

    fund = models.ForeignKey(
        FundAccount, on_delete=models.PROTECT, related_name="journal_entries", verbose_name=_("基金")
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    entry_date = models.DateField(_("记账日期"))
    memo = models.CharField(_("摘要"), max_length=300)
    statement = models.ForeignKey(
        "SettlementStatement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="journal_entries",
        verbose_name=_("结算单"),
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("更正的凭证"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("记账人"),
    )
    created_at = models.DateTimeField(_("记账时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("记账凭证")
        verbose_name_plural = _("记账凭证")
        ordering = ["-entry_date", "-id"]
        indexes = [models.Index(fields=["fund", "entry_date"]), models.Index(fields=["kind", "entry_date"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.entry_date}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise ValueError(gettext("记账凭证不可修改，请以更正凭证调整"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(gettext("记账凭证不可删除，请以更正凭证调整"))


class JournalLine(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines", verbose_name=_("凭证"))
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="lines", verbose_name=_("科目"))
    amount = models.DecimalField(_("金额（借正贷负）"), **AMOUNT)

    class Meta:
        verbose_name = _("凭证分录")
        verbose_name_plural = _("凭证分录")
        ordering = ["entry", "id"]
        indexes = [models.Index(fields=["account", "entry"])]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="journal_line_amount_non_zero")]

    def __str__(self) -> str:
        return f"{self.account}: {self.amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError(gettext("凭证分录不可修改"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(gettext("凭证分录不可删除"))


class Prepayment(models.Model):
    """预付: at the start of a purchase cycle the fund advances a hospital a share (≥ 30 %) of its annual agreed amount
    over its commitments of the tender. Offset rule: recovered evenly over the cycle's months from the hospital's
    monthly deductions (each month round(amount / months), the last month the remainder)."""

    fund = models.ForeignKey(FundAccount, on_delete=models.PROTECT, related_name="prepayments", verbose_name=_("基金"))
    hospital = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="prepayments", verbose_name=_("医疗机构")
    )
    tender = models.ForeignKey("procurement.Tender", on_delete=models.PROTECT, related_name="+", verbose_name=_("批次"))
    cycle_start = models.DateField(_("周期开始"))
    cycle_end = models.DateField(_("周期结束"))
    agreed_amount = models.DecimalField(_("年度约定采购金额"), **AMOUNT)
    rate = models.DecimalField(_("预付比例"), **RATE)
    amount = models.DecimalField(_("预付金额"), **AMOUNT)
    paid_on = models.DateField(_("拨付日期"))
    reference = models.CharField(_("拨付流水号"), max_length=60, blank=True)
    journal_entry = models.OneToOneField(
        JournalEntry, on_delete=models.PROTECT, related_name="prepayment", verbose_name=_("记账凭证")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("经办人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("预付金")
        verbose_name_plural = _("预付金")
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["hospital", "tender"], name="prepayment_one_per_hospital_tender"),
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(rate__gte=Decimal("0.3")), name="prepayment_amount_rate"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hospital} · {self.tender} · {self.amount}"


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

    draft → claimed (manufacturer, invoice numbers, by the 5th of the next month) → hospital_confirmed (within 5
    working days; disputed lines send it back to draft) → approved (fund officer) → partially_paid / paid."""

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
    period = models.DateField(_("结算月份"), help_text=_("当月 1 日"))
    status = StatusField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    line_count = models.PositiveIntegerField(_("明细数"), default=0)
    gross_amount = models.DecimalField(_("验收金额"), default=0, **AMOUNT)
    returned_amount = models.DecimalField(_("退货金额"), default=0, **AMOUNT)
    correction_amount = models.DecimalField(_("价格更正金额"), default=0, **AMOUNT)
    amount = models.DecimalField(_("结算金额"), default=0, **AMOUNT)
    disputed_amount = models.DecimalField(_("争议金额"), default=0, **AMOUNT)
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
    payment_due_on = models.DateField(_("付款期限"), help_text=_("最早一笔验收后 30 日"))
    paid_at = models.DateTimeField(_("付清时间"), null=True, blank=True)
    overdue = models.BooleanField(_("已逾期"), default=False)
    due_soon = models.BooleanField(_("5 日内到期"), default=False)
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

    @transition(field=status, source=PAYABLE_STATUSES, target=S.PARTIALLY_PAID)
    def pay_partly(self) -> None:
        pass

    @transition(field=status, source=PAYABLE_STATUSES, target=S.PAID)
    def pay_fully(self) -> None:
        pass


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
    # Looked up through the unique constraint (receipt line, correction): no second index.
    receipt_line = models.ForeignKey(
        "procurement.ReceiptLine",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("验收明细"),
        db_index=False,
    )
    statement = models.ForeignKey(
        SettlementStatement, on_delete=models.PROTECT, related_name="price_adjustments", verbose_name=_("原结算单")
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

    class Meta:
        verbose_name = _("结算明细")
        verbose_name_plural = _("结算明细")
        ordering = ["statement", "received_on", "id"]
        constraints = [
            # A receipt line is settled in exactly one statement (also when two generation runs race).
            models.UniqueConstraint(
                fields=["receipt_line"], condition=Q(kind="receipt"), name="receipt_line_settled_once"
            ),
            models.UniqueConstraint(
                fields=["return_line"], condition=Q(return_line__isnull=False), name="return_adjustment_once"
            ),
            # A price adjustment is settled in exactly one statement line.
            models.UniqueConstraint(
                fields=["price_adjustment"],
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

    return_line = models.OneToOneField(
        "procurement.GoodsReturnLine", on_delete=models.PROTECT, related_name="+", verbose_name=_("退货明细")
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
        verbose_name = _("结算单操作记录")
        verbose_name_plural = _("结算单操作记录")
        ordering = ["statement", "at", "id"]

    def __str__(self) -> str:
        return f"{self.statement} {self.action}"


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


class HospitalDeduction(models.Model):
    """医疗机构月度扣减: what the fund withholds from a hospital's insurance settlement for a month — the statements
    approved for it that month plus that month's share of its prepayments (the offset rule)."""

    fund = models.ForeignKey(FundAccount, on_delete=models.PROTECT, related_name="deductions", verbose_name=_("基金"))
    hospital = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("医疗机构")
    )
    month = models.DateField(_("月份"))
    statements_amount = models.DecimalField(_("直接结算货款"), **AMOUNT)
    prepayment_offset = models.DecimalField(_("预付金冲抵"), **AMOUNT)
    amount = models.DecimalField(_("扣减合计"), **AMOUNT)
    journal_entry = models.OneToOneField(
        JournalEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deduction",
        verbose_name=_("记账凭证"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("医疗机构扣减")
        verbose_name_plural = _("医疗机构扣减")
        ordering = ["-month", "hospital"]
        constraints = [
            models.UniqueConstraint(fields=["hospital", "month"], name="deduction_one_per_hospital_month"),
            models.CheckConstraint(
                condition=Q(amount=F("statements_amount") + F("prepayment_offset")), name="deduction_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hospital} {self.month:%Y-%m} {self.amount}"
