"""挂网申报 / 调价 / 撤网: a manufacturer's request about a listing, reviewed by a pricing official.

new — list a product at a pack price, with the price basis (other provinces' listed prices, the national lowest),
the distributors it authorises and its documents; price_change — a new price for a listing; delist — withdraw a
listing. draft → submitted → approved | returned (with reasons; edited and submitted again) | refused. Approval
creates the listing and the distribution authorisations, changes its price or withdraws it
(procurement.services.applications).
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


class ListingApplication(models.Model):
    # what the object's history calls each step (the audit events store the code; common.labels)
    EVENT_LABELS = {
        "created": pgettext_lazy("申请操作", "创建申请"),
        "edited": pgettext_lazy("申请操作", "修改申请"),
        "document_added": pgettext_lazy("申请操作", "上传材料"),
        "submitted": pgettext_lazy("申请操作", "提交审核"),
        "approved": pgettext_lazy("申请操作", "审核通过"),
        "returned": pgettext_lazy("申请操作", "退回修改"),
        "refused": pgettext_lazy("申请操作", "不予通过"),
    }

    class Kind(models.TextChoices):
        NEW = "new", _("挂网申报")
        PRICE_CHANGE = "price_change", _("调价申请")
        DELIST = "delist", _("撤网申请")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已通过")
        REFUSED = "refused", _("不予通过")

    kind = models.CharField(_("申请类型"), max_length=20, choices=Kind.choices, default=Kind.NEW)
    manufacturer = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="listing_applications",
        verbose_name=_("生产企业"),
    )
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("产品"))
    # The listing a price change or delisting is about; for a new listing, the listing its approval created.
    listing = models.ForeignKey(
        "procurement.Listing",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("挂网产品"),
    )
    pack_price = models.DecimalField(_("申报价（每包装）"), max_digits=16, decimal_places=2, null=True, blank=True)
    unit_price = models.DecimalField(
        _("申报价（每最小制剂单位）"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    valid_from = models.DateField(_("有效期起"))
    valid_to = models.DateField(_("有效期止"), null=True, blank=True)
    evidence = models.TextField(_("价格依据说明"), blank=True, help_text=_("如其他省份挂网价、全国最低价来源"))
    reason = models.TextField(_("申请理由"), blank=True, help_text=_("调价、撤网的理由"))
    # The price basis as seen at submission (per minimum unit): {"other_provinces": [{province, unit_price, on}],
    # "lowest_other_province", "national_lowest", "ceiling", "linkage"} — kept, so the review sees what was applied
    # against even after new prices are imported.
    basis = models.JSONField(_("价格依据"), default=dict, blank=True)
    ceiling = models.DecimalField(
        _("联动上限（每最小制剂单位）"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    above_ceiling = models.BooleanField(_("高于联动上限"), default=False)
    justification = models.TextField(_("超出联动上限的说明"), blank=True)
    distributors = models.ManyToManyField(
        "accounts.Organization",
        blank=True,
        related_name="+",
        verbose_name=_("授权配送企业"),
        limit_choices_to={"kind": "distributor"},
    )
    regions = models.ManyToManyField("accounts.Region", blank=True, related_name="+", verbose_name=_("配送区域"))
    status = StatusField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    review_note = models.CharField(_("审核意见"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED)
    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

    class Meta:
        verbose_name = _("挂网申请")
        verbose_name_plural = _("挂网申请")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "kind"]), models.Index(fields=["manufacturer", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_price__isnull=True) | Q(unit_price__gt=0), name="listing_application_price_positive"
            ),
            models.CheckConstraint(
                condition=Q(kind="delist") | Q(status="draft") | Q(unit_price__isnull=False),
                name="listing_application_priced",
            ),
            models.CheckConstraint(
                condition=Q(kind="new") | Q(listing__isnull=False), name="listing_application_change_has_listing"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.product}"

    @transition(field=status, source=[Status.DRAFT, Status.RETURNED], target=Status.SUBMITTED)
    def submit(self) -> None:
        pass

    @transition(field=status, source=Status.SUBMITTED, target=Status.APPROVED)
    def approve(self) -> None:
        pass

    @transition(field=status, source=Status.SUBMITTED, target=Status.RETURNED)
    def return_for_changes(self) -> None:
        pass

    @transition(field=status, source=Status.SUBMITTED, target=Status.REFUSED)
    def refuse(self) -> None:
        pass


class ListingApplicationDocument(models.Model):
    """An attachment of an application: price basis evidence, authorisation letters, the registration certificate."""

    application = models.ForeignKey(
        ListingApplication, on_delete=models.CASCADE, related_name="documents", verbose_name=_("挂网申请")
    )
    title = models.CharField(_("文件名称"), max_length=200)
    file = models.FileField(_("文件"), upload_to="listing_applications/%Y/%m/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("挂网申请附件")
        verbose_name_plural = _("挂网申请附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title
