"""One month's settlement statements for a province, next to hand-written SQL of the same amounts, same run.

Default: 1,000 hospitals × 100 manufacturers (one awarded product each), 10 receipt lines per hospital and
manufacturer — 1,000,000 receipt lines in the month — with 2 % of them partly returned and price corrections on five
listings. Orders, deliveries, receipts and returns are generated server-side with INSERT … SELECT over
generate_series (bulk, no row-by-row Python).

"ours" is `settlement.generation.generate_statements` (all pooling regions: on PostgreSQL ranges of hospitals of about
25,000 statements, each range one transaction and one statement writing statements, lines and settled returns). Two
floors on a plain psycopg connection, same data:
- "SQL aggregate": one SELECT computing each manufacturer × hospital net amount (gross − returns + corrections);
- "SQL build": the same statements, lines and settled returns written by hand (one transaction, data-modifying CTEs)
  into tables identical to the real ones — logged, same defaults, check constraints, indexes, foreign keys and
  fillfactor — so that the ratio measures the generation's own overhead, not the schema's cost.
Each floor's output is compared with ours in the same run: the SQL build's statements, lines, settled returns and
their amounts with the generation's, the aggregate's pairs and amounts (per statement, to the fen) with the
statements'. In a database of its own whose name contains `bench` (the benchmark empties the ordering and settlement
tables there, before and after):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yaoxie_bench .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yaoxie_bench .venv/bin/python -m bench.settlement_batch

`--only-data` builds the month and stops; `--reuse` then times again on it (only the settlement tables are emptied).
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from decimal import Decimal

from bench.commitment_progress import ORDER_FLOW_TABLES
from bench.common import (
    bench_database_name,
    digest,
    peak_rss_mb,
    pg_connect,
    print_table,
    setup_django,
    suite_row,
    timer,
)

GOAL = 1.5
PREFIX = "BENCHSB"
SETTLEMENT_TABLES = [
    "settlement_settledreturn",
    "settlement_settlementline",
    "settlement_statementevent",
    "settlement_payment",
    "settlement_historicalsettlementstatement",
    "settlement_settlementstatement",
    "settlement_settlementrun",
    "settlement_joblock",
]
TABLES = [
    *SETTLEMENT_TABLES,
    "settlement_pricecorrection",
    "settlement_historicalpricecorrection",
    *ORDER_FLOW_TABLES,
]


def empty_tables(tables=TABLES) -> None:
    with pg_connect() as conn, conn.cursor() as c:
        c.execute(f"TRUNCATE {', '.join(tables)} CASCADE")


def existing_month(period: date) -> dict | None:
    """The sizes of a month left by `--only-data`/`--keep`, or None when there is none."""
    with pg_connect() as conn, conn.cursor() as c:
        c.execute("SELECT count(*) FROM procurement_receiptline WHERE received_on >= %s", [period])
        receipt_lines = c.fetchone()[0]
        c.execute("SELECT count(*) FROM procurement_goodsreturnline")
        return_lines = c.fetchone()[0]
    return {"receipt_lines": receipt_lines, "return_lines": return_lines} if receipt_lines else None


def build(hospitals: int, makers: int, per_pair: int, period: date, seed: int = 5) -> dict:
    """Organisations, products, one tender with an award and listing per manufacturer (ORM, small), then the month's
    orders, deliveries, receipts and returns (SQL, bulk)."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Organization, Region, User
    from catalog.models import Product
    from procurement.models import Award, Bid, Listing, Lot, Tender
    from settlement.generation import fund_for_region

    rng = random.Random(seed)
    leagues = list(Region.objects.filter(level="league_city").order_by("code"))
    counties = list(Region.objects.filter(level="banner_county").order_by("code"))
    places = leagues + counties
    taken = set(Organization.objects.exclude(uscc=None).values_list("uscc", flat=True))

    def make_uscc(rng, division_code):  # unique across reruns of the benchmark in the same database
        from accounts.uscc import make_uscc as draw

        code = draw(rng, division_code=division_code)
        while code in taken:
            code = draw(rng, division_code=division_code)
        taken.add(code)
        return code

    with transaction.atomic():
        # every pooling region's fund, as the generation makes sure of before it matches lines to funds: on a fresh
        # database there is none yet, and the floor (timed first) would find no fund for any line
        for league in leagues:
            fund_for_region(league)
        agency = Organization.objects.filter(name=f"{PREFIX}医保局").first() or Organization.objects.create(
            kind="agency", name=f"{PREFIX}医保局", uscc=make_uscc(rng, division_code=leagues[0].code), region=leagues[0]
        )
        user = User.objects.filter(username=f"{PREFIX.lower()}_user").first() or User.objects.create(
            username=f"{PREFIX.lower()}_user", organization=agency
        )
        dist = Organization.objects.filter(name=f"{PREFIX}配送").first() or Organization.objects.create(
            kind="distributor",
            name=f"{PREFIX}配送",
            uscc=make_uscc(rng, division_code=leagues[0].code),
            region=leagues[0],
        )
        maker_rows = list(Organization.objects.filter(kind="manufacturer", name__startswith=PREFIX).order_by("pk"))
        if len(maker_rows) < makers:
            Organization.objects.bulk_create(
                [
                    Organization(
                        kind="manufacturer",
                        name=f"{PREFIX}制药{i:03d}",
                        uscc=make_uscc(rng, division_code=leagues[0].code),
                        region=leagues[0],
                    )
                    for i in range(len(maker_rows), makers)
                ]
            )
            maker_rows = list(Organization.objects.filter(kind="manufacturer", name__startswith=PREFIX).order_by("pk"))
        maker_rows = maker_rows[:makers]
        hosp_rows = list(Organization.objects.filter(kind="hospital", name__startswith=PREFIX).order_by("pk"))
        if len(hosp_rows) < hospitals:
            Organization.objects.bulk_create(
                [
                    Organization(
                        kind="hospital",
                        name=f"{PREFIX}医院{i:04d}",
                        region=places[i % len(places)],
                        uscc=make_uscc(rng, division_code=places[i % len(places)].code),
                        hospital_level="2",
                        hospital_type="general",
                        ownership="public",
                    )
                    for i in range(len(hosp_rows), hospitals)
                ],
                batch_size=1000,
            )
            hosp_rows = list(Organization.objects.filter(kind="hospital", name__startswith=PREFIX).order_by("pk"))
        hosp_rows = hosp_rows[:hospitals]
        now = timezone.now()
        tender = Tender.objects.filter(code=f"{PREFIX}-T").first() or Tender.objects.create(
            code=f"{PREFIX}-T",
            name="结算基准批次",
            demand_start=now - timedelta(days=400),
            demand_end=now - timedelta(days=390),
            bid_deadline=now - timedelta(days=380),
            opening_at=now - timedelta(days=379),
            cycle_start=period - timedelta(days=200),
            cycle_end=period + timedelta(days=200),
            status="executing",
        )
        listed = set(Listing.objects.filter(award__tender=tender).values_list("manufacturer_id", flat=True))
        for maker in maker_rows:  # one awarded product and listing per manufacturer
            if maker.pk in listed:
                continue
            product = Product.objects.create(
                category="chemical",
                nhsa_code=f"{PREFIX}{maker.pk:07d}",
                generic_name=f"{PREFIX}品种{maker.pk}片",
                dosage_form="片剂",
                specification="10mg",
                pack_size=10,
                min_unit="片",
                pack_unit="盒",
                manufacturer=maker,
            )
            lot = Lot.objects.create(
                tender=tender, number=f"{maker.pk}", generic_name=product.generic_name, max_price=Decimal("2")
            )
            price = Decimal(rng.randint(1000, 19999)) / Decimal(10000)
            bid = Bid.objects.create(
                tender=tender,
                lot=lot,
                manufacturer=maker,
                product=product,
                sealed_price="x",
                seal_hash="0" * 64,
                price=price,
                comparison_price=price,
                supply_capacity=10**9,
                status="selected",
                submitted_at=now,
                submitted_by=user,
            )
            award = Award.objects.create(
                tender=tender,
                lot=lot,
                bid=bid,
                manufacturer=maker,
                product=product,
                rank=1,
                awarded_price=price,
                comparison_price=price,
            )
            Listing.objects.create(
                product=product,
                manufacturer=maker,
                unit_price=price,
                pack_price=price * 10,
                valid_from=tender.cycle_start,
                source="tender_award",
                award=award,
            )
    hospital_ids = [h.pk for h in hosp_rows]
    maker_ids = [m.pk for m in maker_rows]
    start, days = period, 28
    with pg_connect() as conn, conn.cursor() as c:
        c.execute("SET LOCAL synchronous_commit = off")
        # the rows' references are right by construction (as bench.generate's): no foreign-key trigger per row, which
        # at commit cost more than the inserts (5 million receipt lines at scale 5); the flow tables' only other
        # triggers guard deletes
        c.execute("SET LOCAL session_replication_role = replica")
        c.execute(
            """
            CREATE TEMP TABLE b_listing ON COMMIT DROP AS
            SELECT l.id AS listing_id, l.product_id, l.manufacturer_id, l.award_id, l.unit_price, l.pack_price
            FROM procurement_listing l JOIN procurement_award a ON a.id = l.award_id WHERE a.tender_id = %s
              AND l.manufacturer_id = ANY(%s)""",
            [tender.pk, maker_ids],
        )
        c.execute(
            """
            INSERT INTO procurement_purchaseorder (number, status, urgent, hospital_remarks, distributor_remarks,
              idempotency_key, total_amount, line_count, version, created_at, updated_at, reject_reason, close_reason,
              cancel_reason, response_overdue, delivery_overdue, listing_flag, listing_flag_reason, created_by_id,
              distributor_id, hospital_id)
            SELECT 'BS' || h || '-' || b.manufacturer_id, 'received', false, '', '', '', 0, 1, 1, now(), now(), '', '', '',
                   false, false, false, '', %s, %s, h
            FROM unnest(%s::bigint[]) h CROSS JOIN b_listing b""",
            [user.pk, dist.pk, hospital_ids],
        )
        c.execute("""
            INSERT INTO procurement_purchaseorderline (order_id, line_no, listing_id, product_id, manufacturer_id, award_id,
              packs, pack_size, min_units, unit_price, pack_price, amount, packs_shipped, packs_accepted, packs_rejected,
              packs_returned, remarks)
            SELECT o.id, 1, b.listing_id, b.product_id, b.manufacturer_id, b.award_id, 1000, 10, 10000, b.unit_price,
                   b.pack_price, b.pack_price * 1000, 1000, 1000, 0, 0, ''
            FROM procurement_purchaseorder o JOIN b_listing b ON o.number = 'BS' || o.hospital_id || '-' || b.manufacturer_id
            WHERE o.number LIKE 'BS%%'""")
        c.execute(
            """
            INSERT INTO procurement_delivery (number, order_id, distributor_id, hospital_id, invoice_number, invoice_amount,
              shipped_at, shipped_by_id, remarks, received)
            SELECT 'BD' || o.id, o.id, o.distributor_id, o.hospital_id, 'INV' || o.id, 0, now(), %s, '', true
            FROM procurement_purchaseorder o WHERE o.number LIKE 'BS%%'""",
            [user.pk],
        )
        c.execute(
            """
            INSERT INTO procurement_deliveryline (delivery_id, order_line_id, packs, min_units, batch_number, expiry_date)
            SELECT d.id, ol.id, 1 + ((d.id * 7 + g * 13) %% 20), (1 + ((d.id * 7 + g * 13) %% 20)) * 10, 'B' || g, %s
            FROM procurement_delivery d JOIN procurement_purchaseorderline ol ON ol.order_id = d.order_id
            CROSS JOIN generate_series(1, %s) g WHERE d.number LIKE 'BD%%'""",
            [period + timedelta(days=700), per_pair],
        )
        c.execute(
            """
            INSERT INTO procurement_receipt (delivery_id, order_id, hospital_id, distributor_id, received_at, received_by_id,
              accepted_amount, remarks)
            SELECT d.id, d.order_id, d.hospital_id, d.distributor_id, now(), %s, 0, ''
            FROM procurement_delivery d WHERE d.number LIKE 'BD%%'""",
            [user.pk],
        )
        c.execute(
            """
            INSERT INTO procurement_receiptline (receipt_id, delivery_line_id, order_line_id, hospital_id, distributor_id,
              product_id, manufacturer_id, listing_id, award_id, supply_class, unit_price, amount, accepted_packs,
              rejected_packs, reject_reason, received_on, accepted_min_units)
            SELECT r.id, dl.id, ol.id, r.hospital_id, r.distributor_id, ol.product_id, ol.manufacturer_id, ol.listing_id,
                   ol.award_id, 'drug', ol.unit_price, ROUND(ol.unit_price * dl.min_units, 2), dl.packs, 0, '',
                   %s::date + (dl.id %% %s)::int, dl.min_units
            FROM procurement_deliveryline dl JOIN procurement_receipt r ON r.delivery_id = dl.delivery_id
            JOIN procurement_purchaseorderline ol ON ol.id = dl.order_line_id""",
            [start, days],
        )
        c.execute(
            """
            INSERT INTO procurement_goodsreturn (number, order_id, hospital_id, distributor_id, reason, returned_at,
              returned_by_id, amount)
            SELECT 'BR' || o.id, o.id, o.hospital_id, o.distributor_id, '包装破损', now(), %s, 0
            FROM procurement_purchaseorder o WHERE o.number LIKE 'BS%%' AND o.id %% 5 = 0""",
            [user.pk],
        )
        c.execute(
            """
            INSERT INTO procurement_goodsreturnline (goods_return_id, receipt_line_id, order_line_id, hospital_id,
              distributor_id, product_id, manufacturer_id, listing_id, award_id, supply_class, unit_price, amount, packs,
              reason, returned_on, min_units)
            SELECT gr.id, rl.id, rl.order_line_id, rl.hospital_id, rl.distributor_id, rl.product_id, rl.manufacturer_id,
                   rl.listing_id, rl.award_id, 'drug', rl.unit_price, ROUND(rl.unit_price * 10, 2), 1, '包装破损',
                   LEAST(rl.received_on + 2, %s::date), 10
            FROM procurement_receiptline rl JOIN procurement_goodsreturn gr ON gr.order_id = (
                SELECT ol.order_id FROM procurement_purchaseorderline ol WHERE ol.id = rl.order_line_id)
            WHERE rl.id %% 10 = 0""",
            [start + timedelta(days=days)],
        )
        c.execute(
            """
            INSERT INTO settlement_pricecorrection (listing_id, effective_from, effective_to, unit_price, reason,
              created_by_id, created_at)
            SELECT b.listing_id, %s, %s, ROUND(b.unit_price * 0.9737, 4), '价格联动下调', %s, now()
            FROM b_listing b ORDER BY b.listing_id LIMIT 5""",
            [start + timedelta(days=10), start + timedelta(days=20), user.pk],
        )
        c.execute("SELECT count(*) FROM procurement_receiptline WHERE received_on >= %s", [start])
        receipt_lines = c.fetchone()[0]
        c.execute("SELECT count(*) FROM procurement_goodsreturnline")
        return_lines = c.fetchone()[0]
        conn.commit()
        c.execute("ANALYZE")
    return {"receipt_lines": receipt_lines, "return_lines": return_lines}


