"""配送: the distributor ships (part of) an accepted order — per line packs, batch number, expiry and production
dates — with the invoice of the batch (两票制). A line is never shipped beyond what it still needs (ordered, less
what is out of stock and what was shipped). Every wrong input of the form is refused at once, each on its field."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, pgettext

from common.errors import Refusals
from common.money import quantize_amount

from ..errors import OrderError, ValidationFailed
from ..models import Delivery, DeliveryLine, PurchaseOrder, PurchaseOrderLine
from .order_steps import (
    assign_number,
    check_version,
    derived_status,
    line_ref,
    lock_order,
    move,
    parse_count,
    parse_date,
    require_distributor_user,
    require_lines,
    require_state,
    short_text,
)

S = PurchaseOrder.Status
BATCH_MAX = DeliveryLine._meta.get_field("batch_number").max_length


def _parse_delivery_line(
    item, i: int, order: PurchaseOrder, order_lines: dict, seen: set, today, found: Refusals
) -> tuple | None:
    """One line of a delivery; None when one of its inputs was refused (in `found`, with every other one)."""
    field = f"lines[{i}]"
    line_id = line_ref(
        item,
        "order_line",
        PurchaseOrderLine,
        message=gettext("配送明细格式错误"),
        field=field,
        label=gettext_lazy("订单明细编号"),
    )
    order_line = order_lines.get(line_id)
    if order_line is None:
        raise ValidationFailed(
            gettext("订单明细 %(line_id)s 不属于订单 %(number)s") % {"line_id": line_id, "number": order.number},
            field=f"{field}.order_line",
            code=OrderError.ORDER_LINE_NOT_IN_ORDER,
        )
    if line_id in seen:
        raise ValidationFailed(
            gettext("同一订单明细在一张配送单中只能出现一次（不同批号请分开配送）"),
            field=f"{field}.order_line",
            code=OrderError.DUPLICATE_LINE,
        )
    seen.add(line_id)
    refused = len(found.errors)
    packs = batch = expiry = production = None
    with found.check():
        packs = _line_packs(item, field, order_line)
    with found.check():
        batch = _line_batch(item, field)
    with found.check():
        expiry = parse_date(item.get("expiry_date"), field=f"{field}.expiry_date", label=gettext_lazy("有效期至"))
        if expiry <= today:
            raise ValidationFailed(
                gettext("有效期至 %(expiry)s 已过期，不能配送") % {"expiry": expiry},
                field=f"{field}.expiry_date",
                code=OrderError.EXPIRED_BATCH,
            )
    with found.check():
        production = item.get("production_date")
        production = (
            parse_date(production, field=f"{field}.production_date", label=gettext_lazy("生产日期"))
            if production
            else None
        )
        if production and production > today:
            raise ValidationFailed(
                gettext("生产日期不能晚于今天"),
                field=f"{field}.production_date",
                code=OrderError.PRODUCTION_DATE_IN_FUTURE,
            )
    if len(found.errors) > refused:
        return None
    return order_line, packs, batch, expiry, production


def _line_packs(item, field: str, order_line: PurchaseOrderLine) -> int:
    packs = parse_count(item.get("packs"), field=f"{field}.packs", label=gettext_lazy("配送数量"))
    if packs > order_line.packs_outstanding:
        raise ValidationFailed(
            gettext(
                "第 %(line)s 行还需配送 %(left)s 包装（订购 %(packs)s，缺货 %(short)s，已配送 %(shipped)s），不能配送 %(n)s"
            )
            % {
                "line": order_line.line_no,
                "left": order_line.packs_outstanding,
                "packs": order_line.packs,
                "short": order_line.packs_short,
                "shipped": order_line.packs_shipped,
                "n": packs,
            },
            field=f"{field}.packs",
            code=OrderError.OVER_DELIVERY,
        )
    return packs


def _line_batch(item, field: str) -> str:
    batch = str(item.get("batch_number") or "").strip()
    if not batch:
        raise ValidationFailed(
            gettext("请填写批号"), field=f"{field}.batch_number", code=OrderError.BATCH_NUMBER_REQUIRED
        )
    return short_text(batch, field=f"{field}.batch_number", label=gettext_lazy("批号"), max_length=BATCH_MAX)


def _shipped_fields(order: PurchaseOrder, target: str, now) -> list[str]:
    """The order's first and last shipping times (and the late-delivery flag), as this delivery sets them."""
    fields = []
    if order.first_shipped_at is None:
        order.first_shipped_at = now
        fields.append("first_shipped_at")
    fully = target in (S.SHIPPED, S.RECEIVED) or all(
        shipped >= packs - short
        for packs, short, shipped in order.lines.values_list("packs", "packs_short", "packs_shipped")
    )
    if fully and order.shipped_at is None:
        order.shipped_at = now
        if order.delivery_due_at and now > order.delivery_due_at:
            order.delivery_overdue = True
        fields += ["shipped_at", "delivery_overdue"]
    return fields


