"""Objections (异议) to a tender's candidate results or to a credit record, and appeals (申诉) against the answer.

By analogy with 招标投标法实施条例 art. 54 and 60 (drug VBP falls strictly under neither law): a bidder objects during
the public notice period (公示期), an official answers within `OBJECTION_ANSWER_DAYS`, and the objector may appeal a
rejection within `APPEAL_DAYS` to a supervisor, who is never the official who answered. The notice period itself is
not a table: it runs from the current evaluation run's time for `TENDER_NOTICE_DAYS` (services/holds.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import transition
from simple_history.models import HistoricalRecords

from common.fields import StatusField


class Objection(models.Model):
    # what the object's history calls each step (the audit events store the code; common.labels)
    EVENT_LABELS = {
        "filed": pgettext_lazy("异议操作", "提出异议"),
        "answered": pgettext_lazy("异议操作", "答复异议"),
        "appealed": pgettext_lazy("异议操作", "提出申诉"),
    }

    class Subject(models.TextChoices):
        TENDER_RESULT = "tender_result", _("中选候选结果")
        CREDIT_RECORD = "credit_record", _("信用评价记录")

    class Status(models.TextChoices):
        FILED = "filed", _("待答复")
        UPHELD = "upheld", _("异议成立")
        REJECTED = "rejected", _("异议不成立")

    subject = models.CharField(_("异议对象"), max_length=20, choices=Subject.choices)
    tender = models.ForeignKey(
        "procurement.Tender",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="objections",
        verbose_name=_("批次"),
    )
    # The evaluation run whose candidate results are objected to (a re-run starts a new notice period).
    evaluation = models.ForeignKey(
        "procurement.TenderEvaluation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="objections",
        verbose_name=_("评审记录"),
    )
    credit_record = models.ForeignKey(
        "pricing.CreditRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="objections",
        verbose_name=_("信用评价记录"),
    )
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="objections", verbose_name=_("异议企业")
    )
    grounds = models.TextField(_("异议事由与依据"))
    document = models.FileField(_("证明材料"), upload_to="objections/%Y/%m/", blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("提出人")
    )
    filed_at = models.DateTimeField(_("提出时间"))
    answer_due = models.DateTimeField(_("答复期限"))
    status = StatusField(_("状态"), max_length=20, choices=Status.choices, default=Status.FILED)
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("答复人"),
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    appeal_due = models.DateTimeField(_("申诉期限"), null=True, blank=True)
    # The evaluation re-run an upheld objection (or appeal) caused.
    rerun = models.ForeignKey(
        "procurement.TenderEvaluation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("重新评审"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "evaluation"],
                condition=Q(evaluation__isnull=False),
                name="objection_once_per_result",
            ),
            models.UniqueConstraint(
                fields=["organization", "credit_record"],
                condition=Q(credit_record__isnull=False),
                name="objection_once_per_credit_record",
            ),
            models.CheckConstraint(
                condition=(
                    Q(subject="tender_result", tender__isnull=False, evaluation__isnull=False, credit_record=None)
                    | Q(subject="credit_record", credit_record__isnull=False, tender=None, evaluation=None)
                ),
                name="objection_one_subject",
            ),
        ]
        indexes = [models.Index(fields=["status", "answer_due"])]

    def __str__(self) -> str:
        return f"{self.get_subject_display()} #{self.pk} · {self.organization}"

    @transition(field=status, source=Status.FILED, target=Status.UPHELD)
    def uphold(self) -> None:
        pass

    @transition(field=status, source=Status.FILED, target=Status.REJECTED)
    def reject(self) -> None:
        pass

    @transition(field=status, source=Status.REJECTED, target=Status.UPHELD)
    def overturn(self) -> None:
        """An appeal upheld: the objection stands after all."""


class Appeal(models.Model):
    """申诉: the objector's appeal against a rejecting answer, decided by a supervisor of the agency."""

    # what the object's history calls each step (the audit events store the code; common.labels)
    EVENT_LABELS = {
        "filed": pgettext_lazy("异议操作", "提出申诉"),
        "decided": pgettext_lazy("异议操作", "裁决申诉"),
    }

    class Status(models.TextChoices):
        FILED = "filed", _("待裁决")
        UPHELD = "upheld", _("申诉成立")
        REJECTED = "rejected", _("申诉不成立")

    objection = models.OneToOneField(Objection, on_delete=models.PROTECT, related_name="appeal", verbose_name=_("异议"))
    grounds = models.TextField(_("申诉事由"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申诉人")
    )
    filed_at = models.DateTimeField(_("申诉时间"))
    status = StatusField(_("状态"), max_length=20, choices=Status.choices, default=Status.FILED)
    decision = models.TextField(_("裁决意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("裁决人"),
    )
    decided_at = models.DateTimeField(_("裁决时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("申诉")
        verbose_name_plural = _("申诉")
        ordering = ["-filed_at", "-id"]

    def __str__(self) -> str:
        return f"申诉 #{self.pk} · {self.objection}"

    @transition(field=status, source=Status.FILED, target=Status.UPHELD)
    def uphold(self) -> None:
        pass

    @transition(field=status, source=Status.FILED, target=Status.REJECTED)
    def reject(self) -> None:
        pass