AGGREGATE = """
    WITH r AS (SELECT receipt_line_id, SUM(min_units) AS units, SUM(amount) AS amount
               FROM procurement_goodsreturnline WHERE returned_on < %(end)s GROUP BY receipt_line_id)
    SELECT rl.manufacturer_id, rl.hospital_id,
           SUM(rl.amount - COALESCE(r.amount, 0)
               + ROUND((COALESCE(pc.unit_price, rl.unit_price) - rl.unit_price) * (rl.accepted_min_units - COALESCE(r.units, 0)), 2))
    FROM procurement_receiptline rl
    LEFT JOIN r ON r.receipt_line_id = rl.id
    LEFT JOIN settlement_pricecorrection pc ON pc.listing_id = rl.listing_id AND pc.effective_from <= rl.received_on
         AND (pc.effective_to IS NULL OR pc.effective_to >= rl.received_on)
    WHERE rl.received_on >= %(start)s AND rl.received_on < %(end)s AND rl.award_id IS NOT NULL AND rl.accepted_min_units > 0
    GROUP BY rl.manufacturer_id, rl.hospital_id
"""


def floor_aggregate(period: date, end: date) -> dict[tuple[int, int], Decimal]:
    with pg_connect() as conn, conn.cursor() as c:
        c.execute(AGGREGATE, {"start": period, "end": end})
        return {(m, h): amount for m, h, amount in c.fetchall()}


