"""Traceability codes (追溯码 / UDI): one identity row per code (`TraceCode`), one row per time a delivery carried it
(`DeliveryCode`, with the case → pack tree and the hospital's receipt), the insurance platform's dispensing and
settlement records (`DispensingRecord`), and the flags raised from them (`TraceFlag`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ProductIdentifier(models.Model):
    """What code prefix identifies a product: the 7-digit 药品标识码 of 20-digit codes, or a GS1 GTIN (UDI-DI). A code
    whose identifier is registered to another product than its delivery line's is flagged (wrong product)."""

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="trace_identifiers", verbose_name=_("产品")
    )
    identifier = models.CharField(_("产品标识"), max_length=14, unique=True, help_text=_("7位药品标识码或14位GTIN"))

    class Meta:
        verbose_name = _("产品追溯标识")
        verbose_name_plural = _("产品追溯标识")

    def __str__(self) -> str:
        return f"{self.identifier} → {self.product_id}"


class TraceCode(models.Model):
    """药品追溯码 / UDI: one row per distinct code. Serialised codes identify one pack (or case); lot-level UDI
    (GTIN + lot, no serial) identify a batch and may legitimately arrive many times."""

    class Kind(models.TextChoices):
        DRUG20 = "drug20", _("20位药品追溯码")
        GS1 = "gs1", _("GS1条码/UDI")
        COMPANY = "company", _("企业自有码")

    code = models.CharField(_("追溯码"), max_length=100, unique=True)
    kind = models.CharField(_("码制"), max_length=10, choices=Kind.choices)
    identifier = models.CharField(_("产品标识"), max_length=14, blank=True)
    serialised = models.BooleanField(_("单品序列化"), default=True)
    lot = models.CharField(_("批号"), max_length=20, blank=True)
    serial = models.CharField(_("序列号"), max_length=20, blank=True)
    expiry = models.DateField(_("有效期至"), null=True, blank=True)
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("产品（首次配送）")
    )
    created_at = models.DateTimeField(_("首次记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("追溯码")
        verbose_name_plural = _("追溯码")

    def __str__(self) -> str:
        return self.code


class DeliveryCode(models.Model):
    """One code carried by one delivery line: a pack, or a case / inner pack (箱码/中包码) whose children are its
    contents. Received when the hospital scanned it (or a case containing it)."""

    trace_code = models.ForeignKey(TraceCode, on_delete=models.PROTECT, related_name="deliveries")
    delivery = models.ForeignKey("procurement.Delivery", on_delete=models.PROTECT, related_name="+")
    delivery_line = models.ForeignKey("procurement.DeliveryLine", on_delete=models.PROTECT, related_name="+")
    hospital = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    is_pack = models.BooleanField(_("最小销售包装"), default=True, help_text=_("无下级码的码计为一个包装"))
    recorded_at = models.DateTimeField(_("上传时间"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    returned_at = models.DateTimeField(_("退货时间"), null=True, blank=True)
    goods_return = models.ForeignKey(
        "procurement.GoodsReturn",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("退货单"),
        help_text=_("按码退货时的采购退货单"),
    )

    class Meta:
        verbose_name = _("配送追溯码")
        verbose_name_plural = _("配送追溯码")
        constraints = [models.UniqueConstraint(fields=["delivery", "trace_code"], name="deliverycode_once")]
        indexes = [
            models.Index(fields=["trace_code", "received_at"], name="deliverycode_code_recv"),
            models.Index(fields=["hospital", "product"], name="deliverycode_hosp_prod"),
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} · {self.trace_code_id}"


class DispensingImport(models.Model):
    """One file of the insurance information platform: codes dispensed or settled (code, organisation, date)."""

    file_name = models.CharField(_("文件名"), max_length=200)
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rows = models.PositiveIntegerField(_("行数"), default=0)
    flagged = models.PositiveIntegerField(_("标记数"), default=0)

    class Meta:
        verbose_name = _("追溯码使用导入")
        verbose_name_plural = _("追溯码使用导入")

    def __str__(self) -> str:
        return self.file_name


class DispensingRecord(models.Model):
    """A code dispensed or settled (发药/结算) at a hospital or pharmacy, as the insurance platform reported it."""

    source = models.ForeignKey(DispensingImport, on_delete=models.CASCADE, related_name="records")
    code = models.CharField(_("追溯码"), max_length=100, db_index=True)
    trace_code = models.ForeignKey(TraceCode, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    dispensed_on = models.DateField(_("发药/结算日期"))

    class Meta:
        verbose_name = _("追溯码使用记录")
        verbose_name_plural = _("追溯码使用记录")
        indexes = [models.Index(fields=["organization", "trace_code"], name="dispensing_org_code")]

    def __str__(self) -> str:
        return f"{self.code} @ {self.organization_id} {self.dispensed_on}"


class TraceFlag(models.Model):
    """A finding on traceability codes for officials: each kind is raised once per code (or delivery)."""

    class Kind(models.TextChoices):
        DUPLICATE_RECEIPT = "duplicate_receipt", _("同一追溯码重复验收")
        RESOLD = "resold", _("追溯码重复发药/结算（疑似回流药）")
        WRONG_PRODUCT = "wrong_product", _("追溯码与产品不符")
        COUNT_MISMATCH = "count_mismatch", _("追溯码数量与配送包装数不符")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    trace_code = models.ForeignKey(TraceCode, on_delete=models.PROTECT, null=True, blank=True, related_name="flags")
    delivery = models.ForeignKey(
        "procurement.Delivery", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    hospital = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, null=True, related_name="+")
    # the parameters of the finding (counts, the other hospital, the product expected), rendered in the reader's language
    data = models.JSONField(_("详情"), default=dict)
    raised_at = models.DateTimeField(_("发现时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("追溯码异常")
        verbose_name_plural = _("追溯码异常")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "trace_code", "delivery"], nulls_distinct=False, name="traceflag_once"
            ),
            models.CheckConstraint(
                condition=Q(trace_code__isnull=False) | Q(delivery__isnull=False), name="traceflag_subject"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.trace_code_id or self.delivery_id}"
