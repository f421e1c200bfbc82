"""短缺药品监测预警: products hospitals stop getting.

The daily watch looks for three signals, on shortage-list products and on products listed on the platform:

- no receipts (SQL over the observations): hospitals that usually buy the product on the platform (platform receipts
  in at least `usual_months` of the `history_months` months before the quiet window) have had none for `quiet_days`;
- unfilled orders: order lines not fully shipped on orders past their delivery deadline;
- stock-outs: at least `min_rejections` orders rejected by distributors within `stock_out_days`, the reason naming
  缺货, 断货, 无货, 库存不足 or 停产.

For the first two a shortage-list product is flagged from one hospital, any other product from `min_hospitals`. One
open alert per product and reason: a new finding updates it (hospitals, evidence, last seen); officials close it
with a note.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import ConflictError, ValidationFailed
from common.models import record_event
from procurement.models import Listing, PurchaseOrder, PurchaseOrderLine

from ..errors import PricingError
from ..models import ShortageAlert
from ..sql import fetch, shortage
from .alerts import require_reviewer

DEFAULTS = {
    "quiet_days": 45,
    "history_months": 6,
    "usual_months": 3,
    "min_hospitals": 2,
    "stock_out_days": 30,
    "min_rejections": 2,
}
STOCK_OUT_WORDS = ("缺货", "断货", "无货", "库存不足", "停产")


def _no_receipts(today: date, params: dict) -> list[dict]:
    quiet_from = today - timedelta(days=params["quiet_days"])
    history_from = quiet_from - timedelta(days=31 * params["history_months"])
    return fetch(
        shortage.quiet_hospitals(),
        {"history_from": history_from, "quiet_from": quiet_from, "usual": params["usual_months"], "shortage": True},
    )


def _watched():
    """Shortage-list products, or products listed on the platform."""

    return Q(product__shortage=True) | Q(
        Exists(Listing.objects.filter(product_id=OuterRef("product_id"), status="active"))
    )


def _unfilled(today: date, params: dict) -> list[dict]:
    """Order lines still not fully shipped on orders past their delivery deadline (flagged by the ordering job)."""

    status = PurchaseOrder.Status
    lines = PurchaseOrderLine.objects.filter(
        _watched(),
        order__delivery_overdue=True,
        order__status__in=[status.SUBMITTED, status.ACCEPTED, status.PARTIALLY_SHIPPED],
        packs_shipped__lt=F("packs"),
    )
    rows = lines.values("product_id", "order__hospital_id", "product__shortage", "order_id", "packs", "packs_shipped")
    return [
        {
            "product_id": r["product_id"],
            "hospital_id": r["order__hospital_id"],
            "shortage": r["product__shortage"],
            "order_id": r["order_id"],
            "missing_packs": r["packs"] - r["packs_shipped"],
        }
        for r in rows.order_by("pk")
    ]


def _stock_out(today: date, params: dict) -> list[dict]:
    """Orders a distributor rejected for want of stock (the reason names 缺货, 断货, …) in the last days."""

    words = reduce(or_, (Q(order__reject_reason__contains=w) for w in STOCK_OUT_WORDS))
    since = timezone.now() - timedelta(days=params["stock_out_days"])
    lines = PurchaseOrderLine.objects.filter(
        _watched(), words, order__status=PurchaseOrder.Status.REJECTED, order__responded_at__gte=since
    )
    rows = lines.values(
        "product_id",
        "order__hospital_id",
        "product__shortage",
        "order_id",
        "order__distributor_id",
        "order__reject_reason",
    )
    return [
        {
            "product_id": r["product_id"],
            "hospital_id": r["order__hospital_id"],
            "shortage": r["product__shortage"],
            "order_id": r["order_id"],
            "distributor_id": r["order__distributor_id"],
            "reason": r["order__reject_reason"],
        }
        for r in rows.order_by("pk")
    ]


# Each signal: a callable (today, params) -> rows of {"product_id", "hospital_id", "shortage", …evidence}.
SIGNALS = {
    ShortageAlert.Reason.NO_RECEIPTS: _no_receipts,
    ShortageAlert.Reason.UNFILLED: _unfilled,
    ShortageAlert.Reason.STOCK_OUT: _stock_out,
}


def _enough(reason: str, rows: list[dict], params: dict) -> bool:
    if reason == ShortageAlert.Reason.STOCK_OUT:
        return len({r["order_id"] for r in rows}) >= params["min_rejections"]  # repeated rejections
    hospitals = {r["hospital_id"] for r in rows}
    return len(hospitals) >= (1 if rows[0].get("shortage") else params["min_hospitals"])


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
            a.product_id: a
            for a in ShortageAlert.objects.select_for_update()
            .filter(reason=reason, status=ShortageAlert.Status.OPEN, product_id__in=by_product)
            .order_by("pk")
        }
        for product_id, rows in by_product.items():
            on_list = bool(rows[0].get("shortage"))
            if not _enough(reason, rows, params):
                continue
            hospitals = sorted({r["hospital_id"] for r in rows})
            evidence = {
                "params": params,
                "as_of": today.isoformat(),
                "rows": [
                    {k: (int(v) if k == "months" else v) for k, v in r.items() if k not in ("product_id", "shortage")}
                    for r in rows[:200]
                ],
            }
            alert = existing.get(product_id)
            if alert is None:
                alert = ShortageAlert.objects.create(
                    product_id=product_id,
                    reason=reason,
                    on_shortage_list=on_list,
                    evidence=evidence,
                    first_detected_on=today,
                    last_detected_on=today,
                )
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
        raise ValidationFailed(_("请填写解除说明"), field="closed_note", code=PricingError.NOTE_REQUIRED)
    alert = ShortageAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != ShortageAlert.Status.OPEN:
        raise ConflictError(_("该短缺预警已解除"), field="status", code=PricingError.SHORTAGE_CLOSED)
    alert.status = ShortageAlert.Status.CLOSED
    alert.closed_note = note
    alert.save(update_fields=["status", "closed_note"])
    record_event(alert, "closed", by=by, from_state="open", to_state="closed", note=note)
    return alert
