"""结余留用 earned and paid, and 综合绩效: a hospital's retained savings of a tender's cycle once it completed its
agreed volumes (reviewed by a fund officer, paid through the ledger), and its yearly performance score. The rules
are in docs/budgets.md; the services are `services/savings.py` and `services/scores.py`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .columns import AMOUNT, RATE
from .ledger import FundAccount, JournalEntry


class SavingsAward(models.Model):
    """结余留用: what a hospital earned from one tender's cycle. `reasons` are stored as codes with parameters
    (`[{"code": "completion_below", "params": {...}}]`) and rendered in the reader's language."""

    class Status(models.TextChoices):
        ASSESSED = "assessed", _("待审核")
        APPROVED = "approved", _("已核定")
        REJECTED = "rejected", _("不予留用")
        PAID = "paid", _("已拨付")

    fund = models.ForeignKey(FundAccount, on_delete=models.PROTECT, related_name="+", verbose_name=_("基金"))
    hospital = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("医疗机构")
    )
    tender = models.ForeignKey("procurement.Tender", on_delete=models.PROTECT, related_name="+", verbose_name=_("批次"))
    savings = models.DecimalField(_("节约金额"), **AMOUNT)
    share = models.DecimalField(_("留用比例"), **RATE)
    amount = models.DecimalField(_("留用金额"), **AMOUNT)
    completion_rate = models.DecimalField(_("约定采购量完成率"), **RATE)
    substitution_rate = models.DecimalField(_("非中选产品替代率"), **RATE)
    qualified = models.BooleanField(_("符合留用条件"))
    reasons = models.JSONField(_("依据"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ASSESSED)
    review_note = models.CharField(_("审核意见"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    paid_on = models.DateField(_("拨付日期"), null=True, blank=True)
    journal_entry = models.OneToOneField(
        JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("记账凭证")
    )
    created_at = models.DateTimeField(_("测算时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("结余留用")
        verbose_name_plural = _("结余留用")
        ordering = ["-created_at", "hospital"]
        constraints = [
            models.UniqueConstraint(fields=["hospital", "tender"], name="savings_award_one_per_hospital_tender"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="savings_award_amount_not_negative"),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(qualified=True, journal_entry__isnull=False),
                name="savings_award_paid_only_qualified",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hospital} · {self.tender} · {self.amount}"


class HospitalScore(models.Model):
    """综合绩效: a hospital's score of a year (0–100) from its parts (each 0–100), with the weights it was computed
    with, and what it changes: the prepayment rate and the retained-savings share."""

    hospital = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("医疗机构")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    completion = models.DecimalField(_("约定采购量完成"), max_digits=6, decimal_places=2, null=True, blank=True)
    online_share = models.DecimalField(_("线上采购率"), max_digits=6, decimal_places=2, null=True, blank=True)
    receipt_timeliness = models.DecimalField(_("及时验收"), max_digits=6, decimal_places=2, null=True, blank=True)
    statement_timeliness = models.DecimalField(
        _("及时确认结算单"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    substitution = models.DecimalField(_("中选产品使用"), max_digits=6, decimal_places=2, null=True, blank=True)
    score = models.DecimalField(_("综合得分"), max_digits=6, decimal_places=2)
    weights = models.JSONField(_("权重"), default=dict)
    prepayment_rate = models.DecimalField(_("挂钩预付比例"), **RATE)
    savings_share = models.DecimalField(_("挂钩留用比例"), **RATE)
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)

    class Meta:
        verbose_name = _("综合绩效")
        verbose_name_plural = _("综合绩效")
        ordering = ["-year", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["hospital", "year"], name="hospital_score_one_per_year"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=100), name="hospital_score_range"),
            models.CheckConstraint(condition=Q(prepayment_rate__gte="0.3"), name="hospital_score_prepayment_floor"),
        ]

    def __str__(self) -> str:
        return f"{self.hospital_id} {self.year} {self.score}"
