"""短缺药品监测预警: products hospitals stop getting.

The daily watch looks, in SQL, for the hospitals that usually buy a product on the platform (platform receipts in at
least `usual_months` of the `history_months` months before the quiet window) and have had no receipt of it for
`quiet_days`. A shortage-list product is flagged from one such hospital, any other listed product from
`min_hospitals`. Orders unfilled past their deadline and repeated stock-out rejections by distributors are the
other signals (see `SIGNALS`). One open alert per product and reason: a new finding updates it (hospitals,
evidence, last seen); officials close it with a note.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from common.errors import ConflictError, ValidationFailed
from common.models import record_event

from ..detectors.sql import fetch, month_of
from ..models import PriceObservation, ShortageAlert
from .alerts import require_reviewer

DEFAULTS = {"quiet_days": 45, "history_months": 6, "usual_months": 3, "min_hospitals": 2}


def _no_receipts(today: date, params: dict) -> list[dict]:
    from catalog.models import Product
    from procurement.models import Listing

    quiet_from = today - timedelta(days=params["quiet_days"])
    history_from = quiet_from - timedelta(days=31 * params["history_months"])
    obs, product, listing = PriceObservation._meta.db_table, Product._meta.db_table, Listing._meta.db_table
    sql = (
        f"WITH usual AS (SELECT o.product_id, o.hospital_id, COUNT(DISTINCT {month_of('o.observed_on')}) AS months "
        f"FROM {obs} o WHERE o.source = 'platform_receipt' AND o.hospital_id IS NOT NULL "
        f"AND o.observed_on >= %s AND o.observed_on < %s GROUP BY o.product_id, o.hospital_id HAVING "
        f"COUNT(DISTINCT {month_of('o.observed_on')}) >= %s), "
        f"recent AS (SELECT DISTINCT product_id, hospital_id FROM {obs} WHERE source = 'platform_receipt' "
        f"AND observed_on >= %s AND hospital_id IS NOT NULL) "
        f"SELECT u.product_id, u.hospital_id, u.months, p.shortage FROM usual u "
        f"JOIN {product} p ON p.id = u.product_id "
        f"LEFT JOIN recent r ON r.product_id = u.product_id AND r.hospital_id = u.hospital_id "
        f"WHERE r.product_id IS NULL AND (p.shortage = %s OR EXISTS (SELECT 1 FROM {listing} l "
        f"WHERE l.product_id = u.product_id AND l.status = 'active'))"
    )
    return fetch(sql, [history_from, quiet_from, params["usual_months"], quiet_from, True])


# Further signals: callables (today, params) -> list of {"product_id", "hospital_id", "reason", ...}.
SIGNALS = {ShortageAlert.Reason.NO_RECEIPTS: _no_receipts}


@transaction.atomic
def shortage_watch_run(*, today: date | None = None, **overrides) -> dict[str, int]:
    today = today or timezone.localdate()
    params = {**DEFAULTS, **overrides}
    opened = updated = 0
    for reason, signal in SIGNALS.items():
        by_product: dict[int, list[dict]] = defaultdict(list)
        for row in signal(today, params):
            by_product[row["product_id"]].append(row)
        existing = {
            a.product_id: a for a in ShortageAlert.objects.select_for_update().filter(
                reason=reason, status=ShortageAlert.Status.OPEN, product_id__in=by_product
            ).order_by("pk")
        }
        for product_id, rows in by_product.items():
            on_list = bool(rows[0].get("shortage"))
            if len(rows) < (1 if on_list else params["min_hospitals"]):
                continue
            hospitals = sorted({r["hospital_id"] for r in rows})
            evidence = {"params": params, "as_of": today.isoformat(),
                        "hospitals": [{"hospital_id": r["hospital_id"], "usual_months": int(r["months"])} for r in rows]}
            alert = existing.get(product_id)
            if alert is None:
                alert = ShortageAlert.objects.create(product_id=product_id, reason=reason, on_shortage_list=on_list,
                                                     evidence=evidence, first_detected_on=today, last_detected_on=today)
                opened += 1
            else:
                alert.evidence, alert.last_detected_on, alert.on_shortage_list = evidence, today, on_list
                alert.save(update_fields=["evidence", "last_detected_on", "on_shortage_list"])
                updated += 1
            alert.hospitals.set(hospitals)
    return {"opened": opened, "updated": updated}


@transaction.atomic
def shortage_alert_close(*, alert: ShortageAlert, note: str, by) -> ShortageAlert:
    require_reviewer(by)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("请填写解除说明", field="closed_note")
    alert = ShortageAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != ShortageAlert.Status.OPEN:
        raise ConflictError("该短缺预警已解除", field="status")
    alert.status = ShortageAlert.Status.CLOSED
    alert.closed_note = note
    alert.save(update_fields=["status", "closed_note"])
    record_event(alert, "closed", by=by, from_state="open", to_state="closed", note=note)
    return alert
