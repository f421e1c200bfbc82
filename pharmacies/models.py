"""双通道 designated pharmacies (seed 004: “双通道”管理机制).

A pooling region's medical-insurance bureau designates retail pharmacies (定点零售药店) that supply national
negotiated drugs (谈判药) to insured patients with the same reimbursement as in hospitals (the "dual channel":
hospital and pharmacy). A designation names the pharmacy, the pooling region, the negotiated drugs it serves (or all of
them), its validity and the official who made it; revoking it keeps the row with the reason. docs/pharmacies.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class DualChannelPharmacy(models.Model):
    """双通道定点药店: one designation of a pharmacy by a pooling region's bureau."""

    pharmacy = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="dual_channel_designations",
        verbose_name=_("定点零售药店"),
        limit_choices_to={"kind": "pharmacy"},
    )
    region = models.ForeignKey(
        "accounts.Region",
        on_delete=models.PROTECT,
        related_name="dual_channel_pharmacies",
        verbose_name=_("统筹区"),
        limit_choices_to={"level": "league_city"},
    )
    all_negotiated = models.BooleanField(_("供应全部谈判药"), default=False)
    products = models.ManyToManyField(
        "catalog.Product",
        blank=True,
        related_name="dual_channel_pharmacies",
        verbose_name=_("供应的谈判药"),
        help_text=_("供应全部谈判药时留空"),
    )
    valid_from = models.DateField(_("有效期起"))
    valid_to = models.DateField(_("有效期止"), null=True, blank=True)
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("认定人")
    )
    designated_at = models.DateTimeField(_("认定时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("撤销人"),
    )
    revoke_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("双通道定点药店")
        verbose_name_plural = _("双通道定点药店")
        ordering = ["region__sort_order", "pharmacy__name", "-valid_from"]
        indexes = [models.Index(fields=["region", "valid_from"], name="dualchannel_region_from")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name="dualchannel_validity"
            ),
            models.UniqueConstraint(fields=["pharmacy", "region", "valid_from"], name="dualchannel_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.pharmacy} · {self.region}"
