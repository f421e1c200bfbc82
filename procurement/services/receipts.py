"""入库验收: the hospital receives one delivery — quickly (every delivered pack accepted) or line by line with
accepted and rejected packs — once. Receipt lines carry the hospital, distributor, product, manufacturer, listing,
award, class, date, minimum units, frozen unit price and amount (what progress, price monitoring, direct settlement
and the online share count); `procurement.hooks.receipt_committed` runs inside the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from catalog.identity import product_identity
from common.errors import Refusals
from common.money import quantize_amount

from .. import hooks
from ..errors import ConflictError, OrderError, ValidationFailed
from ..models import Delivery, DeliveryLine, PurchaseOrder, PurchaseOrderLine, Receipt, ReceiptLine
from .order_steps import (
    check_version,
    derived_status,
    line_ref,
    lock_order,
    move,
    parse_count,
    require_hospital_user,
    require_lines,
    short_text,
    supply_class_of,
)

S = PurchaseOrder.Status


@dataclass
class ReceiptInput:
    delivery_line: DeliveryLine
    accepted: int
    rejected: int
    reason: str


def _receipt_line(receipt: Receipt, order: PurchaseOrder, item: ReceiptInput, received_on) -> ReceiptLine:
    ol = item.delivery_line.order_line
    min_units = item.accepted * ol.pack_size
    return ReceiptLine(
        receipt=receipt,
        delivery_line=item.delivery_line,
        order_line=ol,
        accepted_packs=item.accepted,
        rejected_packs=item.rejected,
        reject_reason=item.reason,
        hospital_id=order.hospital_id,
        distributor_id=order.distributor_id,
        product_id=ol.product_id,
        manufacturer_id=ol.manufacturer_id,
        listing_id=ol.listing_id,
        award_id=ol.award_id,
        supply_class=supply_class_of(ol.product),
        received_on=received_on,
        accepted_min_units=min_units,
        unit_price=ol.unit_price,
        amount=quantize_amount(ol.unit_price * min_units),
    )


@transaction.atomic
def receipt_create(*, delivery: Delivery, by, lines=None, remarks: str = "", version=None) -> Receipt:
    """入库验收 of one delivery. `lines=None` is the quick receipt (every delivered pack accepted); otherwise one
    entry per delivery line: accepted and rejected packs (their sum at most what was delivered) and a reason when
    anything is rejected or missing. A delivery is received once."""
    order = lock_order(delivery.order_id)
    require_hospital_user(order, by, "order.receive")
    check_version(order, version)
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.received:
        raise ConflictError(
            gettext("配送单 %(number)s 已验收，不能重复验收") % {"number": delivery.number},
            field="delivery",
            code=OrderError.DELIVERY_ALREADY_RECEIVED,
        )
    delivery_lines = {dl.pk: dl for dl in delivery.lines.select_related("order_line__product").order_by("pk")}
    inputs = parse_receipt_lines(delivery_lines, lines)
    now = timezone.now()
    receipt = Receipt.objects.create(
        delivery=delivery,
        order=order,
        hospital_id=order.hospital_id,
        distributor_id=order.distributor_id,
        received_at=now,
        received_by=by,
        remarks=short_text(remarks, field="remarks", label=gettext_lazy("备注")),
    )
    rows = [_receipt_line(receipt, order, item, timezone.localdate(now)) for item in inputs]
    ReceiptLine.objects.bulk_create(rows)
    for item in inputs:
        PurchaseOrderLine.objects.filter(pk=item.delivery_line.order_line_id).update(
            packs_accepted=F("packs_accepted") + item.accepted, packs_rejected=F("packs_rejected") + item.rejected
        )
    receipt.accepted_amount = sum((r.amount for r in rows), Decimal("0.00"))
    receipt.save(update_fields=["accepted_amount"])
    delivery.received = True
    delivery.save(update_fields=["received"])
    target = derived_status(order)
    fields = []
    if target == S.RECEIVED:
        order.received_at = now
        fields.append("received_at")
    move(
        order,
        target,
        by=by,
        action="receipt",
        fields=fields,
        data={
            "delivery": delivery.number,
            "accepted_amount": str(receipt.accepted_amount),
            "rejected_packs": sum(i.rejected for i in inputs),
            "short_packs": sum(i.delivery_line.packs - i.accepted - i.rejected for i in inputs),
        },
    )
    # Inside the transaction: the handlers' outbox messages commit with the receipt, so no crash can lose them.
    hooks.receipt_committed(receipt.pk)
    return receipt


def _parse_receipt_line(
    item, i: int, delivery_lines: dict[int, DeliveryLine], given: dict, found: Refusals
) -> ReceiptInput | None:
    """One line of a receipt; None when one of its inputs was refused (in `found`)."""
    field = f"lines[{i}]"
    dl_id = line_ref(
        item,
        "delivery_line",
        DeliveryLine,
        message=gettext("验收明细格式错误"),
        field=field,
        label=gettext_lazy("配送明细编号"),
    )
    dl = delivery_lines.get(dl_id)
    if dl is None:
        raise ValidationFailed(
            gettext("配送明细 %(dl_id)s 不属于该配送单") % {"dl_id": dl_id},
            field=f"{field}.delivery_line",
            code=OrderError.DELIVERY_LINE_NOT_IN_DELIVERY,
        )
    if dl_id in given:
        raise ValidationFailed(
            gettext("同一配送明细只能验收一次"), field=f"{field}.delivery_line", code=OrderError.DUPLICATE_LINE
        )
    # the line's inputs checked together: every wrong one is named at once (`found`)
    accepted = rejected = None
    reason = ""
    with found.check():
        accepted = parse_count(
            item.get("accepted_packs"), field=f"{field}.accepted_packs", label=gettext_lazy("验收数量"), allow_zero=True
        )
    with found.check():
        rejected = parse_count(
            item.get("rejected_packs", 0) or 0,
            field=f"{field}.rejected_packs",
            label=gettext_lazy("拒收数量"),
            allow_zero=True,
        )
    with found.check():
        reason = short_text(
            str(item.get("reject_reason") or "").strip(), field=f"{field}.reject_reason", label=gettext_lazy("拒收原因")
        )
    if accepted is None or rejected is None:
        return None
    with found.check():
        if accepted + rejected > dl.packs:
            raise ValidationFailed(
                gettext("%(generic_name)s：验收 %(accepted)s + 拒收 %(rejected)s 超过配送数量 %(packs)s")
                % {
                    # the product as the page names it, so that two lines of one name are told apart
                    "generic_name": product_identity(dl.order_line.product, maker=False),
                    "accepted": accepted,
                    "rejected": rejected,
                    "packs": dl.packs,
                },
                field=f"{field}.accepted_packs",
                code=OrderError.RECEIPT_EXCEEDS_DELIVERY,
            )
    with found.check():
        if (accepted + rejected < dl.packs or rejected) and not reason and not found.failed(f"{field}.reject_reason"):
            raise ValidationFailed(
                gettext("有拒收或短少时必须填写原因"), field=f"{field}.reject_reason", code=OrderError.REASON_REQUIRED
            )
    return ReceiptInput(dl, accepted, rejected, reason)


def parse_receipt_lines(delivery_lines: dict[int, DeliveryLine], lines) -> list[ReceiptInput]:
    """The receipt's lines in delivery-line order; None is the quick receipt (everything delivered accepted)."""
    if lines is None:
        return [ReceiptInput(dl, dl.packs, 0, "") for dl in delivery_lines.values()]
    require_lines(lines, gettext("请逐行填写验收数量"))
    given: dict[int, ReceiptInput] = {}
    found = Refusals()  # every line's wrong inputs, reported together, each on its own input
    for i, item in enumerate(lines):
        parsed = None
        with found.check():
            parsed = _parse_receipt_line(item, i, delivery_lines, given, found)
        if parsed is not None:
            given[parsed.delivery_line.pk] = parsed
    found.raise_any()
    missing = [dl for pk, dl in delivery_lines.items() if pk not in given]
    if missing:
        raise ValidationFailed(
            gettext("请为每一行配送明细填写验收数量（缺 %(generic_name)s）")
            % {"generic_name": product_identity(missing[0].order_line.product, maker=False)},
            field="lines",
            code=OrderError.RECEIPT_LINE_MISSING,
        )
    return [given[pk] for pk in delivery_lines]
