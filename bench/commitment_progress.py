"""Agreed-volume progress over a province-size year of receipts, next to a hand-written SQL GROUP BY floor.

Generates, in a PostgreSQL database of its own (server-side bulk INSERT … SELECT over generate_series): 1,000
hospitals, 500 lots of one tender (cycle 2026), 100 manufacturers, each hospital committed to 100 lots (100,000
commitments), and 500,000 × scale orders of 10 lines each, delivered and received over the 12 months (5 million
receipt lines at scale 1: 80 % the selected product, 15 % a same-lot substitute, 5 % other lots), 1 % of them
partly returned. Then, each in a child process of its own (peak RSS is that process's):

- floor: one hand-written SQL statement (CTEs, a GROUP BY of receipt lines minus return lines per commitment ×
  month, a month skeleton, window sums) materialised into a table with the rows the progress table holds — every
  month of the cycle so far (zeros included) and a cycle-to-date row per commitment — and every figure it stores:
  flows, returns, substitutes, pro-rata, cumulative figures, completion, substitution ratio, projection, status;
- full: `progress_compute_all` (the nightly job: month skeleton, running sums, pro-rata, statuses, alerts,
  manufacturer roll-up, written to the progress tables) on an empty table; again with nothing changed; as of the
  day before; and the next night (which rewrites the rows whose figures moved: the last month and the cycle row);
- incremental: one more receipt line, then `progress_refresh_hospital` for its hospital.

"rows written" is how many rows each run changed, added or removed. The floor's rows are checked equal to the progress
table's, row for row and column for column (a difference names the columns and how many rows). Not a test:

    DATABASE_URL=postgres://…/yaoxie_bench python manage.py migrate
    DATABASE_URL=postgres://…/yaoxie_bench python -m bench.commitment_progress --scale 1

`--scale 0.1` runs in about a minute; data of an earlier run at the same scale is reused (`--regenerate` forces).
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import date, datetime, time, timedelta

from bench.common import bench_database_name, emit, peak_rss_mb, print_table, run_child, setup_django, timer

GOAL = 1.5
# The province's size, read when the set-up runs (and kept in bench_params for the year's chunks): each hospital
# commits to every fifth lot (LOTS a multiple of 5 whose fifth is at least 10 and no multiple of 31, so that an
# order's ten lines take ten distinct committed lots), and the year has 500,000 × scale orders, at least MIN_ORDERS.
# The tests shrink them; the defaults are the province of the results.
HOSPITALS, LOTS, MAKERS = 1000, 500, 100
MIN_ORDERS = 1000
AS_OF = date(2026, 12, 31)

# Every figure of the progress table, by the definitions of the model and the README ("Agreed-volume progress"), for
# the same rows: every month of every started commitment's cycle up to the date (zeros included), and one
# cycle-to-date row per commitment. Thresholds are the settings the job reads (COMMITMENT_PROGRESS).
FLOOR_SQL = """
CREATE TABLE bench_floor AS
WITH c AS (
    SELECT c.id, c.tender_id, c.lot_id, c.hospital_id, c.product_id, c.manufacturer_id,
           COALESCE(r.parent_id, r.id) AS region_id, c.agreed_volume, c.cycle_start, c.cycle_end,
           LEAST(c.cycle_end, %(as_of)s::date) AS upto, c.cycle_end - c.cycle_start + 1 AS cycle_days
    FROM procurement_commitment c
    JOIN accounts_organization h ON h.id = c.hospital_id
    LEFT JOIN accounts_region r ON r.id = h.region_id
    WHERE c.cycle_start <= %(as_of)s::date
),
-- the products a commitment counts: its selected product, and as substitutes the lot's other products (same generic
-- name, a dosage form of the lot; a lot without forms takes every form)
cp AS (
    SELECT c.id AS commitment_id, c.hospital_id, c.product_id, true AS selected, c.cycle_start, c.upto FROM c
    UNION ALL
    SELECT c.id, c.hospital_id, p.id, false, c.cycle_start, c.upto
    FROM c JOIN procurement_lot l ON l.id = c.lot_id
    JOIN catalog_product p ON p.generic_name = l.generic_name
     AND (jsonb_array_length(l.dosage_forms) = 0 OR l.dosage_forms @> jsonb_build_array(p.dosage_form))
    WHERE p.id <> c.product_id
),
-- and, as substitutes, what an order line bought as substitution_for the commitment (unless counted above)
named AS (
    SELECT c.id AS commitment_id, ol.id AS order_line_id, c.cycle_start, c.upto
    FROM procurement_purchaseorderline ol JOIN c ON c.id = ol.substitution_for_id
    WHERE ol.product_id <> c.product_id
      AND NOT EXISTS (SELECT 1 FROM cp WHERE cp.commitment_id = c.id AND cp.product_id = ol.product_id)
),
-- receipt lines count +, return lines − (dated by the return); returned units kept apart
counted AS (
    SELECT cp.commitment_id, cp.selected, x.received_on AS day, x.accepted_min_units AS units, x.amount,
           0 AS returned
    FROM procurement_receiptline x JOIN cp ON cp.hospital_id = x.hospital_id AND cp.product_id = x.product_id
    WHERE x.received_on BETWEEN cp.cycle_start AND cp.upto
    UNION ALL
    SELECT cp.commitment_id, cp.selected, x.returned_on, -x.min_units, -x.amount, x.min_units
    FROM procurement_goodsreturnline x JOIN cp ON cp.hospital_id = x.hospital_id AND cp.product_id = x.product_id
    WHERE x.returned_on BETWEEN cp.cycle_start AND cp.upto
    UNION ALL
    SELECT n.commitment_id, false, x.received_on, x.accepted_min_units, x.amount, 0
    FROM procurement_receiptline x JOIN named n ON n.order_line_id = x.order_line_id
    WHERE x.received_on BETWEEN n.cycle_start AND n.upto
    UNION ALL
    SELECT n.commitment_id, false, x.returned_on, -x.min_units, -x.amount, x.min_units
    FROM procurement_goodsreturnline x JOIN named n ON n.order_line_id = x.order_line_id
    WHERE x.returned_on BETWEEN n.cycle_start AND n.upto
),
flows AS (
    SELECT commitment_id, date_trunc('month', day)::date AS m,
           SUM(units) FILTER (WHERE selected) AS sel_units, SUM(amount) FILTER (WHERE selected) AS sel_amount,
           SUM(returned) FILTER (WHERE selected) AS ret_units,
           SUM(units) FILTER (WHERE NOT selected) AS sub_units, SUM(amount) FILTER (WHERE NOT selected) AS sub_amount
    FROM counted GROUP BY 1, 2
),
months AS (
    SELECT c.*, g.m::date AS m, GREATEST(g.m::date, c.cycle_start) AS period_start,
           LEAST((g.m + INTERVAL '1 month' - INTERVAL '1 day')::date, c.upto) AS period_end
    FROM c CROSS JOIN LATERAL generate_series(date_trunc('month', c.cycle_start), c.upto, INTERVAL '1 month') g(m)
),
running AS (
    SELECT mo.*, COALESCE(f.sel_units, 0) AS sel_units, COALESCE(f.sel_amount, 0) AS sel_amount,
           COALESCE(f.ret_units, 0) AS ret_units, COALESCE(f.sub_units, 0) AS sub_units,
           COALESCE(f.sub_amount, 0) AS sub_amount,
           SUM(COALESCE(f.sel_units, 0)) OVER w AS cum_units, SUM(COALESCE(f.sel_amount, 0)) OVER w AS cum_amount,
           SUM(COALESCE(f.ret_units, 0)) OVER w AS cum_ret, SUM(COALESCE(f.sub_units, 0)) OVER w AS cum_sub,
           SUM(COALESCE(f.sub_amount, 0)) OVER w AS cum_sub_amount,
           -- received over the last RATE_WINDOW_MONTHS months, this one included
           SUM(COALESCE(f.sel_units, 0)) OVER (PARTITION BY mo.id ORDER BY mo.m
               RANGE BETWEEN %(window_back)s::interval PRECEDING AND CURRENT ROW) AS recent_units,
           GREATEST((mo.m - %(window_back)s::interval)::date, mo.cycle_start) AS recent_start
    FROM months mo LEFT JOIN flows f ON f.commitment_id = mo.id AND f.m = mo.m
    WINDOW w AS (PARTITION BY mo.id ORDER BY mo.m)
),
periods AS (
    SELECT id, tender_id, lot_id, hospital_id, manufacturer_id, region_id, 'month' AS period_kind, period_start,
           period_end, agreed_volume, cycle_start, cycle_end, cycle_days, sel_units AS received_units,
           sel_amount AS received_amount, ret_units AS returned_units, sub_units AS substitute_units,
           sub_amount AS substitute_amount, cum_units, cum_amount, cum_sub, recent_units, recent_start
    FROM running
    UNION ALL
    SELECT id, tender_id, lot_id, hospital_id, manufacturer_id, region_id, 'cycle', cycle_start, period_end,
           agreed_volume, cycle_start, cycle_end, cycle_days, cum_units, cum_amount, cum_ret, cum_sub,
           cum_sub_amount, cum_units, cum_amount, cum_sub, recent_units, recent_start
    FROM running WHERE m = date_trunc('month', upto)
),
figures AS (
    SELECT *, period_end - cycle_start + 1 AS elapsed_days,
           agreed_volume * (period_end - cycle_start + 1) / cycle_days AS expected_units,
           cum_units + FLOOR(recent_units * (cycle_end - period_end) / (period_end - recent_start + 1))::bigint
               AS projected_units
    FROM periods
)
SELECT id AS commitment_id, tender_id, lot_id, hospital_id, manufacturer_id, region_id, period_kind, period_start,
       period_end, agreed_volume, expected_units, received_units, received_amount, returned_units, substitute_units,
       substitute_amount, cum_units AS cumulative_units, cum_amount AS cumulative_amount,
       cum_sub AS cumulative_substitute_units,
       CASE WHEN agreed_volume > 0 THEN ROUND(cum_units / agreed_volume, 4) END AS completion_rate,
       ROUND(cum_sub / NULLIF(cum_units + cum_sub, 0), 4) AS substitution_ratio,
       projected_units,
       CASE
           WHEN agreed_volume = 0 THEN CASE WHEN cum_units > 0 THEN 'over' ELSE 'completed' END
           WHEN cum_units > agreed_volume THEN 'over'
           WHEN cum_units >= agreed_volume THEN 'completed'
           WHEN elapsed_days <= %(grace_days)s THEN 'on_track'
           WHEN projected_units < %(at_risk_share)s * agreed_volume THEN 'at_risk'
           WHEN cum_units < %(behind_share)s * expected_units THEN 'behind'
           ELSE 'on_track'
       END AS status
