"""Payments of the fund (settlement) as contract transactions, each split by the lines of the statement it pays.

A statement is one hospital × manufacturer × month and may cover several contracts (one per product the hospital
buys from the manufacturer). A payment of the statement is shared among its lines' products in proportion to the
lines' amounts, to the cent, the remainders going to the largest fractions (so the parts add up to the payment
exactly). A part belongs to a commitment of the tender when the line's product is the commitment's product for that
hospital and the goods were received within the commitment's cycle; the rest of the payment (products of no
commitment of this tender, or received outside its cycle) is published with none.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal

from django.db.models import Q, Sum

from settlement.models import Payment, SettlementLine

CENT = Decimal("0.01")


@dataclass(frozen=True)
class TransactionPart:
    payment_id: int
    paid_on: date
    amount: Decimal
    fund_id: int
    manufacturer_id: int


def split(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """`total` shared in proportion to `weights` (all positive), to the cent, adding up to `total` exactly."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    parts = [e.quantize(CENT, rounding=ROUND_DOWN) for e in exact]
    left = int(((total - sum(parts)) / CENT).to_integral_value())
    by_remainder = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[:left]:
        parts[i] += CENT
    return parts


def _line_shares(statement_ids, keys: dict, cycles: dict) -> dict[int, list[tuple[int | None, Decimal]]]:
    """Per statement: (commitment id or None, amount) per product, from its lines (one aggregate query)."""
    cycle_start, cycle_end = cycles
    rows = (
        SettlementLine.objects.filter(statement_id__in=statement_ids)
        .values("statement_id", "statement__hospital_id", "product_id")
        .annotate(total=Sum("amount"), in_cycle=Sum("amount", filter=Q(received_on__range=(cycle_start, cycle_end))))
        .order_by("statement_id", "product_id")
    )
    shares: dict[int, list[tuple[int | None, Decimal]]] = defaultdict(list)
    for row in rows:
        commitment_id = keys.get((row["statement__hospital_id"], row["product_id"]))
        in_cycle = (row["in_cycle"] or Decimal(0)) if commitment_id else Decimal(0)
        if in_cycle:
            shares[row["statement_id"]].append((commitment_id, in_cycle))
        if row["total"] - in_cycle:
            shares[row["statement_id"]].append((None, row["total"] - in_cycle))
    return shares


def transactions_by_commitment(tender, commitments) -> dict[int, list[TransactionPart]]:
    """The payments' parts that belong to each commitment of the tender (commitment id → parts, by date)."""
    keys = {(c.hospital_id, c.product_id): c.pk for c in commitments}
    if not keys:
        return {}
    hospitals = {h for h, _ in keys}
    manufacturers = {c.manufacturer_id for c in commitments}
    payments = list(
        Payment.objects.filter(statement__hospital_id__in=hospitals, statement__manufacturer_id__in=manufacturers)
        .values("pk", "statement_id", "amount", "paid_on", "statement__fund_id", "statement__manufacturer_id")
        .order_by("paid_on", "pk")
    )
    if not payments:
        return {}
    shares = _line_shares({p["statement_id"] for p in payments}, keys, (tender.cycle_start, tender.cycle_end))
    result: dict[int, list[TransactionPart]] = defaultdict(list)
    for payment in payments:
        lines = [(key, amount) for key, amount in shares.get(payment["statement_id"], []) if amount > 0]
        if not lines or not any(key for key, _ in lines):
            continue
        for (key, _), part in zip(lines, split(payment["amount"], [a for _, a in lines]), strict=True):
            if key and part:
                result[key].append(
                    TransactionPart(
                        payment["pk"],
                        payment["paid_on"],
                        part,
                        payment["statement__fund_id"],
                        payment["statement__manufacturer_id"],
                    )
                )
    return result
