"""Volume-based procurement (集中带量采购): tenders, lots, demand reports, sealed bids, awards, commitments."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import transition
from simple_history.models import HistoricalRecords

from common.fields import StatusField


class Tender(models.Model):
    class Level(models.TextChoices):
        NATIONAL = "national", _("国家组织")
        ALLIANCE = "alliance", _("省际联盟")
        REGIONAL = "regional", _("自治区级")

    class Kind(models.TextChoices):
        DRUGS = "drugs", _("药品")
        CONSUMABLES = "consumables", _("医用耗材")

    class Origin(models.TextChoices):
        """How the tender came to the platform (docs/national-batches.md)."""

        OWN = "own", _("本平台组织")
        RESULTS_IMPORT = "results_import", _("导入国家/联盟采购结果")
        FOLLOW_ON = "follow_on", _("接续采购")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        DEMAND_COLLECTION = "demand_collection", _("报量中")
        BIDDING = "bidding", _("申报中")
        OPENED = "opened", _("已开标")
        AWARDED = "awarded", _("已公布中选")
        EXECUTING = "executing", _("执行中")
        CLOSED = "closed", _("已结束")
        CANCELLED = "cancelled", _("已终止")

    code = models.CharField(_("批次编号"), max_length=40, unique=True)
    name = models.CharField(_("批次名称"), max_length=200)
    level = models.CharField(_("采购层级"), max_length=20, choices=Level.choices, default=Level.REGIONAL)
    kind = models.CharField(_("采购类别"), max_length=20, choices=Kind.choices, default=Kind.DRUGS)
    demand_start = models.DateTimeField(_("报量开始"))
    demand_end = models.DateTimeField(_("报量截止"))
    bid_deadline = models.DateTimeField(_("申报截止"))
    opening_at = models.DateTimeField(_("开标时间"))
    cycle_start = models.DateField(_("采购周期开始"))
    cycle_end = models.DateField(_("采购周期结束"))
    rules = models.JSONField(_("中选规则"), default=dict, blank=True)
    origin = models.CharField(_("来源"), max_length=20, choices=Origin.choices, default=Origin.OWN)
    # What the origin records: the files of imported results; the follow-on's cap rule and former winners.
    origin_detail = models.JSONField(_("来源说明"), default=dict, blank=True)
    follows = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ons",
        verbose_name=_("接续的批次"),
    )
    # Changed only through the transitions below, called by procurement.services.tenders (not protected, so
    # rows can be refreshed from the database inside a locked transaction).
    status = StatusField(_("状态"), max_length=30, choices=Status.choices, default=Status.DRAFT)
    cancel_reason = models.TextField(_("终止原因"), blank=True)
    # The tender's bid-sealing key, itself encrypted with the platform's BID_SEALING_KEY (see procurement.sealing).
    sealing_key = models.TextField(_("封存密钥"), blank=True, editable=False)
    opened_at = models.DateTimeField(_("实际开标时间"), null=True, blank=True)
    awarded_at = models.DateTimeField(_("公布中选时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["sealing_key"])

    class Meta:
        verbose_name = _("带量采购批次")
        verbose_name_plural = _("带量采购批次")
        ordering = ["-demand_start", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(demand_end__gt=models.F("demand_start")), name="tender_demand_window"),
            models.CheckConstraint(
                condition=Q(bid_deadline__gte=models.F("demand_end")), name="tender_deadline_after_demand"
            ),
            models.CheckConstraint(
                condition=Q(opening_at__gte=models.F("bid_deadline")), name="tender_opening_after_deadline"
            ),
            models.CheckConstraint(condition=Q(cycle_end__gt=models.F("cycle_start")), name="tender_cycle_order"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @transition(field=status, source=Status.DRAFT, target=Status.DEMAND_COLLECTION)
    def start_demand_collection(self) -> None:
        pass

    @transition(field=status, source=Status.DEMAND_COLLECTION, target=Status.BIDDING)
    def start_bidding(self) -> None:
        pass

    @transition(field=status, source=Status.BIDDING, target=Status.OPENED)
    def open_bids(self) -> None:
        pass

    @transition(field=status, source=Status.OPENED, target=Status.AWARDED)
    def publish_awards(self) -> None:
        pass

    @transition(field=status, source=Status.DEMAND_COLLECTION, target=Status.AWARDED)
    def confirm_imported_results(self) -> None:
        """An imported national or alliance batch: its results came with the file; the province's agreed volumes
        are set from the demand reported in the window (procurement.services.batch_results)."""

    @transition(field=status, source=Status.AWARDED, target=Status.EXECUTING)
    def start_execution(self) -> None:
        pass

    @transition(field=status, source=Status.EXECUTING, target=Status.CLOSED)
    def close(self) -> None:
        pass

    @transition(
        field=status,
        source=[Status.DRAFT, Status.DEMAND_COLLECTION, Status.BIDDING, Status.OPENED],
        target=Status.CANCELLED,
    )
    def cancel(self) -> None:
        pass

    @property
    def bids_open(self) -> bool:
        """Sealed prices become readable only once the tender has been opened."""
        return self.status in (self.Status.OPENED, self.Status.AWARDED, self.Status.EXECUTING, self.Status.CLOSED)

    def accepting_bids(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.BIDDING and now < self.bid_deadline


class Lot(models.Model):
    """品种/采购组: what is bid on — a generic name and dosage-form group (drugs) or a consumable class."""

    class Quality(models.TextChoices):
        NONE = "", _("无特别要求")
        CONSISTENCY = "consistency", _("通过一致性评价（或原研/参比制剂）")
        NATIONAL_STANDARD = "standard", _("符合国家标准")

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="lots", verbose_name=_("批次"))
    number = models.CharField(_("品种编号"), max_length=20)
    generic_name = models.CharField(_("通用名/耗材类别"), max_length=200)
    dosage_form_group = models.CharField(_("剂型组"), max_length=100, blank=True)
    dosage_forms = models.JSONField(_("包含剂型"), default=list, blank=True, help_text=_("属于本剂型组的剂型名称"))
    reference_specification = models.CharField(_("参比规格"), max_length=100, blank=True)
    reference_strength = models.DecimalField(_("参比含量"), max_digits=14, decimal_places=4, null=True, blank=True)
    strength_unit = models.CharField(_("含量单位"), max_length=10, blank=True)
    comparison_unit = models.CharField(_("计价单位"), max_length=20, default="片")
    max_price = models.DecimalField(
        _("最高有效申报价"),
        max_digits=14,
        decimal_places=4,
        validators=[MinValueValidator(0)],
        help_text=_("每计价单位（参比规格的最小制剂单位）"),
    )
    quality_requirement = models.CharField(_("质量要求"), max_length=20, choices=Quality.choices, blank=True)
    consumable_class = models.CharField(_("耗材类别"), max_length=100, blank=True)
    price_ratio_per_doubling = models.DecimalField(
        _("含量差比价系数"),
        max_digits=6,
        decimal_places=4,
        default="1.7000",
        help_text=_("含量加倍时价格之比（差比价规则：1.7）"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("品种")
        verbose_name_plural = _("品种")
        ordering = ["tender", "number"]
        constraints = [models.UniqueConstraint(fields=["tender", "number"], name="lot_number_unique_in_tender")]

    def __str__(self) -> str:
        form = f" {self.dosage_form_group}" if self.dosage_form_group else ""
        return f"{self.number} {self.generic_name}{form}"


class DemandReport(models.Model):
    """报量: a hospital's annual volume for a lot, in comparison units, optionally naming a product."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="demands", verbose_name=_("批次"))
    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="demands", verbose_name=_("品种"))
    hospital = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="demand_reports", verbose_name=_("医疗机构")
    )
    annual_volume = models.PositiveBigIntegerField(_("年度需求量"))
    named_product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("指定产品"),
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("填报人"),
    )
    reported_at = models.DateTimeField(_("填报时间"), auto_now=True)
    # The history is read per report (by id) and by date and user; indexes copied from the foreign keys would only slow
    # down writing it (a demand import writes one history row per report, hundreds of thousands per tender).
    history = HistoricalRecords(no_db_index=["tender", "lot", "hospital", "named_product", "reported_by"])

    class Meta:
        verbose_name = _("需求报量")
        verbose_name_plural = _("需求报量")
        constraints = [models.UniqueConstraint(fields=["lot", "hospital"], name="demand_one_per_hospital_lot")]

    def __str__(self) -> str:
        return f"{self.hospital} · {self.lot}: {self.annual_volume}"