FROM figures
"""

# Every column of the progress table the floor computes (the key is commitment, kind, start).
FIGURES = (
    "tender_id",
    "lot_id",
    "hospital_id",
    "manufacturer_id",
    "region_id",
    "period_end",
    "agreed_volume",
    "expected_units",
    "received_units",
    "received_amount",
    "returned_units",
    "substitute_units",
    "substitute_amount",
    "cumulative_units",
    "cumulative_amount",
    "cumulative_substitute_units",
    "completion_rate",
    "substitution_ratio",
    "projected_units",
    "status",
)


def floor_params() -> dict:
    """The computation date and the thresholds the job reads (settings.COMMITMENT_PROGRESS)."""
    from decimal import Decimal

    from django.conf import settings

    cfg = settings.COMMITMENT_PROGRESS
    return {
        "as_of": AS_OF,
        "window_back": f"{max(int(cfg['RATE_WINDOW_MONTHS']), 1) - 1} months",
        "grace_days": max(int(cfg["GRACE_DAYS"]), 0),
        "at_risk_share": Decimal(str(cfg["AT_RISK_SHARE"])),
        "behind_share": Decimal(str(cfg["BEHIND_SHARE"])),
    }


# --- data -----------------------------------------------------------------------------------------------------------


def generated_scale(cur) -> float | None:
    cur.execute("SELECT to_regclass('bench_meta') IS NOT NULL")
    if not cur.fetchone()[0]:
        return None
    cur.execute("SELECT scale FROM bench_meta")
    row = cur.fetchone()
    return row[0] if row else None


# Orders per chunk of the year's flows: 100,000 orders = 1 million lines, each chunk one transaction (a scale-5 year is
# 25 of them, each well under ten minutes; ``python -m bench.generate --part receipts --step next``).
CHUNK_ORDERS = 100_000


def orders_at(scale: float) -> int:
    return max(int(500_000 * scale), MIN_ORDERS)


def chunks(scale: float, chunk_orders: int | None = None) -> list[tuple[int, int]]:
    """The year's orders in ranges ``[first, last)`` of order index (order o = index + 1), in order."""
    orders, chunk_orders = orders_at(scale), chunk_orders or CHUNK_ORDERS
    return [(first, min(first + chunk_orders, orders)) for first in range(0, orders, chunk_orders)]


