"""Writes of qualifications: a company records a licence or certificate (a renewal is a new row), and the expiry
watch warns holders ahead of expiry. Suspending the listings whose licence lapsed is procurement's part of the watch
(procurement.services.listing_qualifications), since listings are procurement's."""

from __future__ import annotations

import os
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.permissions import require
from catalog.models import Product
from common import rules
from common.errors import PermissionDeniedError, ValidationFailed
from common.messages import Message
from common.models import record_event
from common.notifications import notify
from common.text import check_text

from .errors import QualificationError
from .models import Qualification
from .selectors import KINDS_BY_ORGANIZATION, expiring

DOCUMENT_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")


def check_document(document, *, field: str = "document") -> None:
    """A scanned document: PDF or image, at most QUALIFICATION_DOCUMENT_MAX_BYTES."""
    if not document:
        return
    limit = rules.listings().document_max_bytes
    if (getattr(document, "size", 0) or 0) > limit:
        raise ValidationFailed(
            _("文件不能超过 %(mb)s MB") % {"mb": limit // (1024 * 1024)},
            field=field,
            code=QualificationError.DOCUMENT_TOO_LARGE,
        )
    if os.path.splitext(getattr(document, "name", "") or "")[1].lower() not in DOCUMENT_EXTENSIONS:
        raise ValidationFailed(_("只能上传 PDF、JPG 或 PNG 文件"), field=field, code=QualificationError.DOCUMENT_TYPE)


def _check_kind(by, kind: str, product: Product | None) -> None:
    allowed = KINDS_BY_ORGANIZATION.get(by.organization.kind, ())
    if kind not in allowed:
        raise ValidationFailed(
            _("本机构不能登记此类证照"), field="kind", code=QualificationError.KIND_NOT_FOR_ORGANIZATION
        )
    if kind in Qualification.PRODUCT_KINDS:
        if product is None:
            raise ValidationFailed(
                _("注册证、批准文号请选择对应产品"), field="product", code=QualificationError.PRODUCT_REQUIRED
            )
        if product.manufacturer_id != by.organization_id:
            raise PermissionDeniedError(_("只能为本企业的产品登记注册证"), code=QualificationError.PRODUCT_REQUIRED)


@transaction.atomic
def qualification_add(
    *,
    by,
    kind: str,
    number: str,
    valid_from: date,
    valid_to: date | None = None,
    scope: str = "",
    issuer: str = "",
    product: Product | None = None,
    document=None,
) -> Qualification:
    """A company records one of its licences, or a registration certificate of one of its products."""
    require(by, "qualification.manage")
    _check_kind(by, kind, product)
    number = check_text(number or "", field="number", max_length=100).strip()
    if not number:
        raise ValidationFailed(_("请填写证照编号"), field="number", code=QualificationError.NUMBER_REQUIRED)
    if valid_to is not None and valid_to < valid_from:
        raise ValidationFailed(
            _("有效期至不能早于有效期起"), field="valid_to", code=QualificationError.VALIDITY_REVERSED
        )
    check_document(document)
    row = Qualification(
        organization_id=by.organization_id,
        product=product if kind in Qualification.PRODUCT_KINDS else None,
        kind=kind,
        number=number,
        scope=check_text(scope or "", field="scope", max_length=500),
        issuer=check_text(issuer or "", field="issuer", max_length=200),
        valid_from=valid_from,
        valid_to=valid_to,
        created_by=by,
    )
    if document:
        row.document = document
    row.save()
    record_event(row, "added", by=by, data={"kind": kind, "number": number, "valid_to": str(valid_to or "")})
    return row


def _threshold(days_left: int, thresholds: tuple[int, ...]) -> int | None:
    """The smallest warning threshold the days left have reached (7 when 5 days are left), or None."""
    reached = [t for t in thresholds if days_left <= t]
    return min(reached) if reached else None


@transaction.atomic
def qualification_expiry_warnings(*, today: date | None = None) -> int:
    """Warn each holder 60 / 30 / 7 days (QUALIFICATION_WARNING_DAYS) before a qualification ends, unless a renewal
    is recorded. One notification per qualification and threshold, ever: a rerun, or a missed day, sends nothing
    twice (the notification's topic). Returns the number of notifications written."""
    today = today or timezone.localdate()
    thresholds = rules.listings().warning_days
    if not thresholds:
        return 0
    sent = 0
    for row in expiring(on=today, within_days=max(thresholds)):
        days_left = (row.valid_to - today).days
        threshold = _threshold(days_left, thresholds)
        if threshold is None:
            continue
        subject = Message(
            gettext_noop("%(kind)s %(number)s（%(product)s）")
            if row.product_id
            else gettext_noop("%(kind)s %(number)s"),
            {
                "kind": Message.label(row.Kind(row.kind).label),
                "number": row.number,
                "product": row.product.generic_name if row.product_id else "",
            },
        )
        note = notify(
            row.organization_id,
            "qualification_expiry",
            Message(
                gettext_noop("%(subject)s 将于 %(date)s 到期（剩余 %(days)s 天）"),
                {"subject": subject, "date": f"{row.valid_to:%Y-%m-%d}", "days": days_left},
            ),
            body=Message(gettext_noop("请及时办理换发并上传新的证照；证照过期后相关产品将暂停挂网。")),
            link="/qualifications/",
            topic=f"qualification:{row.pk}:{threshold}",
            level="warning",
        )
        sent += note is not None
    return sent
