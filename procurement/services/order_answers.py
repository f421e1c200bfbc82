"""The distributor's answer to a submitted order (接单 / 拒绝): accepted whole or with shortages (缺货) — lines, or
packs of lines, it cannot supply, each with a reason — or rejected with a reason. `procurement.services.orders`
re-exports both services."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, gettext_noop, pgettext

from common.messages import Message
from common.notifications import notify
from common.numbers import parse_id

from ..errors import OrderError, ValidationFailed
from ..models import PurchaseOrder, PurchaseOrderLine
from .order_steps import (
    check_version,
    lock_order,
    move,
    parse_count,
    reason_text,
    remarks_text,
    require_distributor_user,
    require_reason,
    require_state,
)

S = PurchaseOrder.Status


def _respond(order: PurchaseOrder, by, now: datetime) -> None:
    order.responded_at, order.responded_by = now, by
    order.response_overdue = order.response_overdue or (
        order.response_due_at is not None and now > order.response_due_at
    )


def _parse_shortages(order: PurchaseOrder, shortages) -> dict[PurchaseOrderLine, tuple[int, str]]:
    """{order line: (packs short, reason)} from `{line id: {"packs": n (default: the whole line), "reason": …}}`: lines
    of this order, 1 to the line's packs, each with a reason; not every pack of the order (that is a rejection)."""
    if not shortages:
        return {}
    if not isinstance(shortages, dict):
        raise ValidationFailed(gettext("缺货明细格式错误"), field="shortages", code=OrderError.LINE_MALFORMED)
    lines = {line.pk: line for line in order.lines.select_for_update().order_by("pk")}
    parsed = {}
    for key, item in shortages.items():
        line_id = parse_id(key, field="shortages", label=gettext_lazy("订单明细编号"))
        field = f"shortages.{line_id}"
        line = lines.get(line_id)
        if line is None:
            raise ValidationFailed(
                gettext("订单明细 %(line_id)s 不属于订单 %(number)s") % {"line_id": line_id, "number": order.number},
                field=field,
                code=OrderError.ORDER_LINE_NOT_IN_ORDER,
            )
        item = item if isinstance(item, dict) else {"reason": item}
        raw = item.get("packs")
        packs = (
            line.packs
            if raw in (None, "")
            else parse_count(raw, field=f"{field}.packs", label=gettext_lazy("缺货数量"))
        )
        if packs > line.packs:
            raise ValidationFailed(
                gettext("缺货数量 %(n)s 超过第 %(line)s 行的订购数量 %(packs)s")
                % {"n": packs, "line": line.line_no, "packs": line.packs},
                field=f"{field}.packs",
                code=OrderError.SHORTAGE_OVER_LINE,
            )
        reason = reason_text(str(item.get("reason") or "").strip(), field=f"{field}.reason")
        if not reason:
            raise ValidationFailed(
                gettext("请填写第 %(line)s 行的缺货原因") % {"line": line.line_no},
                field=f"{field}.reason",
                code=OrderError.SHORTAGE_REASON_REQUIRED,
            )
        parsed[line] = (packs, reason)
    if sum(p for p, _r in parsed.values()) >= sum(line.packs for line in lines.values()):
        raise ValidationFailed(
            gettext("全部明细缺货，无可配送：请拒绝订单并填写原因"),
            field="shortages",
            code=OrderError.ALL_LINES_SHORT,
        )
    return parsed


@transaction.atomic
def order_accept(*, order: PurchaseOrder, by, remarks: str = "", shortages=None, version=None) -> PurchaseOrder:
    """接单, whole or with shortages (缺货): lines, or packs of lines, the distributor cannot supply, each with a reason;
    they are never shipped, the hospital sees them and the reason and may order them elsewhere."""
    order = lock_order(order)
    require_distributor_user(order, by)
    check_version(order, version)
    require_state(order, (S.SUBMITTED,), pgettext("订单操作", "接单"))
    short = _parse_shortages(order, shortages)
    _respond(order, by, timezone.now())
    if remarks:
        order.distributor_remarks = remarks_text(remarks)
    for line, (packs, reason) in short.items():
        PurchaseOrderLine.objects.filter(pk=line.pk).update(packs_short=packs, short_reason=reason)
    move(
        order,
        S.ACCEPTED,
        by=by,
        reason=remarks,
        fields=["responded_at", "responded_by", "response_overdue", "distributor_remarks"],
        data={"shortages": {str(line.line_no): {"packs": p, "reason": r} for line, (p, r) in short.items()}}
        if short
        else None,
    )
    if short:
        notify(
            order.hospital_id,
            "order_shortage",
            Message(gettext_noop("订单 %(number)s 部分缺货"), {"number": order.number}),
            body=Message(
                "%(lines)s",
                {
                    "lines": [
                        Message(
                            gettext_noop("第 %(line)s 行 %(product)s：缺货 %(packs)s 包装（%(reason)s）"),
                            {"line": line.line_no, "product": line.product, "packs": p, "reason": r},
                        )
                        for line, (p, r) in short.items()
                    ]
                },
            ),
            link=reverse("orders:detail", args=[order.pk]),
        )
    return order


@transaction.atomic
def order_reject(*, order: PurchaseOrder, by, reason: str, version=None) -> PurchaseOrder:
    order = lock_order(order)
    require_distributor_user(order, by)
    reason = require_reason(reason, gettext("拒绝订单必须填写原因"))
    check_version(order, version)
    require_state(order, (S.SUBMITTED,), pgettext("订单操作", "拒绝"))
    _respond(order, by, timezone.now())
    order.reject_reason = reason_text(reason)
    move(
        order,
        S.REJECTED,
        by=by,
        reason=reason,
        fields=["responded_at", "responded_by", "reject_reason", "response_overdue"],
    )
    return order