def aggregate_work(amounts: dict[tuple[int, int], Decimal]) -> dict:
    """What the aggregate floor computes, as the statements show it: pairs, total, every pair's amount."""
    return {"statements": len(amounts), "amount": sum(amounts.values(), Decimal("0")), "per statement": digest(amounts)}


# What a build wrote, from its statement, line and settled-return tables: counts and totals.
WRITTEN = """
    SELECT (SELECT count(*) FROM {statement} WHERE period = %(start)s),
           (SELECT COALESCE(SUM(amount), 0) FROM {statement} WHERE period = %(start)s),
           (SELECT count(*) FROM {line} l JOIN {statement} s ON s.id = l.statement_id WHERE s.period = %(start)s),
           (SELECT COALESCE(SUM(l.gross_amount), 0) FROM {line} l JOIN {statement} s ON s.id = l.statement_id
             WHERE s.period = %(start)s),
           (SELECT COALESCE(SUM(l.returned_amount), 0) FROM {line} l JOIN {statement} s ON s.id = l.statement_id
             WHERE s.period = %(start)s),
           (SELECT COALESCE(SUM(l.correction_amount), 0) FROM {line} l JOIN {statement} s ON s.id = l.statement_id
             WHERE s.period = %(start)s),
           (SELECT count(*) FROM {settled} r JOIN {statement} s ON s.id = r.statement_id WHERE s.period = %(start)s)
"""


