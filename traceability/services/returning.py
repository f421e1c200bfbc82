"""按码退货: the hospital scans the packs (or the cases) it sends back. A return by code is always a procurement return
(退货): the codes are the evidence of which packs went back, and procurement's `goods_return_create` records the
quantities that settlement nets — one return per order the packs were bought on, against the receipt lines of their
deliveries, in the same transaction. A return of codes only (stock changed, quantities not) would let the code stock
and the settled quantities drift apart, so there is none."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext

from accounts.permissions import require
from common.errors import ValidationFailed
from common.models import record_event
from common.text import check_text
from procurement.models import GoodsReturn, GoodsReturnLine, PurchaseOrder, ReceiptLine
from procurement.services.returns import goods_return_create

from .. import sql
from ..codes import parse_code
from ..errors import TraceError

REASON_MAX = GoodsReturn._meta.get_field("reason").max_length


def _scanned(codes: list[str]) -> list[str]:
    """The codes in canonical form; a code scanned twice refuses the scan (a return counts each pack once)."""
    if not isinstance(codes, list) or not codes:
        raise ValidationFailed(gettext("请至少扫描一个追溯码"), field="codes", code=TraceError.NO_CODES)
    seen: dict[str, int] = {}
    for i, raw in enumerate(codes):
        code = parse_code(str(raw), field=f"codes[{i}]").code
        if code in seen:
            raise ValidationFailed(
                gettext("追溯码 %(code)s 重复扫描（第 %(first)s 个）") % {"code": code, "first": seen[code] + 1},
                field=f"codes[{i}]",
                code=TraceError.DUPLICATE_IN_SCAN,
            )
        seen[code] = i
    return list(seen)


def _packs_by_scan(canonical: list[str], hospital_id: int) -> tuple[dict[int, list[tuple]], list[tuple]]:
    """Per scanned position: the packs (row id, delivery line) it returns; and the case rows to mark. Refused,
    naming the code: not received by this hospital, nothing left to return, a pack already covered by its case."""
    nodes = defaultdict(list)
    for ord_, row_id, is_pack, returned, line_id in sql.fetch(sql.RETURN_TREE, hospital=hospital_id, codes=canonical):
        nodes[ord_ - 1].append((row_id, is_pack, returned, line_id))
    packs, cases, owner = {}, [], {}
    for i, code in enumerate(canonical):
        if i not in nodes:
            raise ValidationFailed(
                gettext("追溯码 %(code)s 不是本机构验收的追溯码") % {"code": code},
                field=f"codes[{i}]",
                code=TraceError.NOT_RECEIVED_HERE,
            )
        packs[i] = [(row_id, line_id) for row_id, is_pack, returned, line_id in nodes[i] if is_pack and not returned]
        if not packs[i]:
            raise ValidationFailed(
                gettext("追溯码 %(code)s 已退货") % {"code": code},
                field=f"codes[{i}]",
                code=TraceError.ALREADY_RETURNED,
            )
        for row_id, _line in packs[i]:
            if row_id in owner:
                raise ValidationFailed(
                    gettext("追溯码 %(code)s 已包含在同时扫描的 %(case)s 中")
                    % {"code": code, "case": canonical[owner[row_id]]},
                    field=f"codes[{max(i, owner[row_id])}]",
                    code=TraceError.DUPLICATE_IN_SCAN,
                )
            owner[row_id] = i
        cases += [(row_id, line_id) for row_id, is_pack, returned, line_id in nodes[i] if not is_pack and not returned]
    return packs, cases


def _receipt_lines(packs: dict[int, list[tuple]], canonical: list[str]) -> tuple[dict, dict]:
    """The receipt line of each delivery line returned from, checked: the delivery was received (入库验收), and the
    packs returned are at most what the receipt accepted and was not returned before."""
    per_line = Counter(line_id for rows in packs.values() for _row, line_id in rows)
    receipt_lines = {
        rl.delivery_line_id: rl
        for rl in ReceiptLine.objects.select_related("order_line").filter(delivery_line_id__in=per_line)
    }
    # the orders locked before what was returned is read, in procurement's order (order, then its lines), so a
    # return by code and a return on the order page wait for each other and cannot both return the same packs
    orders = {rl.order_line.order_id for rl in receipt_lines.values()}
    list(PurchaseOrder.objects.select_for_update().filter(pk__in=orders).order_by("pk").values_list("pk"))
    returned = dict(
        GoodsReturnLine.objects.filter(receipt_line__in=receipt_lines.values())
        .values("receipt_line_id")
        .annotate(n=Sum("packs"))
        .values_list("receipt_line_id", "n")
    )
    first_scan = {}
    for i, rows in packs.items():
        for _row, line_id in rows:
            first_scan.setdefault(line_id, i)
    for line_id, count in per_line.items():
        rl, i = receipt_lines.get(line_id), first_scan[line_id]
        if rl is None:
            raise ValidationFailed(
                gettext("追溯码 %(code)s 所在配送单尚未入库验收，不能退货") % {"code": canonical[i]},
                field=f"codes[{i}]",
                code=TraceError.DELIVERY_NOT_RECEIPTED,
            )
        left = rl.accepted_packs - returned.get(rl.pk, 0)
        if count > left:
            raise ValidationFailed(
                gettext("追溯码 %(code)s 所在验收明细只剩 %(left)s 包可退，本次扫描 %(count)s 包")
                % {"code": canonical[i], "left": left, "count": count},
                field=f"codes[{i}]",
                code=TraceError.RETURN_EXCEEDS_ACCEPTED,
            )
    return receipt_lines, per_line


@transaction.atomic
def codes_return(*, by, codes: list[str], reason: str) -> dict:
    """Return by code: every scanned pack (a case: its packs not yet returned) of the hospital's receipts goes back;
    procurement's return is created per order, and the codes are marked returned with their return. All or nothing:
    a bad scan names its position and writes nothing."""
    require(by, "order.receive")
    reason = check_text(str(reason or "").strip(), field="reason", label=gettext("退货原因"), max_length=REASON_MAX)
    canonical = _scanned(codes)
    if not reason:
        raise ValidationFailed(gettext("请填写退货原因"), field="reason", code=TraceError.RETURN_REASON_REQUIRED)
    packs, cases = _packs_by_scan(canonical, by.organization_id)
    receipt_lines, per_line = _receipt_lines(packs, canonical)
    by_order = defaultdict(list)
    for line_id, count in sorted(per_line.items()):
        rl = receipt_lines[line_id]
        by_order[rl.order_line.order_id].append({"receipt_line": rl.pk, "packs": count})
    returns = {}
    for order in PurchaseOrder.objects.filter(pk__in=by_order).order_by("pk"):
        returns[order.pk] = goods_return_create(order=order, by=by, reason=reason, lines=by_order[order.pk])
    return_of_line = {line_id: returns[rl.order_line.order_id].pk for line_id, rl in receipt_lines.items()}
    ids, rets = [], []
    for rows in packs.values():
        for row_id, line_id in rows:
            ids.append(row_id)
            rets.append(return_of_line[line_id])
    for row_id, line_id in cases:  # a case goes back with its packs (on the same line)
        ids.append(row_id)
        rets.append(return_of_line.get(line_id))
    marked = sql.run(sql.MARK_RETURNED, ids=ids, ret=rets, now=timezone.now())
    for goods_return in returns.values():
        record_event(goods_return, "trace_codes_returned", by=by, data={"codes": marked})
    return {
        "packs": sum(per_line.values()),
        "returns": [
            {
                "id": r.pk,
                "number": r.number,
                "order": r.order_id,
                "packs": sum(x["packs"] for x in by_order[r.order_id]),
                "amount": r.amount,
            }
            for r in returns.values()
        ],
    }
