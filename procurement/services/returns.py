"""退货: after receipt, the hospital returns packs of received lines — per receipt line at most what was accepted and
not yet returned — with a reason. Return lines are denormalised as receipt lines are;
`procurement.hooks.return_committed` runs inside the transaction."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, pgettext

from common.money import quantize_amount

from .. import hooks
from ..errors import OrderError, ValidationFailed
from ..models import GoodsReturn, GoodsReturnLine, PurchaseOrder, PurchaseOrderLine, ReceiptLine
from .order_steps import (
    assign_number,
    check_version,
    line_ref,
    lock_order,
    parse_count,
    reason_text,
    record_event,
    require_hospital_user,
    require_lines,
    require_reason,
    require_state,
    short_text,
)

S = PurchaseOrder.Status


def _receipt_line_ids(lines) -> list[int]:
    return [
        line_ref(
            item,
            "receipt_line",
            ReceiptLine,
            message=gettext("退货明细格式错误"),
            field=f"lines[{i}]",
            label=gettext_lazy("验收明细编号"),
        )
        for i, item in enumerate(lines)
    ]


def _parse_return_lines(order: PurchaseOrder, lines, reason: str) -> list[tuple]:
    """(receipt line, packs, reason) per line, the receipt lines locked; packs within what is left to return."""
    ids = _receipt_line_ids(lines)
    receipt_lines = {
        rl.pk: rl
        for rl in ReceiptLine.objects.select_for_update().filter(pk__in=ids, receipt__order=order).order_by("pk")
    }
    returned = dict(
        GoodsReturnLine.objects.filter(receipt_line_id__in=ids)
        .values("receipt_line_id")
        .annotate(n=Sum("packs"))
        .values_list("receipt_line_id", "n")
    )
    parsed = []
    for i, (item, rl_id) in enumerate(zip(lines, ids, strict=True)):
        field = f"lines[{i}]"
        rl = receipt_lines.get(rl_id)
        if rl is None:
            raise ValidationFailed(
                gettext("验收明细 %(rl_id)s 不属于订单 %(number)s") % {"rl_id": rl_id, "number": order.number},
                field=f"{field}.receipt_line",
                code=OrderError.RECEIPT_LINE_NOT_IN_ORDER,
            )
        packs = parse_count(item.get("packs"), field=f"{field}.packs", label=gettext_lazy("退货数量"))
        available = rl.accepted_packs - returned.get(rl_id, 0)
        if packs > available:
            raise ValidationFailed(
                gettext("退货数量 %(packs)s 超过可退数量 %(available)s（已验收 %(accepted_packs)s）")
                % {"packs": packs, "available": available, "accepted_packs": rl.accepted_packs},
                field=f"{field}.packs",
                code=OrderError.RETURN_EXCEEDS_ACCEPTED,
            )
        returned[rl_id] = returned.get(rl_id, 0) + packs
        line_reason = short_text(
            str(item.get("reason") or reason).strip(), field=f"{field}.reason", label=gettext_lazy("退货原因")
        )
        parsed.append((rl, packs, line_reason))
    return parsed


def _return_line(goods_return: GoodsReturn, rl: ReceiptLine, packs: int, reason: str, returned_on) -> GoodsReturnLine:
    min_units = packs * (rl.accepted_min_units // rl.accepted_packs)
    return GoodsReturnLine(
        goods_return=goods_return,
        receipt_line=rl,
        order_line_id=rl.order_line_id,
        packs=packs,
        reason=reason,
        hospital_id=rl.hospital_id,
        distributor_id=rl.distributor_id,
        product_id=rl.product_id,
        manufacturer_id=rl.manufacturer_id,
        listing_id=rl.listing_id,
        award_id=rl.award_id,
        supply_class=rl.supply_class,
        returned_on=returned_on,
        min_units=min_units,
        unit_price=rl.unit_price,
        amount=quantize_amount(rl.unit_price * min_units),
    )


@transaction.atomic
def goods_return_create(*, order: PurchaseOrder, by, reason: str, lines, version=None) -> GoodsReturn:
    """退货 after receipt: packs per receipt line, at most what was accepted and not yet returned."""
    order = lock_order(order)
    require_hospital_user(order, by, "order.receive")
    check_version(order, version)
    require_state(order, (S.PARTIALLY_RECEIVED, S.RECEIVED, S.CLOSED), pgettext("订单操作", "退货（须先验收入库）"))
    reason = require_reason(reason, gettext("请填写退货原因"))
    require_lines(lines, gettext("退货单至少需要一行"))
    parsed = _parse_return_lines(order, lines, reason)
    now = timezone.now()
    goods_return = GoodsReturn.objects.create(
        order=order,
        hospital_id=order.hospital_id,
        distributor_id=order.distributor_id,
        reason=reason_text(reason),
        returned_at=now,
        returned_by=by,
    )
    assign_number(goods_return, "RT")
    rows = [_return_line(goods_return, rl, packs, why, timezone.localdate(now)) for rl, packs, why in parsed]
    GoodsReturnLine.objects.bulk_create(rows)
    for rl, packs, _ in parsed:
        PurchaseOrderLine.objects.filter(pk=rl.order_line_id).update(packs_returned=F("packs_returned") + packs)
    goods_return.amount = sum((r.amount for r in rows), Decimal("0.00"))
    goods_return.save(update_fields=["amount"])
    order.version += 1
    order.save(update_fields=["version", "updated_at"])
    record_event(
        order,
        "returned",
        by=by,
        reason=reason,
        data={"return": goods_return.number, "amount": str(goods_return.amount)},
    )
    hooks.return_committed(goods_return.pk)  # inside the transaction, as for receipts
    return goods_return