def written(c, period: date, *, statement: str, line: str, settled: str) -> dict:
    c.execute(WRITTEN.format(statement=statement, line=line, settled=settled), {"start": period})
    names = ("statements", "amount", "lines", "gross", "returned", "corrections", "settled returns")
    return dict(zip(names, c.fetchone(), strict=True))


def ours_written(period: date) -> dict:
    """What the generation wrote for the month, counted as the floor's tables are."""
    with pg_connect() as conn, conn.cursor() as c:
        return written(
            c,
            period,
            statement="settlement_settlementstatement",
            line="settlement_settlementline",
            settled="settlement_settledreturn",
        )


FLOOR_TABLES = {  # the real table → the floor's copy of it
    "settlement_settlementstatement": "b_statement",
    "settlement_settlementline": "b_line",
    "settlement_settledreturn": "b_settledreturn",
}


def _floor_tables(c) -> None:
    """Copies of the statement, line and settled-return tables identical to the real ones for writing: logged, every
    column default, check constraint and index (INCLUDING ALL), the same foreign keys (those to a copied table pointing
    at its copy) and the same storage parameters (fillfactor)."""
    for copy in FLOOR_TABLES.values():
        c.execute(f"DROP TABLE IF EXISTS {copy} CASCADE")
    for real, copy in FLOOR_TABLES.items():
        c.execute("SELECT array_to_string(reloptions, ', ') FROM pg_class WHERE oid = %s::regclass", [real])
        options = c.fetchone()[0]
        c.execute(f"CREATE TABLE {copy} (LIKE {real} INCLUDING ALL){f' WITH ({options})' if options else ''}")
    for real, copy in FLOOR_TABLES.items():
        c.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass"
            " AND contype = 'f' ORDER BY conname",
            [real],
        )
        for name, definition in c.fetchall():
            for other, other_copy in FLOOR_TABLES.items():
                definition = definition.replace(f"REFERENCES {other}(", f"REFERENCES {other_copy}(")
            c.execute(f"ALTER TABLE {copy} ADD CONSTRAINT b_{name} {definition}")