def generate(scale: float, chunk_orders: int | None = None) -> dict:
    """Small tables through the ORM, the big ones with INSERT … SELECT on the server: the set-up, the year's flows chunk
    by chunk, then the sequences, vacuum and statistics (what ``python -m bench.generate --step`` runs one step at a
    time gives the same rows)."""
    from django.db import transaction

    generate_setup(scale)
    for first, last in chunks(scale, chunk_orders):
        with transaction.atomic():
            generate_flows(first, last)
    for table in VACUUMED:
        vacuum(table)
    return generate_finish(scale)


def generate_setup(scale: float) -> dict:
    """Empty the flow tables, then the hospitals, makers, tender, lots, awards, listings (ORM) and the commitments."""
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Organization, Region, User
    from accounts.uscc import make_uscc
    from catalog.models import Product
    from procurement.models import Award, Bid, Listing, Lot, Tender

    def at(day: date):
        return timezone.make_aware(datetime.combine(day, time(9, 0)))

    orders = orders_at(scale)
    rng = random.Random(11)
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_meta, bench_lot, bench_hosp, bench_lines, bench_floor, bench_params")
        # TRUNCATE gives every table (and what refers to it) new files: not when there is nothing to empty
        if any(_holds_rows(cur, table) for table in EMPTIED):
            cur.execute(f"TRUNCATE {', '.join(EMPTIED)} CASCADE")
    with transaction.atomic():
        Product.objects.filter(generic_name__startswith="基准通用名").delete()
        User.objects.filter(username="bench_user").delete()
        Organization.objects.filter(name__startswith="基准").delete()
        user = User.objects.create(username="bench_user")
        regions = list(Region.objects.order_by("code"))
        hospitals = Organization.objects.bulk_create(
            [
                Organization(
                    kind="hospital",
                    name=f"基准医院{i:04d}",
                    region=regions[i % len(regions)],
                    uscc=make_uscc(rng, division_code=regions[i % len(regions)].code),
                    hospital_level="3",
                    hospital_type="general",
                    ownership="public",
                )
                for i in range(HOSPITALS)
            ]
        )
        makers = Organization.objects.bulk_create(
            [Organization(kind="manufacturer", name=f"基准制药{i:03d}有限公司") for i in range(MAKERS)]
        )
        distributor = Organization.objects.create(
            kind="distributor",
            name="基准配送有限公司",
            region=regions[0],
            uscc=make_uscc(rng, division_code=regions[0].code),
        )
        now = timezone.now()
        tender = Tender.objects.create(
            code="BENCH-2026",
            name="基准带量采购批次",
            demand_start=at(date(2025, 6, 1)),
            demand_end=at(date(2025, 7, 1)),
            bid_deadline=at(date(2025, 8, 1)),
            opening_at=at(date(2025, 8, 1)),
            cycle_start=date(2026, 1, 1),
            cycle_end=AS_OF,
            status="executing",
        )
        products = Product.objects.bulk_create(
            [
                Product(
                    category="chemical",
                    nhsa_code=f"XA01ABD075A0020{2 * k + s:08d}",
                    generic_name=f"基准通用名{k:03d}",
                    dosage_form="片剂",
                    specification="10mg",
                    pack_size=10,
                    min_unit="片",
                    pack_unit="盒",
                    manufacturer=makers[(k + s) % MAKERS],
                    approval_number="国药准字H20067255",
                )
                for k in range(LOTS)
                for s in (0, 1)
            ]
        )
        lots = Lot.objects.bulk_create(
            [
                Lot(
                    tender=tender,
                    number=f"{k:03d}",
                    generic_name=f"基准通用名{k:03d}",
                    dosage_forms=["片剂"],
                    max_price="1.0000",
                )
                for k in range(LOTS)
            ]
        )
        bids = Bid.objects.bulk_create(
            [
                Bid(
                    tender=tender,
                    lot=lots[k],
                    manufacturer=makers[k % MAKERS],
                    product=products[2 * k],
                    sealed_price="x",
                    seal_hash="0" * 64,
                    price="0.5000",
                    comparison_price="0.5000",
                    supply_capacity=10**9,
                    status="selected",
                    submitted_at=now,
                    submitted_by=user,
                )
                for k in range(LOTS)
            ]
        )
        awards = Award.objects.bulk_create(
            [
                Award(
                    tender=tender,
                    lot=lots[k],
                    bid=bids[k],
                    manufacturer=makers[k % MAKERS],
                    product=products[2 * k],
                    rank=1,
                    awarded_price="0.5000",
                    comparison_price="0.5000",
                )
                for k in range(LOTS)
            ]
        )
        listings = Listing.objects.bulk_create(
            [
                Listing(
                    product=products[2 * k + s],
                    manufacturer=products[2 * k + s].manufacturer,
                    unit_price="0.5000" if s == 0 else "0.6000",
                    pack_price="5.00" if s == 0 else "6.00",
                    valid_from=date(2026, 1, 1),
                    source="tender_award" if s == 0 else "application",
                    award=awards[k] if s == 0 else None,
                )
                for k in range(LOTS)
                for s in (0, 1)
            ]
        )
    with transaction.atomic(), connection.cursor() as cur:  # one commit, not one per row
        cur.execute("CREATE TABLE bench_hosp (h int PRIMARY KEY, id bigint)")
        cur.executemany("INSERT INTO bench_hosp VALUES (%s, %s)", [(i, h.pk) for i, h in enumerate(hospitals)])
        cur.execute("""CREATE TABLE bench_lot (k int PRIMARY KEY, lot_id bigint, award_id bigint, sel_product bigint,
            sel_listing bigint, sel_mfr bigint, sub_product bigint, sub_listing bigint, sub_mfr bigint)""")
        cur.executemany(
            "INSERT INTO bench_lot VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    k,
                    lots[k].pk,
                    awards[k].pk,
                    products[2 * k].pk,
                    listings[2 * k].pk,
                    products[2 * k].manufacturer_id,
                    products[2 * k + 1].pk,
                    listings[2 * k + 1].pk,
                    products[2 * k + 1].manufacturer_id,
                )
                for k in range(LOTS)
            ],
        )
        # what the flows' chunks read: the ids of the set-up's rows
        cur.execute(
            "CREATE TABLE bench_params (tender bigint, usr bigint, dist bigint, orders int, hospitals int, lots int)"
        )
        cur.execute(
            "INSERT INTO bench_params VALUES (%s, %s, %s, %s, %s, %s)",
            [tender.pk, user.pk, distributor.pk, orders, HOSPITALS, LOTS],
        )
        cur.execute("SET session_replication_role = replica")
        cur.execute(COMMITMENTS_SQL, {"tender": tender.pk})
        cur.execute("SET session_replication_role = DEFAULT")
    return {"orders": orders, "commitments": HOSPITALS * LOTS // 5}


# The ordering flow's tables, children first (the settlement month's benchmark empties them too).
ORDER_FLOW_TABLES = (
    "procurement_goodsreturnline",
    "procurement_goodsreturn",
    "procurement_receiptline",
    "procurement_receipt",
    "procurement_deliveryline",
    "procurement_delivery",
    "procurement_purchaseorderline",
    "procurement_orderevent",
    "procurement_purchaseorder",
)
# What the set-up empties (with what refers to it) before it writes.
EMPTIED = (
    *ORDER_FLOW_TABLES,
    "procurement_commitmentprogress",
    "procurement_commitmentalertstate",
    "procurement_manufacturerprogress",
    "procurement_progressrun",
    "common_notification",
    "common_outboxmessage",
    "procurement_commitment",
    "procurement_listing",
    "procurement_award",
    "procurement_bid",
    "procurement_lot",
    "procurement_tender",
)


def _holds_rows(cur, table: str) -> bool:
    cur.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
    return cur.fetchone()[0]


def generate_flows(first: int, last: int) -> int:
    """Orders ``first + 1`` … ``last`` (index range ``[first, last)``) with their lines, deliveries, receipts and
    returns: ten lines an order, every id computed from the line's number, so that the rows do not depend on how the
    year is cut into chunks. Run it in a transaction (the chunk is then all or nothing); returns the lines written."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT tender, usr, dist, hospitals, lots FROM bench_params")
        tender, user, dist, hospitals, lots = cur.fetchone()
        params = {"tender": tender, "user": user, "dist": dist, "first": first, "last": last}
        params |= {"hospitals": hospitals, "lots": lots, "committed": lots // 5}
        cur.execute("SET LOCAL session_replication_role = replica")
        for sql in FLOWS_SQL:
            cur.execute(sql, params)
    return (last - first) * 10


def vacuum(table: str) -> None:
    """Vacuumed as well as analysed: a table in use has its hint bits set and its visibility map current, and a freshly
    filled one would have autovacuum reach it during whichever run comes next (the floor's or ours). One table at a time
    (at scale 5 each is its own step of a few minutes)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"VACUUM (ANALYZE) {table}")


def generate_finish(scale: float) -> dict:
    """The sequences past the generated ids, the database's statistics, and ``bench_meta`` (written last: a
    generation that failed half-way is not reused)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT orders FROM bench_params")
        orders = cur.fetchone()[0]
        for sql in SEQUENCES_SQL:
            cur.execute(sql)
        cur.execute("ANALYZE")
        cur.execute("SELECT count(*) FROM procurement_receiptline")
        lines = cur.fetchone()[0]
        cur.execute("DROP TABLE IF EXISTS bench_meta")
        cur.execute("CREATE TABLE bench_meta (scale float, orders int)")
        cur.execute("INSERT INTO bench_meta VALUES (%s, %s)", [scale, orders])
    return {"orders": orders, "lines": lines}


# The tables the generation fills with the year's flows.
VACUUMED = (
    "procurement_commitment",
    "procurement_purchaseorder",
    "procurement_purchaseorderline",
    "procurement_delivery",
    "procurement_deliveryline",
    "procurement_receipt",
    "procurement_receiptline",
    "procurement_goodsreturn",
    "procurement_goodsreturnline",
)

# Each hospital h commits to the lots k with (h + k) % 5 = 0: 100 lots each (foreign keys are right by construction:
# their triggers are skipped, session_replication_role = replica).
COMMITMENTS_SQL = """INSERT INTO procurement_commitment (tender_id, lot_id, hospital_id, award_id, product_id, manufacturer_id,
        reported_volume, agreed_volume, agreed_amount, cycle_start, cycle_end, reason)
    SELECT %(tender)s, l.lot_id, h.id, l.award_id, l.sel_product, l.sel_mfr,
           1000 + (h.h * 7 + l.k * 13) %% 8000, 1000 + (h.h * 7 + l.k * 13) %% 8000,
           (1000 + (h.h * 7 + l.k * 13) %% 8000) * 0.5, DATE '2026-01-01', DATE '2026-12-31', ''
    FROM bench_hosp h JOIN bench_lot l ON (h.h + l.k) %% 5 = 0"""

# One chunk of the year: orders [first, last) of index. Line n of order o = n / 10 + 1 (hospital o % hospitals, its
# t-th order t = o / hospitals): one of the hospital's lots / 5 committed lots, distinct within the order and moving
# with t so every commitment gets lines; 80 % selected, 15 % substitute, 5 % the selected product of a lot the
# hospital has no commitment for. Every id is the line's or the order's number (a return line's n / 100 + 1), so the
# rows are the same however the year is cut.
FLOWS_SQL = [
    "DROP TABLE IF EXISTS bench_lines",
    """CREATE UNLOGGED TABLE bench_lines AS
    SELECT n, o, hosp.id AS hospital_id, DATE '2026-01-01' + CAST((o * 7919) %% 365 AS integer) AS day,
           CASE WHEN n %% 20 < 16 THEN l.sel_product WHEN n %% 20 < 19 THEN l.sub_product ELSE nl.sel_product END AS product_id,
           CASE WHEN n %% 20 < 16 THEN l.sel_listing WHEN n %% 20 < 19 THEN l.sub_listing ELSE nl.sel_listing END AS listing_id,
           CASE WHEN n %% 20 < 16 THEN l.sel_mfr WHEN n %% 20 < 19 THEN l.sub_mfr ELSE nl.sel_mfr END AS manufacturer_id,
           CASE WHEN n %% 20 < 16 THEN l.award_id WHEN n %% 20 < 19 THEN NULL ELSE nl.award_id END AS award_id,
           CASE WHEN n %% 20 BETWEEN 16 AND 18 THEN 0.6000 ELSE 0.5000 END AS unit_price,
           1 + n %% 20 AS packs
    FROM (SELECT n, n / 10 + 1 AS o FROM generate_series(%(first)s::bigint * 10, %(last)s::bigint * 10 - 1) n) g
    JOIN bench_hosp hosp ON hosp.h = g.o %% %(hospitals)s
    JOIN bench_lot l ON l.k = ((5 * ((31 * (n %% 10) + 13 * (g.o / %(hospitals)s)) %% %(committed)s) - hosp.h)
                               %% %(lots)s + %(lots)s) %% %(lots)s
    JOIN bench_lot nl ON nl.k = (l.k + 1) %% %(lots)s""",
    """INSERT INTO procurement_purchaseorder (id, number, status, urgent, hospital_remarks, distributor_remarks,
        idempotency_key, total_amount, line_count, version, created_at, updated_at, submitted_at, reject_reason,
        close_reason, cancel_reason, response_overdue, delivery_overdue, listing_flag, listing_flag_reason,
        created_by_id, distributor_id, hospital_id)
    SELECT o, 'PO' || o, 'received', false, '', '', '', 0, 10, 1, day - 2, day, day - 2, '', '', '', false, false,
           false, '', %(user)s, %(dist)s, hospital_id
    FROM bench_lines WHERE n %% 10 = 0""",
    """INSERT INTO procurement_purchaseorderline (id, order_id, line_no, listing_id, product_id, manufacturer_id, award_id,
        packs, pack_size, min_units, unit_price, pack_price, amount, packs_shipped, packs_accepted, packs_rejected,
        packs_returned, remarks)
    SELECT n + 1, o, n %% 10 + 1, listing_id, product_id, manufacturer_id, award_id, packs, 10, packs * 10,
           unit_price, unit_price * 10, unit_price * packs * 10, packs, packs, 0, 0, ''
    FROM bench_lines""",
    """INSERT INTO procurement_delivery (id, number, order_id, distributor_id, hospital_id, invoice_number,
        invoice_amount, shipped_at, shipped_by_id, remarks, received)
    SELECT o, 'DL' || o, o, %(dist)s, hospital_id, 'INV' || o, 0, day - 1, %(user)s, '', true
    FROM bench_lines WHERE n %% 10 = 0""",
    """INSERT INTO procurement_deliveryline (id, delivery_id, order_line_id, packs, min_units, batch_number, expiry_date)
    SELECT n + 1, o, n + 1, packs, packs * 10, 'B1', DATE '2028-12-31' FROM bench_lines""",
    """INSERT INTO procurement_receipt (id, delivery_id, order_id, hospital_id, distributor_id, received_at,
        received_by_id, accepted_amount, remarks)
    SELECT o, o, o, hospital_id, %(dist)s, day, %(user)s, 0, '' FROM bench_lines WHERE n %% 10 = 0""",
    """INSERT INTO procurement_receiptline (id, receipt_id, delivery_line_id, order_line_id, accepted_packs,
        rejected_packs, reject_reason, hospital_id, distributor_id, product_id, manufacturer_id, listing_id, award_id,
        supply_class, unit_price, amount, received_on, accepted_min_units)
    SELECT n + 1, o, n + 1, n + 1, packs, 0, '', hospital_id, %(dist)s, product_id, manufacturer_id, listing_id,
           award_id, 'drug', unit_price, unit_price * packs * 10, day, packs * 10
    FROM bench_lines""",
    """INSERT INTO procurement_goodsreturn (id, number, order_id, hospital_id, distributor_id, reason, returned_at,
        returned_by_id, amount)
    SELECT n + 1, 'RT' || n, o, hospital_id, %(dist)s, '质量问题', LEAST(day + 10, DATE '2026-12-31'), %(user)s,
           unit_price * 10
    FROM bench_lines WHERE n %% 100 = 7""",
    """INSERT INTO procurement_goodsreturnline (id, goods_return_id, receipt_line_id, order_line_id, packs, reason,
        hospital_id, distributor_id, product_id, manufacturer_id, listing_id, award_id, supply_class, unit_price,
        amount, returned_on, min_units)
    SELECT n / 100 + 1, n + 1, n + 1, n + 1, 1, '质量问题', hospital_id, %(dist)s, product_id, manufacturer_id, listing_id,
           award_id, 'drug', unit_price, unit_price * 10, LEAST(day + 10, DATE '2026-12-31'), 10
    FROM bench_lines WHERE n %% 100 = 7""",
    "DROP TABLE bench_lines",
]

# The tables' id sequences past the generated ids (the benchmarks then add rows of their own).
SEQUENCES_SQL = [
    *[
        f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {t}))"
        for t in (
            "procurement_purchaseorder",
            "procurement_purchaseorderline",
            "procurement_delivery",
            "procurement_deliveryline",
            "procurement_receipt",
            "procurement_receiptline",
            "procurement_goodsreturn",
            "procurement_goodsreturnline",
        )
    ],
]


# --- measured paths (each in a child process) -----------------------------------------------------------------------


def child(path: str) -> None:
    setup_django()
    from django.db import connection
    from django.db.models import Exists, OuterRef

    from procurement.models import Commitment, ReceiptLine
    from procurement.services.progress import progress_compute_all, progress_refresh_hospital

    result: dict = {}
    if path == "floor":
        with connection.cursor() as cur, timer() as t:
            cur.execute("DROP TABLE IF EXISTS bench_floor")
            cur.execute(FLOOR_SQL, floor_params())
            cur.execute("SELECT count(*) FROM bench_floor")
            result["rows"] = cur.fetchone()[0]
    elif path.startswith("full"):
        as_of = AS_OF - timedelta(days=1) if path == "full-day-before" else AS_OF
        with timer() as t:
            run = progress_compute_all(as_of=as_of)
        result["rows"] = run.written
        result["status"] = run.status
    elif path == "incremental":
        # A receipt of a committed product: it changes that commitment's last month and cycle rows.
        committed = Commitment.objects.filter(hospital_id=OuterRef("hospital_id"), product_id=OuterRef("product_id"))
        line = ReceiptLine.objects.filter(Exists(committed)).order_by("-id").first()
        with connection.cursor() as cur:  # one more delivery line of the same order line, received
            cur.execute(
                """INSERT INTO procurement_deliveryline (delivery_id, order_line_id, packs, min_units,
                batch_number, expiry_date) SELECT delivery_id, order_line_id, packs, min_units, 'B2', expiry_date
                FROM procurement_deliveryline WHERE id = %s RETURNING id""",
                [line.delivery_line_id],
            )
            extra_delivery_line = cur.fetchone()[0]
            cur.execute(
                """INSERT INTO procurement_receiptline (receipt_id, delivery_line_id, order_line_id,
                accepted_packs, rejected_packs, reject_reason, hospital_id, distributor_id, product_id, manufacturer_id,
                listing_id, award_id, supply_class, unit_price, amount, received_on, accepted_min_units)
                SELECT receipt_id, %s, order_line_id, accepted_packs, 0, '', hospital_id, distributor_id, product_id,
                  manufacturer_id, listing_id, award_id, supply_class, unit_price, amount, received_on,
                  accepted_min_units
                FROM procurement_receiptline WHERE id = %s""",
                [extra_delivery_line, line.pk],
            )
        with timer() as t:
            run = progress_refresh_hospital(hospital_id=line.hospital_id, as_of=AS_OF)
        result["rows"] = run.written
        with connection.cursor() as cur:  # back to the generated data (the full runs and the check use it)
            cur.execute("DELETE FROM procurement_receiptline WHERE delivery_line_id = %s", [extra_delivery_line])
            cur.execute("DELETE FROM procurement_deliveryline WHERE id = %s", [extra_delivery_line])
        progress_refresh_hospital(hospital_id=line.hospital_id, as_of=AS_OF)
    result["seconds"] = t["seconds"]
    result["peak_rss_mb"] = peak_rss_mb()
    emit(result)


def check_equal() -> tuple[str, tuple[dict, dict]]:
    """The floor's rows against the progress table's, row for row and column for column: the same rows (every month
    and the cycle), and in them every figure equal (NULLs equal). Returns the verdict and what each side holds (rows,
    cycle totals, and figures differing from the other side's: the job's count, the floor being the reference)."""
    from django.db import connection

    counts = ", ".join(f"count(*) FILTER (WHERE p.{col} IS DISTINCT FROM f.{col})" for col in FIGURES)
    with connection.cursor() as cur:
        cur.execute(f"""
            SELECT count(*) FILTER (WHERE p.commitment_id IS NULL), count(*) FILTER (WHERE f.commitment_id IS NULL),
                   {counts}
            FROM bench_floor f FULL JOIN procurement_commitmentprogress p
              ON p.commitment_id = f.commitment_id AND p.period_kind = f.period_kind
             AND p.period_start = f.period_start""")
        only_floor, only_job, *differ = cur.fetchone()
        totals = (
            "SELECT count(*), SUM(received_units) FILTER (WHERE period_kind = 'cycle'), "
            "SUM(received_amount) FILTER (WHERE period_kind = 'cycle') FROM {}"
        )
        sides = []
        for table in ("procurement_commitmentprogress", "bench_floor"):
            cur.execute(totals.format(table))
            count, units, amount = cur.fetchone()
            sides.append({"rows": count, "cycle units": units or 0, "cycle amount": amount or 0})
        rows, total = sides[1]["rows"], sides[1]["cycle units"]
    sides[0]["figures differing"], sides[1]["figures differing"] = sum(differ), 0
    work = (sides[0], sides[1])
    problems = (
        [f"{n} rows only in the floor" for n in [only_floor] if n]
        + [f"{n} rows only in the job's table" for n in [only_job] if n]
        + [f"{col} in {n} rows" for col, n in zip(FIGURES, differ, strict=True) if n]
    )
    if problems:
        return "DIFFERENT: " + "; ".join(problems), work
    return (
        f"equal, row for row and in all {len(FIGURES)} columns ({rows:,} rows, net selected units {total or 0:,})"
    ), work


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 5 million receipt lines")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--child", choices=["floor", "full", "full-day-before", "incremental"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return 0
    bench_database_name()
    setup_django()
    from django.db import connection

    with connection.cursor() as cur:
        have = generated_scale(cur)
    if args.regenerate or have != args.scale:
        print(f"generating scale {args.scale} …", flush=True)
        with timer() as t:
            info = generate(args.scale)
        print(
            f"generated {info['lines']:,} receipt lines ({info['orders']:,} orders) in {t['seconds']:.0f} s", flush=True
        )
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM procurement_receiptline")
        lines = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM procurement_goodsreturnline")
        returns = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM procurement_commitment")
        commitments = cur.fetchone()[0]
        cur.execute("TRUNCATE procurement_commitmentprogress, procurement_commitmentalertstate, common_notification")

    def measure(path: str) -> dict:
        result = run_child("bench.commitment_progress", ["--child", path])
        print(f"  {path}: {result}", flush=True)
        return result

    floor = measure("floor")
    first = measure("full")
    again = measure("full")
    before = measure("full-day-before")
    night = measure("full")
    incremental = measure("incremental")
    verdict, _ = check_equal()

    def row(label: str, r: dict) -> list:
        return [label, r["seconds"], r["seconds"] / floor["seconds"], r["rows"], r["peak_rss_mb"]]

    print_table(
        ["path", "seconds", "× floor", "rows written", "peak RSS MiB"],
        [
            row("floor: hand-written SQL, every figure, into a table", floor),
            row("full recompute, empty table", first),
            row("full recompute again, nothing changed", again),
            row(f"full recompute as of the day before ({AS_OF - timedelta(days=1)})", before),
            row("full recompute the next night (nightly)", night),
            row("incremental: one hospital after one receipt", incremental),
        ],
        title=(
            f"commitment progress — {lines:,} receipt lines, {returns:,} return lines, {commitments:,} commitments, "
            f"scale {args.scale}; goal ≤ {GOAL} × floor"
        ),
    )
    print(f"figures: {verdict}; incremental / nightly full = {incremental['seconds'] / night['seconds']:.4f}")
    return 0


def run_paths() -> tuple[dict, dict, dict, dict]:
    """The floor, the full job on an empty and on a filled table, one hospital's refresh: each in its own process."""
    me = "bench.commitment_progress"
    return tuple(run_child(me, ["--child", path]) for path in ("floor", "full", "full", "incremental"))


def suite_rows(scale: float, *, quick: bool = False) -> list[dict]:
    """The suite's lines (bench.suite): the province's receipts from bench.generate (reused at the same scale)."""
    from bench.common import suite_row
    from bench.generate import drop_receipts, receipts

    setup_django()
    from django.db import connection

    info = receipts(scale)
    with connection.cursor() as cur:
        cur.execute("TRUNCATE procurement_commitmentprogress, procurement_commitmentalertstate, common_notification")
    floor, first, again, incremental = run_paths()
    # the table as the runs left it (the incremental run's receipt taken back and refreshed) against the floor's
    _, work = check_equal()
    drop_receipts()
    label = f"commitment progress, {info['lines']:,} receipt lines"
    return [
        suite_row(
            f"{label}: full, empty table",
            first["seconds"],
            floor["seconds"],
            goal=GOAL,
            rss=first["peak_rss_mb"],
            work=work,
        ),
        suite_row(
            f"{label}: full, again with nothing changed",
            again["seconds"],
            floor["seconds"],
            goal=GOAL,
            rss=again["peak_rss_mb"],
            work=work,
        ),
        suite_row(
            "commitment progress: one hospital after one receipt (vs full)",
            incremental["seconds"],
            again["seconds"],
            rss=incremental["peak_rss_mb"],
            note="incremental",
            work=work,
        ),
    ]


if __name__ == "__main__":
    sys.exit(main())
