"""Set-based writes of a tender's opening and awards, so they stay fast with 500 lots × 40 bids × 1,000 hospitals.

- `set_opened_bids`: COPY into a temporary table and one UPDATE … FROM on PostgreSQL (Django's bulk_update writes a
  CASE per row and column, quadratic in the batch); `bulk_update` elsewhere.
- `demand_region_volumes` and `insert_commitments`: the agreed volumes per hospital are computed by the database from
  the demand reports, in the same integer arithmetic as `procurement.evaluation.agreed_volume` (reported × share,
  half-up), and written with one INSERT … SELECT per batch of lots; only the region picks (a few per lot) are decided
  in Python, by `procurement.evaluation.pick_regions`. The commitment's reason is built by the same SQL from the
  words of `procurement.evaluation`, so it reads exactly like `evaluation.allocate`'s (a test holds both equal).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection

from .. import evaluation
from ..models import Bid

LOTS_PER_STATEMENT = 100


def set_opened_bids(rows: list[tuple[int, Decimal, Decimal, str, str]]) -> None:
    """rows: (bid id, price, comparison price, invalid reason, status)."""
    if connection.vendor != "postgresql":
        Bid.objects.bulk_update(
            [Bid(pk=pk, price=price, comparison_price=cp, invalid_reason=reason, status=status)
             for pk, price, cp, reason, status in rows],
            ["price", "comparison_price", "invalid_reason", "status"], batch_size=500,
        )
        return
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE opened_bids (id bigint, price numeric, cp numeric, reason text, status text) "
                       "ON COMMIT DROP")
        with cursor.cursor.copy("COPY opened_bids FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute("UPDATE procurement_bid AS b SET price = o.price, comparison_price = o.cp, invalid_reason = o.reason, "
                       "status = o.status FROM opened_bids o WHERE b.id = o.id")
        cursor.execute("DROP TABLE opened_bids")


def _share_parts(share: Decimal) -> tuple[int, int]:
    """share = num / den exactly, den a power of ten (at least 10^4)."""
    places = max(4, -share.as_tuple().exponent)
    den = 10 ** places
    return int(share * den), den


def _share_cte(shares: dict[int, Decimal]) -> tuple[str, list]:
    rows, params = [], []
    for lot_id, share in shares.items():
        num, den = _share_parts(share)
        rows.append("(%s, %s, %s, %s)")
        params += [lot_id, num, den, evaluation.share_percent_text(share)]
    return "s(lot_id, num, den, pct) AS (VALUES " + ",".join(rows) + ")", params


# reported × share, half-up, in integers: floor((2·v·num + den) / (2·den))
AGREED = "((d.annual_volume * s.num * 2 + s.den) / (2 * s.den))"
POOLING_REGION = "COALESCE(r.parent_id, r.id, 0)"
JOINS = (
    "FROM procurement_demandreport d "
    "JOIN s ON s.lot_id = d.lot_id "
    "JOIN accounts_organization h ON h.id = d.hospital_id "
    "LEFT JOIN accounts_region r ON r.id = h.region_id "
    "LEFT JOIN procurement_award na ON na.lot_id = d.lot_id AND na.product_id = d.named_product_id "
)


def _chunks(mapping: dict, size: int):
    items = list(mapping.items())
    for start in range(0, len(items), size):
        yield dict(items[start:start + size])


def demand_region_volumes(tender_id: int, shares: dict[int, Decimal]) -> list[tuple[int, int, int | None, int]]:
    """(lot id, pooling region id, named winning product id or None, sum of agreed volumes) for the lots in `shares`
    (those with winners; awards must already be written)."""
    result = []
    with connection.cursor() as cursor:
        for chunk in _chunks(shares, LOTS_PER_STATEMENT):
            cte, params = _share_cte(chunk)
            cursor.execute(
                f"WITH {cte} SELECT d.lot_id, {POOLING_REGION}, na.product_id, SUM({AGREED}) {JOINS}"
                f"WHERE d.tender_id = %s GROUP BY d.lot_id, {POOLING_REGION}, na.product_id",
                [*params, tender_id],
            )
            result += [(lot, region, product, int(volume)) for lot, region, product, volume in cursor.fetchall()]
    return result


def insert_commitments(*, tender, shares: dict[int, Decimal], picks: dict[int, list[tuple[int, int, str]]]) -> int:
    """One commitment per demand report of the lots in `shares`: the named winning product's award, or the award
    that picked the hospital's pooling region (`picks`: lot id → [(region id, award id, how it was picked)])."""
    # Only equality joins (hash joins on PostgreSQL): the award is the named winner's (na) or the region pick's (pa).
    price = "COALESCE(na.awarded_price, pa.awarded_price)"
    amount_cents = "((" + AGREED + f") * CAST(ROUND({price} * 10000) AS BIGINT) + 50) / 100"
    amount = (f"CAST({amount_cents} AS NUMERIC) / 100" if connection.vendor == "postgresql"
              else f"{amount_cents} / 100.0")
    text = "CAST({} AS TEXT)"
    reason = (
        "SUBSTR("
        f"CASE WHEN na.id IS NOT NULL THEN %s "
        f"WHEN d.named_product_id IS NOT NULL THEN %s || '（' || p.how || '）' "
        f"ELSE %s || '（' || p.how || '）' END"
        f" || '；约定采购量 = 报量 ' || {text.format('d.annual_volume')} || ' × ' || s.pct"
        f" || '，四舍五入取整 = ' || {text.format(AGREED)}"
        f" || CASE WHEN d.annual_volume = 0 THEN %s ELSE '' END, 1, 200)"
    )
    reason_params = [evaluation.REASON_NAMED_WON, evaluation.REASON_NAMED_LOST, evaluation.REASON_UNNAMED,
                     evaluation.REASON_ZERO]
    written = 0
    with connection.cursor() as cursor:
        for chunk in _chunks(shares, LOTS_PER_STATEMENT):
            cte, params = _share_cte(chunk)
            pick_rows, pick_params = [], []
            for lot_id in chunk:
                for region_id, award_id, how in picks.get(lot_id, ()):
                    pick_rows.append("(%s, %s, %s, %s)")
                    pick_params += [lot_id, region_id, award_id, how]
            if not pick_rows:  # every demand of these lots named a winning product
                pick_rows, pick_params = ["(%s, %s, %s, %s)"], [0, 0, 0, ""]
            cursor.execute(
                f"WITH {cte}, p(lot_id, region_id, award_id, how) AS (VALUES {','.join(pick_rows)}) "
                "INSERT INTO procurement_commitment (tender_id, lot_id, hospital_id, award_id, product_id, manufacturer_id,"
                " reported_volume, agreed_volume, agreed_amount, cycle_start, cycle_end, reason) "
                "SELECT %s, d.lot_id, d.hospital_id, COALESCE(na.id, pa.id), COALESCE(na.product_id, pa.product_id), "
                f"COALESCE(na.manufacturer_id, pa.manufacturer_id), d.annual_volume, {AGREED}, {amount}, %s, %s, {reason} "
                f"{JOINS}"
                f"LEFT JOIN p ON p.lot_id = d.lot_id AND p.region_id = {POOLING_REGION} "
                "LEFT JOIN procurement_award pa ON pa.id = p.award_id "
                "WHERE d.tender_id = %s AND (na.id IS NOT NULL OR pa.id IS NOT NULL)",
                [*params, *pick_params, tender.pk, tender.cycle_start, tender.cycle_end, *reason_params, tender.pk],
            )
            written += cursor.rowcount
    return written