def floor_build(period: date, end: date) -> None:
    """The same statements, lines and settled returns written by hand into identical tables (`_floor_tables`): one
    transaction, one statement with data-modifying CTEs computing the lines once, then the settled returns. The
    tables stay for `floor_written_and_drop` to count. Same session settings as the generation (work_mem)."""
    with pg_connect() as conn, conn.cursor() as c:
        _floor_tables(c)
        conn.commit()
        c.execute("SET LOCAL work_mem = '256MB'")
        c.execute(
            """
            WITH r AS (SELECT receipt_line_id, SUM(min_units) AS units, SUM(amount) AS amount
                       FROM procurement_goodsreturnline WHERE returned_on < %(end)s GROUP BY receipt_line_id),
            l AS MATERIALIZED (
                SELECT f.id AS fund, rg.code AS region, rl.hospital_id AS h, rl.manufacturer_id AS m, rl.id AS rid,
                       rl.product_id, rl.received_on, rl.accepted_min_units AS units, COALESCE(r.units, 0) AS r_units,
                       rl.unit_price, COALESCE(pc.unit_price, rl.unit_price) AS settled_price, pc.id AS pc_id,
                       rl.amount AS gross, COALESCE(r.amount, 0) AS r_amount,
                       ROUND((COALESCE(pc.unit_price, rl.unit_price) - rl.unit_price)
                             * (rl.accepted_min_units - COALESCE(r.units, 0)), 2) AS corr,
                       rl.amount - COALESCE(r.amount, 0) + ROUND((COALESCE(pc.unit_price, rl.unit_price) - rl.unit_price)
                           * (rl.accepted_min_units - COALESCE(r.units, 0)), 2) AS net,
                       rl.received_on + 30 AS due
                FROM procurement_receiptline rl
                JOIN accounts_organization o ON o.id = rl.hospital_id JOIN accounts_region hr ON hr.id = o.region_id
                JOIN accounts_region rg ON rg.id = COALESCE(hr.parent_id, hr.id)
                JOIN settlement_fundaccount f ON f.region_id = rg.id
                LEFT JOIN r ON r.receipt_line_id = rl.id
                LEFT JOIN settlement_pricecorrection pc ON pc.listing_id = rl.listing_id
                     AND pc.effective_from <= rl.received_on AND (pc.effective_to IS NULL OR pc.effective_to >= rl.received_on)
                WHERE rl.received_on >= %(start)s AND rl.received_on < %(end)s AND rl.award_id IS NOT NULL
                  AND rl.accepted_min_units > 0),
            s AS (
                INSERT INTO b_statement (number, fund_id, manufacturer_id, hospital_id, period, status, line_count,
                  gross_amount, returned_amount, correction_amount, amount, disputed_amount, approved_amount, paid_amount,
                  invoice_numbers, claim_due_on, claimed_late, auto_confirmed, payment_due_on, overdue, due_soon,
                  version, created_at)
                SELECT 'B' || l.region || l.h || '-' || l.m, l.fund, l.m, l.h, %(start)s, 'draft', COUNT(*), SUM(l.gross),
                       SUM(l.r_amount), SUM(l.corr), SUM(l.net), 0, 0, 0, '[]', %(end)s, false, false, MIN(l.due),
                       false, false, 1, now()
                FROM l GROUP BY l.fund, l.region, l.h, l.m ORDER BY l.h, l.m
                RETURNING id, manufacturer_id, hospital_id)
            INSERT INTO b_line (statement_id, kind, receipt_line_id, product_id, received_on, min_units,
              returned_min_units, unit_price, settled_unit_price, correction_id, gross_amount, returned_amount,
              correction_amount, amount, due_on, overdue, disputed, dispute_reason, response)
            SELECT s.id, 'receipt', l.rid, l.product_id, l.received_on, l.units, l.r_units, l.unit_price,
                   l.settled_price, l.pc_id, l.gross, l.r_amount, l.corr, l.net, l.due, false, false, '', ''
            FROM l JOIN s ON s.hospital_id = l.h AND s.manufacturer_id = l.m
            ORDER BY s.id""",
            {"start": period, "end": end},
        )
        c.execute(
            """
            INSERT INTO b_settledreturn (return_line_id, statement_id, receipt_line_id)
            SELECT g.id, bl.statement_id, g.receipt_line_id FROM procurement_goodsreturnline g
            JOIN b_line bl ON bl.receipt_line_id = g.receipt_line_id AND bl.kind = 'receipt'
            WHERE g.returned_on < %(end)s""",
            {"end": end},
        )
        conn.commit()


