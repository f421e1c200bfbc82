"""Price observations from the platform's own receipts: one per accepted receipt line, never two.

A receipt commits in procurement; its hook (registered in pricing.apps) enqueues `pricing.record_receipt` through the
outbox, and the task writes the lines' observations. `receipt_line_id` is unique, so running it twice — or the nightly
catch-up, which writes any line still missing — never duplicates one. Returns are not subtracted: an observation
records the price paid, which a later return does not change.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, OuterRef

from common.money import quantize_amount
from common.outbox import enqueue
from procurement.models import ReceiptLine

from ..models import PriceObservation


def _write(lines) -> int:
    rows = list(
        lines.values(
            "pk",
            "product_id",
            "hospital_id",
            "hospital__region_id",
            "received_on",
            "unit_price",
            "accepted_min_units",
            "amount",
        )
    )
    if not rows:
        return 0
    existing = set(
        PriceObservation.objects.filter(receipt_line_id__in=[r["pk"] for r in rows]).values_list(
            "receipt_line_id", flat=True
        )
    )
    new = [
        PriceObservation(
            product_id=r["product_id"],
            hospital_id=r["hospital_id"],
            region_id=r["hospital__region_id"],
            observed_on=r["received_on"],
            unit_price=r["unit_price"],
            quantity=r["accepted_min_units"],
            amount=quantize_amount(r["unit_price"] * r["accepted_min_units"]),
            source=PriceObservation.Source.PLATFORM_RECEIPT,
            receipt_line_id=r["pk"],
        )
        for r in rows
        if r["pk"] not in existing
    ]
    # ignore_conflicts: a concurrent run that wrote the same line first wins, quietly
    PriceObservation.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    return len(new)


@transaction.atomic
def observations_record_receipt(*, receipt_id: int) -> int:

    return _write(ReceiptLine.objects.filter(receipt_id=receipt_id, accepted_min_units__gt=0).order_by("pk"))


def observations_backfill_receipts(*, batch: int = 5000) -> int:
    """Write the observation of every accepted receipt line that has none yet (a lost task, or data loaded before
    monitoring began), a batch per transaction. Returns how many were written."""

    written = 0
    while True:
        with transaction.atomic():
            missing = (
                ReceiptLine.objects.filter(accepted_min_units__gt=0)
                .exclude(Exists(PriceObservation.objects.filter(receipt_line_id=OuterRef("pk"))))
                .order_by("pk")[:batch]
            )
            count = _write(ReceiptLine.objects.filter(pk__in=list(missing.values_list("pk", flat=True))))
        written += count
        if count < batch:
            return written


def on_receipt_committed(receipt_id: int) -> None:
    """procurement.hooks handler: queue the observations of a committed receipt (outbox: survives a broker outage)."""

    with transaction.atomic():
        enqueue(
            "pricing.record_receipt", kwargs={"receipt_id": receipt_id}, dedupe_key=f"price-observations:{receipt_id}"
        )
