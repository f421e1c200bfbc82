"""配送追溯码: the distributor records the codes of a delivery — packs, inner packs and cases with their parent —
checked one by one (format, duplicates, parents, counts), then written with set-based statements (sql.py)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from common.errors import ConflictError, ValidationFailed
from common.models import record_event
from common.numbers import parse_id
from procurement.models import Delivery, DeliveryLine

from .. import sql
from ..codes import ParsedCode, parse_code
from ..errors import TraceError
from ..models import DeliveryCode
from .common import delivery_for


@dataclass
class Row:
    line: DeliveryLine
    parsed: ParsedCode
    parent: str  # canonical parent code, or ''


def _line_of(item: dict, field: str, lines: dict[int, DeliveryLine], default: DeliveryLine | None) -> DeliveryLine:
    raw = item.get("delivery_line")
    if raw in (None, "") and default is not None:
        return default
    try:
        line = lines.get(parse_id(raw, field=field))
    except ValidationFailed:
        line = None
    if line is None:
        raise ValidationFailed(
            gettext("配送明细 %(line)s 不属于本配送单") % {"line": raw},
            field=f"{field}.delivery_line",
            code=TraceError.LINE_NOT_IN_DELIVERY,
        )
    return line


def parse_rows(items: list[dict], lines: dict[int, DeliveryLine], default: DeliveryLine | None) -> list[Row]:
    """Each row's line and code parsed; a code twice in the upload is refused. A parent (a case's code, named by each
    of its packs) is parsed once; a bad one is refused at its first row."""
    rows, seen, parents = [], {}, {}
    for i, item in enumerate(items):
        field = f"rows[{i}]"
        line = _line_of(item, field, lines, default)
        parsed = parse_code(str(item.get("code") or ""), field=f"{field}.code")
        if parsed.code in seen:
            raise ValidationFailed(
                gettext("追溯码 %(code)s 在本配送单中重复（第 %(first)s 行）")
                % {"code": parsed.code, "first": seen[parsed.code] + 1},
                field=f"{field}.code",
                code=TraceError.DUPLICATE_IN_DELIVERY,
            )
        seen[parsed.code] = i
        parent_raw = str(item.get("parent") or "").strip()
        parent = parents.get(parent_raw)
        if parent is None:
            parent = parse_code(parent_raw, field=f"{field}.parent").code if parent_raw else ""
            parents[parent_raw] = parent
        rows.append(Row(line=line, parsed=parsed, parent=parent))
    return rows


def _check_parents(rows: list[Row], existing: dict[str, tuple[int, bool]]) -> None:
    """A parent is a code of this upload or recorded earlier for the delivery, on the same line, and no code is its
    own ancestor."""
    line_of = {code: line_id for code, (line_id, _pack) in existing.items()}
    line_of.update({r.parsed.code: r.line.pk for r in rows})
    parent_of = {r.parsed.code: r.parent for r in rows if r.parent}
    for i, r in enumerate(rows):
        if not r.parent:
            continue
        field = f"rows[{i}].parent"
        if r.parent not in line_of:
            raise ValidationFailed(
                gettext("上级码 %(code)s 不在本配送单中") % {"code": r.parent},
                field=field,
                code=TraceError.PARENT_UNKNOWN,
            )
        if line_of[r.parent] != r.line.pk:
            raise ValidationFailed(
                gettext("上级码 %(code)s 属于另一配送明细") % {"code": r.parent},
                field=field,
                code=TraceError.PARENT_OTHER_LINE,
            )
        seen, node = {r.parsed.code}, r.parent
        while node:
            if node in seen:
                raise ValidationFailed(
                    gettext("追溯码 %(code)s 的上级关系成环") % {"code": r.parsed.code},
                    field=field,
                    code=TraceError.PARENT_CYCLE,
                )
            seen.add(node)
            node = parent_of.get(node, "")


def _check_counts(rows: list[Row], existing: dict[str, tuple[int, bool]], lines: dict[int, DeliveryLine]) -> None:
    """Pack codes (codes with no child) per line, earlier ones included, at most the packs delivered."""
    parents = {r.parent for r in rows if r.parent}
    packs = Counter(line_id for code, (line_id, is_pack) in existing.items() if is_pack and code not in parents)
    packs.update(r.line.pk for r in rows if r.parsed.code not in parents)
    for line_id, count in packs.items():
        line = lines[line_id]
        if count > line.packs:
            raise ValidationFailed(
                gettext("配送明细 %(line)s 上传了 %(count)s 个包装码，多于配送数量 %(packs)s")
                % {"line": line_id, "count": count, "packs": line.packs},
                field="rows",
                code=TraceError.MORE_CODES_THAN_PACKS,
            )


@transaction.atomic
def codes_record(*, delivery_id, by, rows: list[dict], delivery_line_id=None) -> dict:
    """Record codes for a delivery of the user's distributor. `rows`: {delivery_line, code, parent}; a row without a
    delivery line takes `delivery_line_id`. All or nothing: any bad row refuses the whole upload."""
    delivery = delivery_for(delivery_id=delivery_id, by=by, side="distributor", lock=True)
    if delivery.received:
        raise ConflictError(
            gettext("配送单 %(number)s 已验收，不能再上传追溯码") % {"number": delivery.number},
            field="delivery",
            code=TraceError.DELIVERY_RECEIVED,
        )
    if not rows:
        raise ValidationFailed(gettext("请至少上传一个追溯码"), field="rows", code=TraceError.NO_CODES)
    lines = {dl.pk: dl for dl in delivery.lines.select_related("order_line")}
    default = _line_of({"delivery_line": delivery_line_id}, "delivery_line", lines, None) if delivery_line_id else None
    parsed = parse_rows(rows, lines, default)
    existing = {
        code: (line_id, is_pack)
        for code, line_id, is_pack in DeliveryCode.objects.filter(delivery=delivery).values_list(
            "trace_code__code", "delivery_line_id", "is_pack"
        )
    }
    for i, r in enumerate(parsed):
        if r.parsed.code in existing:
            raise ValidationFailed(
                gettext("追溯码 %(code)s 已上传到本配送单") % {"code": r.parsed.code},
                field=f"rows[{i}].code",
                code=TraceError.ALREADY_RECORDED,
            )
    _check_parents(parsed, existing)
    _check_counts(parsed, existing, lines)
    return _write(delivery, by, parsed, cases_recorded_earlier=any(r.parent in existing for r in parsed))


def _write(delivery: Delivery, by, rows: list[Row], *, cases_recorded_earlier: bool) -> dict:
    now = timezone.now()
    parents = {r.parent for r in rows if r.parent}
    codes = [r.parsed.code for r in rows]
    products = [r.line.order_line.product_id for r in rows]
    sql.run(
        sql.INSERT_CODES,
        now=now,
        code=codes,
        kind=[r.parsed.kind for r in rows],
        identifier=[r.parsed.identifier for r in rows],
        serialised=[r.parsed.serialised for r in rows],
        lot=[r.parsed.lot for r in rows],
        serial=[r.parsed.serial for r in rows],
        expiry=[r.parsed.expiry for r in rows],
        product=products,
    )
    written = sql.run(
        sql.INSERT_DELIVERY_CODES,
        delivery=delivery.pk,
        hospital=delivery.hospital_id,
        now=now,
        by=by.pk,
        code=codes,
        line=[r.line.pk for r in rows],
        product=products,
        is_pack=[c not in parents for c in codes],
    )
    if parents:
        sql.run(sql.LINK_PARENTS, delivery=delivery.pk, code=codes, parent=[r.parent for r in rows])
        if cases_recorded_earlier:  # this upload's own cases were written as cases already
            sql.run(sql.UNMARK_PARENTS, delivery=delivery.pk)
    flagged = sql.run(sql.FLAG_WRONG_PRODUCT, delivery=delivery.pk, now=now)
    record_event(delivery, "trace_codes_recorded", by=by, data={"recorded": written, "wrong_product": flagged})
    return {"recorded": written, "packs": sum(c not in parents for c in codes), "wrong_product": flagged}