@transaction.atomic
def delivery_create(
    *, order: PurchaseOrder, by, invoice_number: str, lines, invoice_date=None, remarks: str = "", version=None
) -> Delivery:
    """配送: ship (part of) an accepted order, with batch number and expiry date per line and the invoice number."""
    order = lock_order(order)
    require_distributor_user(order, by)
    check_version(order, version)
    require_state(order, PurchaseOrder.SHIPPABLE_STATUSES, pgettext("订单操作", "配送（须先接单）"))
    found = Refusals()  # the invoice and every line's inputs, reported together, each on its own input
    invoice_number = (invoice_number or "").strip()
    with found.check():
        if not invoice_number:
            raise ValidationFailed(
                gettext("请填写发票号"), field="invoice_number", code=OrderError.INVOICE_NUMBER_REQUIRED
            )
        invoice_number = short_text(invoice_number, field="invoice_number", label=gettext_lazy("发票号"))
    with found.check():
        invoice_date = (
            parse_date(invoice_date, field="invoice_date", label=gettext_lazy("开票日期")) if invoice_date else None
        )
    with found.check():
        require_lines(lines, gettext("配送单至少需要一行"))
    if found.failed("lines"):
        found.raise_any()
    order_lines = {line.pk: line for line in order.lines.select_for_update().order_by("pk")}
    now = timezone.now()
    today = timezone.localdate(now)
    seen: set[int] = set()
    parsed = []
    for i, item in enumerate(lines):
        with found.check():
            parsed.append(_parse_delivery_line(item, i, order, order_lines, seen, today, found))
    found.raise_any()
    invoice_amount = sum(
        (quantize_amount(ol.unit_price * packs * ol.pack_size) for ol, packs, *_ in parsed), Decimal("0")
    )
    delivery = Delivery.objects.create(
        order=order,
        distributor_id=order.distributor_id,
        hospital_id=order.hospital_id,
        invoice_number=invoice_number,
        invoice_amount=invoice_amount,
        shipped_at=now,
        shipped_by=by,
        invoice_date=invoice_date or today,
        remarks=short_text(remarks, field="remarks", label=gettext_lazy("备注")),
    )
    assign_number(delivery, "DL")
    DeliveryLine.objects.bulk_create(
        [
            DeliveryLine(
                delivery=delivery,
                order_line=ol,
                packs=packs,
                min_units=packs * ol.pack_size,
                batch_number=batch,
                expiry_date=expiry,
                production_date=production,
            )
            for ol, packs, batch, expiry, production in parsed
        ]
    )
    for ol, packs, *_ in parsed:
        PurchaseOrderLine.objects.filter(pk=ol.pk).update(packs_shipped=F("packs_shipped") + packs)
    target = derived_status(order)
    fields = _shipped_fields(order, target, now)
    move(
        order,
        target,
        by=by,
        action="delivery",
        fields=fields,
        data={
            "delivery": delivery.number,
            "invoice_number": delivery.invoice_number,
            "lines": len(parsed),
        },
    )
    return delivery
