"""扫码验收: the hospital scans what arrived; the platform matches the scans against the delivery's codes (a case or
inner pack stands for everything under it), marks them received, runs the duplicate check and compares counts. By
default (when the delivery carries codes) the scan is also the hospital's 入库验收: procurement's receipt is created
for the packs scanned, in the same transaction, with the packs not scanned as the shortfall of their line."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from common.errors import ConflictError, ValidationFailed
from common.models import record_event
from common.text import check_text
from procurement.models import Delivery, PurchaseOrder, ReceiptLine
from procurement.services.receipts import receipt_create

from .. import sql
from ..codes import parse_code
from ..errors import TraceError
from ..models import DeliveryCode, TraceFlag
from .common import delivery_for

REASON_MAX = ReceiptLine._meta.get_field("reject_reason").max_length


def _count_mismatch(delivery, now, complete: bool) -> list[dict]:
    """Lines whose pack codes (recorded, or received when the receipt is complete) differ from the packs delivered;
    flagged once per delivery."""
    lines = []
    for line_id, packs, recorded, received in sql.fetch(sql.LINE_COUNTS, delivery=delivery.pk):
        if recorded != packs or (complete and received != packs):
            lines.append({"line": line_id, "packs": packs, "recorded": recorded, "received": received})
    if lines:
        TraceFlag.objects.get_or_create(
            kind=TraceFlag.Kind.COUNT_MISMATCH,
            trace_code=None,
            delivery=delivery,
            defaults={"hospital_id": delivery.hospital_id, "data": {"lines": lines}},
        )
    return lines


def _lock(delivery_id, by) -> Delivery:
    """The hospital's delivery, its order and then the delivery locked — the order procurement's receipt locks them
    in, so a receipt by code and a 入库验收 of the same delivery wait for each other instead of deadlocking."""
    delivery = delivery_for(delivery_id=delivery_id, by=by, side="hospital")
    PurchaseOrder.objects.select_for_update().filter(pk=delivery.order_id).first()
    return Delivery.objects.select_for_update().get(pk=delivery.pk)


def _canonical(codes: list[str]) -> tuple[list[str], list[int]]:
    """The scanned codes in canonical form, once each (a code read twice by the scanner counts once), with the
    position in the input of each."""
    if not codes:
        raise ValidationFailed(gettext("请至少扫描一个追溯码"), field="codes", code=TraceError.NO_CODES)
    first: dict[str, int] = {}
    for i, raw in enumerate(codes):
        first.setdefault(parse_code(raw, field=f"codes[{i}]").code, i)
    return list(first), list(first.values())


def _refuse_other_deliveries(delivery: Delivery, canonical: list[str], positions: list[int]) -> None:
    """A scanned code that another delivery (of another order, or another delivery of this one) carries and this one
    does not is a pack on the wrong dock: the whole scan is refused, naming it."""
    found = sql.fetch(sql.OTHER_DELIVERY, delivery=delivery.pk, codes=canonical)
    if found:
        k = found[0][0] - 1
        raise ValidationFailed(
            gettext("追溯码 %(code)s 属于另一张配送单，不属于配送单 %(number)s")
            % {"code": canonical[k], "number": delivery.number},
            field=f"codes[{positions[k]}]",
            code=TraceError.CODE_OF_OTHER_DELIVERY,
        )


def _shortfalls(delivery: Delivery) -> list[dict]:
    """Per delivery line: packs delivered, pack codes received (all scans so far) and the packs not scanned."""
    return [
        {"delivery_line": line_id, "packs": packs, "accepted": min(received, packs), "short": packs - received}
        for line_id, packs, _recorded, received in sql.fetch(sql.LINE_COUNTS, delivery=delivery.pk)
    ]


def _receipt(delivery: Delivery, by, reason: str) -> tuple[object, list[dict]]:
    """Procurement's 入库验收 of the packs scanned; a line with packs not scanned needs a reason (refused otherwise,
    naming the lines, and nothing is written)."""
    lines = _shortfalls(delivery)
    short = [x for x in lines if x["short"] > 0]
    reason = check_text(str(reason or "").strip(), field="reason", label=gettext("短少原因"), max_length=REASON_MAX)
    if short and not reason:
        raise ValidationFailed(
            gettext("有 %(count)s 个配送明细未扫全（%(lines)s），请填写短少原因")
            % {
                "count": len(short),
                "lines": "、".join(
                    gettext("明细 %(line)s 少 %(short)s 包") % {"line": x["delivery_line"], "short": x["short"]}
                    for x in short
                ),
            },
            field="reason",
            code=TraceError.SHORTFALL_REASON_REQUIRED,
        )
    receipt = receipt_create(
        delivery=delivery,
        by=by,
        lines=[
            {
                "delivery_line": x["delivery_line"],
                "accepted_packs": x["accepted"],
                "rejected_packs": 0,
                "reject_reason": reason if x["short"] > 0 else "",
            }
            for x in lines
        ],
    )
    return receipt, short


@transaction.atomic
def codes_receive(
    *, delivery_id, by, codes: list[str], complete: bool = True, confirm: bool | None = None, reason: str = ""
) -> dict:
    """Receive by code. `codes` as scanned; `complete` says the scan of the delivery is finished (then a count that
    does not match the delivered packs is flagged). `confirm` (default: a complete scan of a delivery carrying
    codes) makes the scan the delivery's 入库验收 — procurement's receipt of the packs scanned, this scan and earlier
    ones; packs not scanned are the line's shortfall and need `reason`; a delivery already received is refused
    (409). Scans that match nothing anywhere are returned, not written; a code of another delivery refuses the
    scan; when nothing matches at all the call is refused. All or nothing: a refusal after the codes were marked
    (a shortfall without reason) rolls them back with the rest."""
    delivery = _lock(delivery_id, by)
    canonical, positions = _canonical(codes)
    if confirm is None:  # a finished scan of a delivery carrying codes is its receipt; a partial scan is not
        confirm = complete and DeliveryCode.objects.filter(delivery=delivery).exists()
    if confirm and delivery.received:
        raise ConflictError(
            gettext("配送单 %(number)s 已验收，不能重复验收") % {"number": delivery.number},
            field="delivery",
            code=TraceError.DELIVERY_RECEIVED,
        )
    _refuse_other_deliveries(delivery, canonical, positions)
    unmatched = [row[0] for row in sql.fetch(sql.UNMATCHED, delivery=delivery.pk, codes=canonical)]
    if len(unmatched) == len(canonical):
        raise ValidationFailed(
            gettext("扫描的追溯码均不属于配送单 %(number)s") % {"number": delivery.number},
            field="codes",
            code=TraceError.NOTHING_MATCHED,
        )
    now = timezone.now()
    received = sql.run(sql.RECEIVE, delivery=delivery.pk, codes=canonical, now=now)
    duplicates = sql.run(sql.FLAG_DUPLICATE_RECEIPTS, delivery=delivery.pk, now=now)
    receipt, short = _receipt(delivery, by, reason) if confirm else (None, [])
    mismatched = _count_mismatch(delivery, now, complete or confirm)
    record_event(
        delivery,
        "trace_codes_received",
        by=by,
        data={
            "received": received,
            "unmatched": len(unmatched),
            "duplicates": duplicates,
            "receipt": receipt.pk if receipt else None,
        },
    )
    return {
        "received": received,
        "unmatched": unmatched,
        "duplicates": duplicates,
        "count_mismatch": mismatched,
        "receipt": receipt.pk if receipt else None,
        "accepted_amount": receipt.accepted_amount if receipt else None,
        "shortfalls": short,
    }
