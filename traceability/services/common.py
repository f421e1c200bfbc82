"""Steps shared by the services: finding the delivery as the user may see it, input rows."""

from __future__ import annotations

from django.utils.translation import gettext

from accounts.permissions import can
from common.errors import NotFoundError, PermissionDeniedError, ValidationFailed
from common.numbers import parse_id
from procurement.models import Delivery

from ..errors import TraceError


def delivery_for(*, delivery_id, by, side: str, lock: bool = False) -> Delivery:
    """The delivery of the user's own organisation (distributor or hospital side), locked when asked; another
    organisation's delivery is not found (404)."""
    capability = "order.fulfil" if side == "distributor" else "order.receive"
    if not can(by, capability):
        raise PermissionDeniedError(gettext("您没有执行此操作的权限"))
    qs = Delivery.objects.select_for_update() if lock else Delivery.objects.all()
    scope = {"distributor_id": by.organization_id} if side == "distributor" else {"hospital_id": by.organization_id}
    try:
        return qs.get(pk=parse_id(delivery_id, field="delivery"), **scope)
    except (Delivery.DoesNotExist, ValidationFailed):
        raise NotFoundError(gettext("配送单不存在")) from None


def split_scanner_text(text: str) -> list[dict]:
    """Scanner input: one code per line; ``code,parent`` (or a tab) gives the parent case / inner pack."""
    rows = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        code, _, parent = line.replace("\t", ",").partition(",")
        rows.append({"code": code.strip(), "parent": parent.strip()})
    if not rows:
        raise ValidationFailed(gettext("请至少输入一个追溯码"), field="codes", code=TraceError.NO_CODES)
    return rows
