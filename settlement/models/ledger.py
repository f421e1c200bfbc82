"""The pooling region's fund and its double-entry ledger.

Ledger sign convention: a journal line's `amount` is positive for a debit and negative for a credit, so every entry's
lines sum to zero. Account balances (sum of their lines) read: fund bank — money in (+) / out (−); hospital — what the
hospital owes the fund (+); manufacturer — what the fund owes the manufacturer (−).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common import rules

from .columns import AMOUNT, RATE


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
        _("预付比例"),
        default=Decimal("0.3000"),
        help_text=_("占年度约定采购金额的比例，不低于全国下限 30% 及配置的最低预付比例"),
        **RATE,
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

    def clean(self) -> None:
        """The database holds the national floor (30 %); a configured floor above it holds here (admin forms)."""
        super().clean()
        floor = rules.settlement().min_prepayment_rate
        if self.prepayment_rate is not None and self.prepayment_rate < floor:
            raise ValidationError(
                {"prepayment_rate": gettext("预付比例不能低于 %(floor)s") % {"floor": f"{floor:.0%}"}},
                code="prepayment_rate_out_of_range",
            )


class LedgerAccount(models.Model):
    class Kind(models.TextChoices):
        FUND_BANK = "fund_bank", _("基金银行存款")
        HOSPITAL = "hospital", _("医疗机构往来")
        MANUFACTURER = "manufacturer", _("应付生产企业")
        # the fund's spending per hospital: its insurance claims within the budget and its over-spend share, and its
        # retained savings (总额预算, 结余留用)
        CLAIMS_EXPENSE = "claims_expense", _("医保结算支出")
        SAVINGS_EXPENSE = "savings_expense", _("结余留用支出")

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
        CLAIMS = "claims", _("医保结算款月度拨付")
        YEAR_END = "year_end", _("年度清算（合理超支分担）")
        SAVINGS = "savings", _("结余留用拨付")

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
