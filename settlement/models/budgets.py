"""总额预算 and what draws on it: the fund's yearly allocation to a hospital by month, the hospital's own insurance
claims imported each month, the monthly settlement of those claims net of direct-settlement deductions (with the
shortfall carried and recovered), and the year-end settlement with reasonable over-spend sharing (合理超支分担).

The rules are in docs/budgets.md; the monthly settlement is `services/budgets.py`, the year-end one `yearend.py`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .columns import AMOUNT
from .ledger import FundAccount, JournalEntry


class BudgetAllocation(models.Model):
    """总额预算: the fund's allocation to one hospital for one year; its months are `BudgetMonth` rows."""

    class Source(models.TextChoices):
        ENTERED = "entered", _("经办录入")
        IMPORTED = "imported", _("文件导入")

    fund = models.ForeignKey(FundAccount, on_delete=models.PROTECT, related_name="budgets", verbose_name=_("基金"))
    hospital = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("医疗机构")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    total = models.DecimalField(_("年度预算"), **AMOUNT)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.ENTERED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("总额预算")
        verbose_name_plural = _("总额预算")
        ordering = ["-year", "hospital"]
        constraints = [
            models.UniqueConstraint(fields=["hospital", "year"], name="budget_one_per_hospital_year"),
            models.CheckConstraint(condition=Q(total__gte=0), name="budget_total_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.hospital} {self.year} {self.total}"


class BudgetMonth(models.Model):
    allocation = models.ForeignKey(
        BudgetAllocation, on_delete=models.CASCADE, related_name="months", verbose_name=_("总额预算")
    )
    month = models.PositiveSmallIntegerField(_("月份"))
    amount = models.DecimalField(_("月度预算"), **AMOUNT)

    class Meta:
        verbose_name = _("月度预算")
        verbose_name_plural = _("月度预算")
        ordering = ["allocation", "month"]
        constraints = [
            models.UniqueConstraint(fields=["allocation", "month"], name="budget_month_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_month_not_negative"),
            models.CheckConstraint(condition=Q(month__gte=1) & Q(month__lte=12), name="budget_month_range"),
        ]

    def __str__(self) -> str:
        return f"{self.allocation_id}/{self.month} {self.amount}"


class InsuranceClaim(models.Model):
    """医疗机构医保结算申报: the hospital's insurance claims of a month, from the insurance information platform's
    export (one row per hospital and month). Gross: it includes the selected products paid directly to companies."""

    fund = models.ForeignKey(FundAccount, on_delete=models.PROTECT, related_name="claims", verbose_name=_("基金"))
    hospital = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("医疗机构")
    )
    month = models.DateField(_("月份"))
    amount = models.DecimalField(_("申报金额"), **AMOUNT)
    file_name = models.CharField(_("导入文件"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("医保结算申报")
        verbose_name_plural = _("医保结算申报")
        ordering = ["-month", "hospital"]
        constraints = [
            models.UniqueConstraint(fields=["hospital", "month"], name="claim_one_per_hospital_month"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="claim_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.hospital_id} {self.month:%Y-%m} {self.amount}"


class BudgetMonthSettlement(models.Model):
    """医保结算款月度拨付: one hospital's month. The fund owes the claims up to the budget still open this year
    (`owed`: the year's claims so far up to the year's
    budget so far, less what was owed before; `held` is the year's claims so far above it, settled at the year end); from that it withholds the shortfall carried in, then the month's
    deductions; what cannot be withheld is carried to the next month (`carried_out`)."""

    fund = models.ForeignKey(FundAccount, on_delete=models.PROTECT, related_name="+", verbose_name=_("基金"))
    hospital = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("医疗机构")
    )
    month = models.DateField(_("月份"))
    claims = models.DecimalField(_("申报金额"), **AMOUNT)
    owed = models.DecimalField(_("预算内应拨"), **AMOUNT)
    held = models.DecimalField(_("累计超预算暂缓"), **AMOUNT)
    carried_in = models.DecimalField(_("上月结转欠款"), **AMOUNT)
    recovered = models.DecimalField(_("收回欠款"), **AMOUNT)
    deductions = models.DecimalField(_("直接结算扣减"), **AMOUNT)
    withheld = models.DecimalField(_("扣减到位"), **AMOUNT)
    carried_out = models.DecimalField(_("结转下月欠款"), **AMOUNT)
    paid = models.DecimalField(_("实拨金额"), **AMOUNT)
    journal_entry = models.OneToOneField(
        JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("记账凭证")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("月度拨付")
        verbose_name_plural = _("月度拨付")
        ordering = ["-month", "hospital"]
        constraints = [
            models.UniqueConstraint(fields=["hospital", "month"], name="budget_settlement_one_per_month"),
            models.CheckConstraint(
                condition=Q(paid=F("owed") - F("recovered") - F("withheld")) & Q(paid__gte=0),
                name="budget_settlement_paid",
            ),
            models.CheckConstraint(
                condition=Q(carried_out=F("carried_in") - F("recovered") + F("deductions") - F("withheld")),
                name="budget_settlement_carried",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hospital_id} {self.month:%Y-%m} {self.paid}"


class BudgetYearSettlement(models.Model):
    """年度清算: one hospital's year. Over-spend = claims − budget; within the band the fund bears its share (合理超支
    分担), beyond it the hospital; the fund pays its share of the held claims; a shortfall still open is carried."""

    fund = models.ForeignKey(FundAccount, on_delete=models.PROTECT, related_name="+", verbose_name=_("基金"))
    hospital = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("医疗机构")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    budget = models.DecimalField(_("年度预算"), **AMOUNT)
    claims = models.DecimalField(_("全年申报"), **AMOUNT)
    owed = models.DecimalField(_("预算内已拨"), **AMOUNT)
    held = models.DecimalField(_("超预算暂缓"), **AMOUNT)
    overspend = models.DecimalField(_("超支金额"), **AMOUNT)
    fund_share = models.DecimalField(_("基金分担"), **AMOUNT)
    hospital_share = models.DecimalField(_("医疗机构承担"), **AMOUNT)
    shortfall = models.DecimalField(_("年末未收回欠款"), **AMOUNT)
    band_rate = models.DecimalField(_("合理超支区间"), max_digits=6, decimal_places=4)
    fund_rate = models.DecimalField(_("基金分担比例"), max_digits=6, decimal_places=4)
    journal_entry = models.OneToOneField(
        JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("记账凭证")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("年度清算")
        verbose_name_plural = _("年度清算")
        ordering = ["-year", "hospital"]
        constraints = [
            models.UniqueConstraint(fields=["hospital", "year"], name="budget_year_one_per_hospital"),
            models.CheckConstraint(
                condition=Q(overspend=F("fund_share") + F("hospital_share")), name="budget_year_sharing"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hospital_id} {self.year} {self.overspend}"
