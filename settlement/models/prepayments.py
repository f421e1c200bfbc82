"""Prepayments to hospitals and the monthly deductions that recover them (with the approved statements)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .columns import AMOUNT, RATE
from .ledger import FundAccount, JournalEntry


class Prepayment(models.Model):
    """预付: at the start of a purchase cycle the fund advances a hospital a share (≥ 30 %, the national floor, or the configured one) of its annual agreed amount
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