def floor_written_and_drop(period: date) -> dict:
    """What the SQL build wrote (counted as ours is), then its tables dropped."""
    with pg_connect() as conn, conn.cursor() as c:
        work = written(c, period, statement="b_statement", line="b_line", settled="b_settledreturn")
        c.execute(f"DROP TABLE {', '.join(FLOOR_TABLES.values())} CASCADE")
        conn.commit()
    return work


def measure(period: date, end: date) -> dict:
    """The two floors, then ours, on the month in the database; each path's time and what it wrote."""
    from settlement.generation import generate_statements
    from settlement.models import SettlementStatement

    with timer() as t_agg:
        expected = floor_aggregate(period, end)
    with timer() as t_floor:
        floor_build(period, end)
    floor_work = floor_written_and_drop(period)
    with timer() as t_ours:
        generate_statements(month=period)
    ours_work = ours_written(period)
    amounts = dict(
        ((m, h), a)
        for m, h, a in SettlementStatement.objects.filter(period=period).values_list(
            "manufacturer_id", "hospital_id", "amount"
        )
    )
    return {
        "ours": t_ours["seconds"],
        "floor": t_floor["seconds"],
        "aggregate": t_agg["seconds"],
        "build_work": (ours_work, floor_work),
        "aggregate_work": (aggregate_work(amounts), aggregate_work(expected)),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hospitals", type=int, default=1000)
    parser.add_argument("--manufacturers", type=int, default=100)
    parser.add_argument("--per-pair", type=int, default=10, help="receipt lines per hospital and manufacturer")
    parser.add_argument("--keep", action="store_true", help="leave the generated month in the database")
    parser.add_argument("--only-data", action="store_true", help="generate the month and stop (implies --keep)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time again on the month left by --only-data/--keep (only the statements are emptied)",
    )
    args = parser.parse_args(argv)
    bench_database_name()
    setup_django()
    from django.utils import timezone

    from bench.common import work_differences
    from settlement.generation import next_month

    period = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    end = next_month(period)
    sizes = existing_month(period) if args.reuse else None
    with timer() as t_build:
        if sizes is None:
            empty_tables()
            sizes = build(args.hospitals, args.manufacturers, args.per_pair, period)
        else:
            empty_tables(SETTLEMENT_TABLES)
    if args.only_data:
        print(f"generated {sizes} in {t_build['seconds']:.0f}s")
        return 0
    r = measure(period, end)
    lines = sizes["receipt_lines"]
    ours_work, floor_work = r["build_work"]
    print_table(
        [
            "path",
            "receipt lines",
            "statements",
            "lines written",
            "seconds",
            "lines/s",
            "× SQL aggregate",
            "× SQL build",
        ],
        [
            [
                "generate_statements (ours)",
                lines,
                ours_work["statements"],
                ours_work["lines"],
                r["ours"],
                lines / r["ours"],
                r["ours"] / r["aggregate"],
                r["ours"] / r["floor"],
            ],
            [
                "SQL build (floor)",
                lines,
                floor_work["statements"],
                floor_work["lines"],
                r["floor"],
                lines / r["floor"],
                r["floor"] / r["aggregate"],
                1.0,
            ],
            [
                "SQL aggregate (floor)",
                lines,
                r["aggregate_work"][1]["statements"],
                "",
                r["aggregate"],
                lines / r["aggregate"],
                1.0,
                "",
            ],
        ],
        title=(
            f"Settlement batch: {args.hospitals} hospitals × {args.manufacturers} manufacturers, "
            f"{lines:,} receipt lines ({sizes['return_lines']:,} returns), month {period:%Y-%m}; "
            f"data built in {t_build['seconds']:.0f}s; peak memory {peak_rss_mb()} MiB"
        ),
    )
    differences = work_differences(*r["build_work"]) + work_differences(*r["aggregate_work"])
    print(f"ours: {ours_work}\nfloor: {floor_work}")
    print("floors' results: " + ("the same as ours" if not differences else "DIFFERENT — " + "; ".join(differences)))
    print(f"goal ≤ {GOAL}× the SQL build: {'met' if r['ours'] <= GOAL * r['floor'] and not differences else 'NOT met'}")
    if not (args.keep or args.reuse):
        empty_tables()
    return 1 if differences else 0


def _forget_tender() -> None:
    products = f"SELECT id FROM catalog_product WHERE nhsa_code LIKE '{PREFIX}%%'"
    with pg_connect() as conn, conn.cursor() as c:
        for table in (
            "procurement_historicallisting",
            "procurement_listing",
            "procurement_historicalaward",
            "procurement_award",
            "procurement_bid",
            "catalog_historicalproduct",
        ):
            c.execute(
                f"DELETE FROM {table} WHERE product_id IN ({products})"
                if table != "catalog_historicalproduct"
                else f"DELETE FROM {table} WHERE nhsa_code LIKE '{PREFIX}%%'"
            )
        c.execute(
            f"DELETE FROM procurement_lot WHERE tender_id IN (SELECT id FROM procurement_tender WHERE code = '{PREFIX}-T')"
        )
        c.execute(f"DELETE FROM procurement_tender WHERE code = '{PREFIX}-T'")
        c.execute(f"DELETE FROM catalog_product WHERE nhsa_code LIKE '{PREFIX}%%'")


def suite_rows(scale: float, *, quick: bool = False) -> list[dict]:
    """The suite's lines (bench.suite): 1,000 hospitals × 100 manufacturers × 10 lines (1 million receipt lines in
    the month) at scale 1; the manufacturers scale."""
    bench_database_name()
    setup_django()
    from django.utils import timezone

    from settlement.generation import next_month

    period = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    end = next_month(period)
    empty_tables()
    _forget_tender()  # other benchmarks in the suite empty the tender tables this one's products are listed in
    try:
        sizes = build(1000, max(2, round(100 * scale)), 10, period)
        r = measure(period, end)
    finally:
        empty_tables()
    label = f"settlement month, {sizes['receipt_lines']:,} receipt lines"
    return [
        suite_row(f"{label} vs SQL build", r["ours"], r["floor"], goal=GOAL, work=r["build_work"]),
        suite_row(f"{label} vs SQL aggregate", r["ours"], r["aggregate"], work=r["aggregate_work"]),
    ]


if __name__ == "__main__":
    raise SystemExit(main())