class Bid(models.Model):
    """申报: a manufacturer's sealed price for a lot. The price is encrypted until the tender is opened."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已申报")
        REPLACED = "replaced", _("已替换")
        WITHDRAWN = "withdrawn", _("已撤回")
        VALID = "valid", _("有效")
        INVALID = "invalid", _("无效")
        SELECTED = "selected", _("拟中选")
        NOT_SELECTED = "not_selected", _("未中选")

    LIVE_STATUSES = (Status.SUBMITTED,)

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="bids", verbose_name=_("批次"))
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="bids", verbose_name=_("品种"))
    manufacturer = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="bids", verbose_name=_("申报企业")
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="bids", verbose_name=_("申报产品")
    )
    sealed_price = models.TextField(_("密封报价"), editable=False)
    seal_hash = models.CharField(_("申报摘要 SHA-256"), max_length=64, editable=False)
    price = models.DecimalField(
        _("申报单价"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        editable=False,
        help_text=_("每最小制剂单位；开标后解密写入"),
    )
    comparison_price = models.DecimalField(
        _("单位可比价"), max_digits=14, decimal_places=4, null=True, blank=True, editable=False
    )
    supply_capacity = models.PositiveBigIntegerField(_("供应能力"), help_text=_("采购周期内可供应的最小制剂单位数"))
    # Set in bulk at opening and evaluation by procurement.services.tenders.
    status = StatusField(_("状态"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    invalid_reason = models.CharField(_("无效原因"), max_length=300, blank=True)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("替换的申报"),
    )
    submitted_at = models.DateTimeField(_("申报时间"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申报人")
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    # The history is read per bid (by id) and by date and user; indexes copied from the foreign keys would only slow
    # down writing it (opening and evaluation write one history row per bid of the tender).
    history = HistoricalRecords(
        excluded_fields=["sealed_price"],
        no_db_index=["tender", "lot", "manufacturer", "product", "replaces", "submitted_by"],
    )

    class Meta:
        verbose_name = _("申报")
        verbose_name_plural = _("申报")
        ordering = ["lot", "submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lot", "manufacturer"],
                condition=Q(status="submitted"),
                name="bid_one_live_per_manufacturer_lot",
            ),
            models.CheckConstraint(condition=Q(price__isnull=True) | Q(price__gt=0), name="bid_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.lot} · {self.manufacturer}"


class TenderEvaluation(models.Model):
    """One run of the selection rules over an opened tender: inputs and outputs kept side by side."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("批次"))
    run_no = models.PositiveIntegerField(_("评审轮次"))
    rules = models.JSONField(_("规则"))
    inputs = models.JSONField(_("输入"))
    outputs = models.JSONField(_("结果"))
    is_current = models.BooleanField(_("当前结果"), default=True)
    reason = models.TextField(_("重新评审原因"), blank=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("评审人")
    )
    run_at = models.DateTimeField(_("评审时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评审记录")
        verbose_name_plural = _("评审记录")
        ordering = ["tender", "-run_no"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "run_no"], name="evaluation_run_unique"),
            models.UniqueConstraint(fields=["tender"], condition=Q(is_current=True), name="evaluation_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.tender.code} 第 {self.run_no} 轮评审"


class Award(models.Model):
    """中选: a selected bid, with its rank and awarded unit price."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="awards", verbose_name=_("批次"))
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="awards", verbose_name=_("品种"))
    bid = models.OneToOneField(Bid, on_delete=models.PROTECT, related_name="award", verbose_name=_("申报"))
    manufacturer = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="awards", verbose_name=_("中选企业")
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="awards", verbose_name=_("中选产品")
    )
    rank = models.PositiveSmallIntegerField(_("中选顺位"))
    awarded_price = models.DecimalField(_("中选价（每最小制剂单位）"), max_digits=14, decimal_places=4)
    comparison_price = models.DecimalField(_("单位可比价"), max_digits=14, decimal_places=4)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("中选结果")
        verbose_name_plural = _("中选结果")
        ordering = ["lot", "rank"]
        constraints = [models.UniqueConstraint(fields=["lot", "rank"], name="award_rank_unique")]

    def __str__(self) -> str:
        return f"{self.lot} #{self.rank} {self.manufacturer}"


class Commitment(models.Model):
    """约定采购量: hospital × lot × awarded product, the agreed volume for the purchase cycle."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("批次"))
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("品种"))
    hospital = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="commitments", verbose_name=_("医疗机构")
    )
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("中选结果"))
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="commitments", verbose_name=_("中选产品")
    )
    manufacturer = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="supply_commitments", verbose_name=_("供应企业")
    )
    reported_volume = models.PositiveBigIntegerField(_("报量"))
    agreed_volume = models.PositiveBigIntegerField(_("约定采购量"), help_text=_("最小制剂单位"))
    agreed_amount = models.DecimalField(_("约定采购金额"), max_digits=16, decimal_places=2)
    cycle_start = models.DateField(_("周期开始"))
    cycle_end = models.DateField(_("周期结束"))
    reason = models.CharField(_("分配说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("约定采购量")
        verbose_name_plural = _("约定采购量")
        ordering = ["tender", "lot", "hospital"]
        constraints = [models.UniqueConstraint(fields=["lot", "hospital"], name="commitment_one_per_hospital_lot")]
        indexes = [models.Index(fields=["hospital", "product"])]

    def __str__(self) -> str:
        return f"{self.hospital} · {self.lot}"
