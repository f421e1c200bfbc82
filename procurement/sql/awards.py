"""中选结果 in SQL: the agreed volumes of a tender's awards, computed and written by the database, so they stay fast
with 500 lots × 1,000 hospitals.

`procurement.evaluation.allocate` is the rule's specification; these statements give exactly what it gives (the
tests compare both on generated tenders). Per demand report: agreed volume = reported × the lot's share, rounded
half-up to a whole minimum unit (`agreed_volume`); PostgreSQL's `round(numeric)` rounds halves away from zero, which
for volumes (never negative) is half-up. Only the region picks (a few per lot) are decided in Python, by
`evaluation.pick_regions`, from the region volumes `region_volumes` sums. The commitment's reason is built from the
words of `procurement.evaluation`, so it reads exactly like `allocate`'s.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from psycopg.sql import SQL, Composed, Literal

from accounts.models import Organization, Region
from common.sql import column_list, column_names, tables

from .. import evaluation
from ..models import Award, Commitment, DemandReport

NAMES = tables(demand=DemandReport, organization=Organization, region=Region, award=Award, commitment=Commitment)

# The demand reports of the tender's lots with winners, each with its agreed volume and pooling region (盟市: a
# banner or county counts for its league; 0 when the hospital has no region).
_DEMANDS = """
WITH s AS (
    SELECT * FROM unnest(%(lot_ids)s::bigint[], %(shares)s::numeric[], %(share_texts)s::text[]) AS s(lot_id, share, pct)
),
d AS (
    SELECT d.lot_id, d.hospital_id, d.annual_volume, d.named_product_id, s.pct,
           CAST(round(d.annual_volume * s.share) AS BIGINT) AS agreed,
           COALESCE(r.parent_id, r.id, 0) AS region_id
    FROM {demand} d
    JOIN s ON s.lot_id = d.lot_id
    JOIN {organization} h ON h.id = d.hospital_id
    LEFT JOIN {region} r ON r.id = h.region_id
    WHERE d.tender_id = %(tender_id)s
)"""


def _share_params(tender_id: int, shares: dict[int, Decimal]) -> dict:
    return {
        "tender_id": tender_id,
        "lot_ids": list(shares),
        "shares": list(shares.values()),
        "share_texts": [evaluation.share_percent_text(share) for share in shares.values()],
    }


def region_volumes_statement() -> Composed:
    """Per lot, pooling region and named winning product (empty when the report names none or a product that did
    not win): the sum of the agreed volumes."""
    return SQL(
        _DEMANDS
        + """
SELECT d.lot_id, d.region_id, na.product_id, SUM(d.agreed)
FROM d LEFT JOIN {award} na ON na.lot_id = d.lot_id AND na.product_id = d.named_product_id
GROUP BY d.lot_id, d.region_id, na.product_id"""
    ).format(**NAMES)


def insert_commitments_statement() -> Composed:
    """One commitment per demand report of the lots with winners: the named winning product's award, or else the
    award that picked the hospital's pooling region (`picks`); its agreed volume, amount (agreed × the awarded
    price, rounded half-up to the fen), cycle and reason."""
    written = column_names(
        Commitment,
        (
            "tender",
            "lot",
            "hospital",
            "award",
            "product",
            "manufacturer",
            "reported_volume",
            "agreed_volume",
            "agreed_amount",
            "cycle_start",
            "cycle_end",
            "reason",
        ),
    )
    reason_length = Commitment._meta.get_field("reason").max_length
    # Only equality joins (hash joins): the award is the named winner's (na) or the region pick's (pa).
    return SQL(
        _DEMANDS
        + """,
p AS (
    SELECT * FROM unnest(%(pick_lot_ids)s::bigint[], %(pick_region_ids)s::bigint[], %(pick_award_ids)s::bigint[],
                         %(pick_texts)s::text[]) AS p(lot_id, region_id, award_id, how)
)
INSERT INTO {commitment} ({written})
SELECT %(tender_id)s, d.lot_id, d.hospital_id, COALESCE(na.id, pa.id), COALESCE(na.product_id, pa.product_id),
       COALESCE(na.manufacturer_id, pa.manufacturer_id), d.annual_volume, d.agreed,
       round(d.agreed * COALESCE(na.awarded_price, pa.awarded_price), 2), %(cycle_start)s, %(cycle_end)s,
       substr(CASE WHEN na.id IS NOT NULL THEN %(named_won)s
                   WHEN d.named_product_id IS NOT NULL THEN %(named_lost)s || '（' || p.how || '）'
                   ELSE %(unnamed)s || '（' || p.how || '）' END
              || '；约定采购量 = 报量 ' || d.annual_volume || ' × ' || d.pct || '，四舍五入取整 = ' || d.agreed
              || CASE WHEN d.annual_volume = 0 THEN %(zero)s ELSE '' END, 1, {reason_length})
FROM d
LEFT JOIN {award} na ON na.lot_id = d.lot_id AND na.product_id = d.named_product_id
LEFT JOIN p ON p.lot_id = d.lot_id AND p.region_id = d.region_id
LEFT JOIN {award} pa ON pa.id = p.award_id
WHERE na.id IS NOT NULL OR pa.id IS NOT NULL"""
    ).format(**NAMES, written=column_list(written), reason_length=Literal(reason_length))


def demand_region_volumes(tender_id: int, shares: dict[int, Decimal]) -> list[tuple[int, int, int | None, int]]:
    """(lot id, pooling region id, named winning product id or None, sum of agreed volumes) for the lots in `shares`
    (those with winners; awards must already be written)."""
    with connection.cursor() as cursor:
        cursor.execute(region_volumes_statement(), _share_params(tender_id, shares))
        return [(lot, region, product, int(volume)) for lot, region, product, volume in cursor.fetchall()]


def insert_commitments(*, tender, shares: dict[int, Decimal], picks: dict[int, list[tuple[int, int, str]]]) -> int:
    """One commitment per demand report of the lots in `shares` (`insert_commitments_statement`); `picks`: lot id →
    [(region id, award id, how it was picked)]. Returns how many were written."""
    chosen = [(lot_id, region_id, award_id, how) for lot_id, rows in picks.items() for region_id, award_id, how in rows]
    params = {
        **_share_params(tender.pk, shares),
        "pick_lot_ids": [c[0] for c in chosen],
        "pick_region_ids": [c[1] for c in chosen],
        "pick_award_ids": [c[2] for c in chosen],
        "pick_texts": [c[3] for c in chosen],
        "cycle_start": tender.cycle_start,
        "cycle_end": tender.cycle_end,
        "named_won": evaluation.REASON_NAMED_WON,
        "named_lost": evaluation.REASON_NAMED_LOST,
        "unnamed": evaluation.REASON_UNNAMED,
        "zero": evaluation.REASON_ZERO,
    }
    with connection.cursor() as cursor:
        cursor.execute(insert_commitments_statement(), params)
        return cursor.rowcount
