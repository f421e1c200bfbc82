"""完成进度: each commitment's purchases against its agreed volume, precomputed per month and cycle-to-date.

The rows are written only by `procurement.services.progress` (one set-based SQL statement over receipt and return
lines); pages, API and exports read them. A full recompute rewrites the rows that changed in one transaction, an
incremental refresh those of one hospital, so a run that dies half-way leaves the previous table intact.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .orders import AMOUNT


class ProgressStatus(models.TextChoices):
    ON_TRACK = "on_track", _("正常")
    BEHIND = "behind", _("滞后")
    AT_RISK = "at_risk", _("难以完成")
    COMPLETED = "completed", _("已完成")
    OVER = "over", _("超量")


class CommitmentProgress(models.Model):
    """One commitment × period. Month rows hold the month's own flows and the cumulative figures at its end;
    the cycle row (period_kind=cycle) holds the cycle to date (up to the computation date or the cycle end)."""

    class PeriodKind(models.TextChoices):
        MONTH = "month", _("月度")
        CYCLE = "cycle", _("周期累计")

    # The rows are derived from commitments in the same transaction that writes them, and deleted with them (by
    # Django's cascade). The table is rewritten every night, so it carries only the indexes the pages and the
    # refresh use: no foreign-key checks (one lookup per column per row) and no index per copied column.
    commitment = models.ForeignKey(
        "procurement.Commitment",
        on_delete=models.CASCADE,
        related_name="progress",
        verbose_name=_("约定采购量"),
        db_constraint=False,
        db_index=False,  # the unique constraint's index leads with it
    )
    # Copied from the commitment (and the hospital's pooling region) for the roll-ups and filters.
    tender = models.ForeignKey(
        "procurement.Tender",
        on_delete=models.DO_NOTHING,
        related_name="+",
        verbose_name=_("批次"),
        db_constraint=False,
        db_index=False,
    )
    lot = models.ForeignKey(
        "procurement.Lot",
        on_delete=models.DO_NOTHING,
        related_name="+",
        verbose_name=_("品种"),
        db_constraint=False,
        db_index=False,
    )
    hospital = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.DO_NOTHING,
        related_name="+",
        verbose_name=_("医疗机构"),
        db_constraint=False,
        db_index=False,
    )
    manufacturer = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.DO_NOTHING,
        related_name="+",
        verbose_name=_("供应企业"),
        db_constraint=False,
        db_index=False,
    )
    region = models.ForeignKey(
        "accounts.Region",
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("统筹区"),
        db_constraint=False,
        db_index=False,
    )
    period_kind = models.CharField(_("期间类型"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("期间开始"))
    period_end = models.DateField(_("期间结束"))
    agreed_volume = models.PositiveBigIntegerField(_("约定采购量"))
    expected_units = models.BigIntegerField(
        _("进度应完成量"), help_text=_("约定量 × 期末已过周期天数 / 周期天数（取整）")
    )
    received_units = models.BigIntegerField(_("本期入库量"), help_text=_("中选产品验收量减退货量"))
    received_amount = models.DecimalField(_("本期入库金额"), **AMOUNT)
    returned_units = models.BigIntegerField(_("本期退货量"))
    substitute_units = models.BigIntegerField(_("本期替代品入库量"), help_text=_("同品种非中选产品，验收量减退货量"))
    substitute_amount = models.DecimalField(_("本期替代品金额"), **AMOUNT)
    cumulative_units = models.BigIntegerField(_("累计入库量"))
    cumulative_amount = models.DecimalField(_("累计入库金额"), **AMOUNT)
    cumulative_substitute_units = models.BigIntegerField(_("累计替代品入库量"))
    completion_rate = models.DecimalField(
        _("完成率"),
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("累计入库量 / 约定采购量；约定量为 0 时为空"),
    )
    substitution_ratio = models.DecimalField(
        _("替代率"),
        max_digits=6,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("累计替代品 / (累计中选产品 + 累计替代品)"),
    )
    projected_units = models.BigIntegerField(_("按近期速度预计周期末完成量"))
    status = models.CharField(_("进度状态"), max_length=20, choices=ProgressStatus.choices)

    class Meta:
        verbose_name = _("约定采购量完成进度")
        verbose_name_plural = _("约定采购量完成进度")
        ordering = ["commitment", "period_kind", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "period_kind", "period_start"], name="progress_one_per_commitment_period"
            ),
        ]
        indexes = [
            models.Index(fields=["hospital", "period_kind"], name="progress_hospital_kind"),
            models.Index(fields=["status"], condition=Q(period_kind="cycle"), name="progress_cycle_status"),
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id} {self.period_kind} {self.period_start:%Y-%m}"

    @property
    def remaining_units(self) -> int:
        return max(self.agreed_volume - self.cumulative_units, 0)

    @property
    def surplus_units(self) -> int:
        return max(self.cumulative_units - self.agreed_volume, 0)

    @property
    def completion_percent(self) -> float:
        """For progress bars only (capped at 100)."""
        if self.completion_rate is None:
            return 100.0 if self.agreed_volume == 0 else 0.0
        return float(min(self.completion_rate, 1) * 100)


class ManufacturerProgress(models.Model):
    """A manufacturer's awarded volumes in one tender and how much has been ordered, shipped and received; flagged
    when its deliveries lag the orders placed with it."""

    manufacturer = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+", verbose_name=_("生产企业")
    )
    tender = models.ForeignKey("procurement.Tender", on_delete=models.CASCADE, related_name="+", verbose_name=_("批次"))
    agreed_volume = models.BigIntegerField(_("约定采购量合计"))
    ordered_units = models.BigIntegerField(_("已下单量"), help_text=_("已提交且未撤销、未拒绝的中选产品订单"))
    due_units = models.BigIntegerField(_("应已配送量"), help_text=_("提交已超过配送期限的订单量"))
    shipped_units = models.BigIntegerField(_("已配送量"))
    received_units = models.BigIntegerField(_("已入库量"), help_text=_("验收量减退货量"))
    received_amount = models.DecimalField(_("已入库金额"), **AMOUNT)
    delivery_lag = models.BooleanField(_("配送滞后"), default=False)

    class Meta:
        verbose_name = _("生产企业中选量执行")
        verbose_name_plural = _("生产企业中选量执行")
        ordering = ["tender", "manufacturer"]
        constraints = [
            models.UniqueConstraint(fields=["manufacturer", "tender"], name="manufacturer_progress_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.manufacturer_id} · {self.tender_id}"


class CommitmentAlertState(models.Model):
    """The last cycle status seen for each commitment, so an unchanged state alerts nobody twice."""

    commitment = models.OneToOneField(
        "procurement.Commitment",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="alert_state",
        verbose_name=_("约定采购量"),
    )
    status = models.CharField(_("进度状态"), max_length=20, choices=ProgressStatus.choices)

    class Meta:
        verbose_name = _("进度提醒状态")
        verbose_name_plural = _("进度提醒状态")

    def __str__(self) -> str:
        return f"{self.commitment_id}: {self.status}"


class ProgressRun(models.Model):
    """One computation of the progress table: full (every commitment), one hospital's refresh, or the refresh of the
    commitments a day's receipts and returns changed."""

    class Kind(models.TextChoices):
        FULL = "full", _("全量")
        HOSPITAL = "hospital", _("单家医疗机构")
        CHANGED = "changed", _("当日变动")

    class Status(models.TextChoices):
        RUNNING = "running", _("运行中")
        SUCCEEDED = "succeeded", _("成功")
        FAILED = "failed", _("失败")
        SKIPPED = "skipped", _("跳过（已有运行）")
        ABANDONED = "abandoned", _("中断")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    hospital = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("医疗机构"),
    )
    as_of = models.DateField(_("计算日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("进度行数"), default=0)
    alerts = models.PositiveIntegerField(_("新提醒数"), default=0)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("进度计算记录")
        verbose_name_plural = _("进度计算记录")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["status", "started_at"], name="progress_run_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["full", "changed"], hospital__isnull=True) | Q(kind="hospital"),
                name="progress_run_kind_hospital",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M} {self.get_status_display()}"

    @property
    def error_text(self) -> str:
        """Why the run was skipped, in the reader's language (the platform's own reasons are stored as their Chinese
        text, marked for translation where they are written); a failed run's error as it was raised."""
        return gettext(self.error) if self.error else ""
