"""Published OCDS releases, stored as published so that every later reading gives the same ids, dates and content."""

from __future__ import annotations

import json

from django.db import models
from django.utils.translation import gettext_lazy as _


class OcdsRelease(models.Model):
    """One OCDS release of a contracting process: the tender's framework process (hospital empty) or a hospital's
    call-off. Written by `ocds.services.releases_publish` when the process's content changed, never edited after."""

    ocid = models.CharField(_("开放合同过程编号"), max_length=200)
    sequence = models.PositiveIntegerField(_("序号"), help_text=_("同一过程的第几个发布"))
    release_id = models.CharField(_("发布编号"), max_length=250, unique=True)
    date = models.DateTimeField(_("发布时间"))
    tags = models.JSONField(_("发布标签"), default=list)
    stage = models.CharField(_("批次状态"), max_length=30, help_text=_("发布时带量采购批次的状态"))
    tender = models.ForeignKey(
        "procurement.Tender", on_delete=models.PROTECT, related_name="ocds_releases", verbose_name=_("批次")
    )
    hospital = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("医疗机构"),
        help_text=_("医疗机构的约定采购过程；为空时为批次本身（框架过程）"),
    )
    digest = models.CharField(_("内容摘要 SHA-256"), max_length=64, help_text=_("不含编号、时间和标签的内容摘要"))
    # The release as JSON text, kept as published (jsonb would reorder its keys): read with `release`.
    data = models.TextField(_("发布内容（JSON）"))

    class Meta:
        verbose_name = _("OCDS 发布")
        verbose_name_plural = _("OCDS 发布")
        ordering = ["date", "id"]
        constraints = [models.UniqueConstraint(fields=["ocid", "sequence"], name="ocds_release_sequence_unique")]
        indexes = [models.Index(fields=["date", "id"], name="ocds_release_date")]

    def __str__(self) -> str:
        return self.release_id

    @property
    def release(self) -> dict:
        return json.loads(self.data)
