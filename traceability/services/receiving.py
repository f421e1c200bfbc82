"""扫码验收: the hospital scans what arrived; the platform matches the scans against the delivery's codes (a case or
inner pack stands for everything under it), marks them received, runs the duplicate check and compares counts."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from common.errors import ValidationFailed
from common.models import record_event

from .. import sql
from ..codes import parse_code
from ..errors import TraceError
from ..models import TraceFlag
from .common import delivery_for


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


@transaction.atomic
def codes_receive(*, delivery_id, by, codes: list[str], complete: bool = True) -> dict:
    """Receive by code. `codes` as scanned; `complete` says the scan of the delivery is finished (then a count that
    does not match the delivered packs is flagged). Scans that match nothing in the delivery are returned, not
    written; when nothing matches at all the call is refused."""
    delivery = delivery_for(delivery_id=delivery_id, by=by, side="hospital", lock=True)
    if not codes:
        raise ValidationFailed(gettext("请至少扫描一个追溯码"), field="codes", code=TraceError.NO_CODES)
    canonical = list(dict.fromkeys(parse_code(c, field=f"codes[{i}]").code for i, c in enumerate(codes)))
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
    mismatched = _count_mismatch(delivery, now, complete)
    record_event(
        delivery,
        "trace_codes_received",
        by=by,
        data={"received": received, "unmatched": len(unmatched), "duplicates": duplicates},
    )
    return {"received": received, "unmatched": unmatched, "duplicates": duplicates, "count_mismatch": mismatched}
