"""资质证照: licences of an organisation (营业执照, 生产/经营许可证) and registration certificates of a product
(药品批准文号 / 医疗器械注册证), each with its number, scope, validity and a scanned document.

A renewal is a new row (the old one keeps its dates), so "valid on a day" is a question over rows:
`qualifications.selectors` answers it for one object and for sets.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Qualification(models.Model):
    class Kind(models.TextChoices):
        BUSINESS_LICENCE = "business_licence", _("营业执照")
        DRUG_MANUFACTURING = "drug_manufacturing", _("药品生产许可证")
        DEVICE_MANUFACTURING = "device_manufacturing", _("医疗器械生产许可证")
        DRUG_DISTRIBUTION = "drug_distribution", _("药品经营许可证")
        DEVICE_DISTRIBUTION = "device_distribution", _("医疗器械经营许可证")
        DRUG_APPROVAL = "drug_approval", _("药品注册证书（批准文号）")
        DEVICE_REGISTRATION = "device_registration", _("医疗器械注册证")

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="qualifications", verbose_name=_("持证机构")
    )
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="qualifications",
        verbose_name=_("产品"),
        help_text=_("注册证、批准文号填写对应产品"),
    )
    kind = models.CharField(_("证照类型"), max_length=30, choices=Kind.choices)
    number = models.CharField(_("证照编号"), max_length=100)
    scope = models.CharField(_("范围"), max_length=500, blank=True)
    issuer = models.CharField(_("发证机关"), max_length=200, blank=True)
    valid_from = models.DateField(_("有效期起"))
    valid_to = models.DateField(_("有效期至"), null=True, blank=True, help_text=_("长期有效留空"))
    document = models.FileField(_("证照文件"), upload_to="qualifications/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    #: Kinds held per product (the others are per organisation).
    PRODUCT_KINDS = (Kind.DRUG_APPROVAL, Kind.DEVICE_REGISTRATION)

    class Meta:
        verbose_name = _("资质证照")
        verbose_name_plural = _("资质证照")
        ordering = ["organization", "kind", "-valid_to", "-id"]
        indexes = [
            models.Index(fields=["organization", "kind", "valid_to"]),
            models.Index(fields=["product", "kind", "valid_to"]),
            models.Index(fields=["valid_to"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="qualification_validity_order",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["drug_approval", "device_registration"], product__isnull=False)
                | (~Q(kind__in=["drug_approval", "device_registration"]) & Q(product__isnull=True)),
                name="qualification_product_iff_registration",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def is_valid_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)
