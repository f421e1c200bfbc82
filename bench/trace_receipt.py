"""Traceability codes of one delivery — recorded by the distributor, then received by scan with the duplicate check
— next to hand-written SQL floors doing the same work in the same run.

World: bench.order_api's (one hospital, one distributor, its listed products), one order of 5 lines shipped in
pairs of deliveries (A and B, the same shape; three pairs, one a turn), each delivery carrying 10,000 × scale pack codes (20-digit) in cases of 20
(case codes as parents), of which 10 pack codes were already received by the hospital in an earlier delivery (the
planted duplicates). Ours records A with `codes_record` (parsing and checking every row, then the set-based
statements of traceability/sql.py) and receives it by scanning the case codes with `codes_receive`; the floor writes
B with hand-written statements on a plain psycopg connection, from arrays prepared before the clock starts (no
parsing, no checks), and receives B the same way. The turns alternate which side goes first; each side's median
turn counts (a single turn of a thousand codes is a few tenths of a second, at the mercy of a loaded machine).
Compared output, in every turn: codes, delivery rows, pack rows, parent links, rows received, duplicate flags.

    DATABASE_URL=postgres://…/yaoxie_bench .venv/bin/python -m bench.trace_receipt [--scale 1]

The 20-million-code duplicate check: `python -m bench.trace_receipt --stored 20000000` first generates 20 million
received codes server-side in steps of 1 million (`--step`; each under 10 minutes, about 9 GB of disk), then runs the
same comparison; run once on the development machine (2026-12-07, under heavy shared load), see docs/traceability.md
"Scale" and bench/results/trace_receipt_stored_20m.md. Run it on a database of its own and drop it afterwards: with
--stored the rows are not deleted at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
from datetime import timedelta

from psycopg import sql

from bench.common import bench_database_name, pg_connect, print_table, setup_django, suite_row, timer, write_results

GOAL = 1.5
TURNS = 3  # pairs of deliveries, ours and the floor alternating which goes first; each side's median turn counts
CASE = 20
LINES = 5
DUPLICATES = 10
STORED_STEP = 1_000_000

FLOOR_RECORD = [
    """INSERT INTO traceability_tracecode (code, kind, identifier, serialised, lot, serial, expiry, product_id,
                                         created_at)
       SELECT u.code, 'drug20', left(u.code, 7), true, '', '', NULL, u.product_id, now()
       FROM unnest(%(code)s::text[], %(product)s::bigint[]) AS u(code, product_id)
       ON CONFLICT (code) DO NOTHING""",
    """INSERT INTO traceability_deliverycode (trace_code_id, delivery_id, delivery_line_id, hospital_id, product_id,
                                            is_pack, recorded_at, recorded_by_id)
       SELECT t.id, %(delivery)s, u.line_id, %(hospital)s, u.product_id, u.is_pack, now(), %(by)s
       FROM unnest(%(code)s::text[], %(line)s::bigint[], %(product)s::bigint[], %(is_pack)s::bool[])
            AS u(code, line_id, product_id, is_pack)
       JOIN traceability_tracecode t ON t.code = u.code""",
    # each code's row by its trace code: joined on delivery_id, rows newer than the statistics were planned as one
    # row a side and every child compared with every row of the delivery (minutes; ours had the same trap)
    """UPDATE traceability_deliverycode c SET parent_id = x.parent_row
       FROM (SELECT (SELECT max(d.id) FILTER (WHERE d.delivery_id = %(delivery)s) FROM traceability_deliverycode d
                     WHERE d.trace_code_id = tc.id) AS child_row,
                    (SELECT max(d.id) FILTER (WHERE d.delivery_id = %(delivery)s) FROM traceability_deliverycode d
                     WHERE d.trace_code_id = tp.id) AS parent_row
             FROM unnest(%(code)s::text[], %(parent)s::text[]) AS u(code, parent)
             JOIN traceability_tracecode tc ON tc.code = u.code
             JOIN traceability_tracecode tp ON tp.code = u.parent) x
       WHERE c.id = x.child_row AND x.parent_row IS NOT NULL""",
    # the wrong-product check: an identifier registered to another product, or a code first delivered as another
    """INSERT INTO traceability_traceflag (kind, trace_code_id, delivery_id, hospital_id, data, raised_at)
       SELECT 'wrong_product', dc.trace_code_id, dc.delivery_id, dc.hospital_id,
              jsonb_build_object('expected', dc.product_id, 'found', COALESCE(pi.product_id, t.product_id)), now()
       FROM traceability_deliverycode dc JOIN traceability_tracecode t ON t.id = dc.trace_code_id
       LEFT JOIN traceability_productidentifier pi ON pi.identifier = t.identifier
       WHERE dc.delivery_id = %(delivery)s AND (pi.product_id <> dc.product_id OR t.product_id <> dc.product_id)
       ON CONFLICT DO NOTHING""",
]
FLOOR_RECEIVE = [
    # a scan another delivery carries and this one does not refuses the scan (one probe per scanned code)
    """SELECT u.ord FROM unnest(%(codes)s::text[]) WITH ORDINALITY AS u(code, ord)
       JOIN traceability_tracecode t ON t.code = u.code
       JOIN LATERAL (SELECT bool_or(dc.delivery_id = %(delivery)s) AS here,
                            bool_or(dc.delivery_id <> %(delivery)s) AS elsewhere
                     FROM traceability_deliverycode dc WHERE dc.trace_code_id = t.id) x ON true
       WHERE NOT x.here AND x.elsewhere ORDER BY u.ord LIMIT 1""",
    # the scans the delivery does not carry (answered to the hospital)
    """SELECT u.code FROM unnest(%(codes)s::text[]) u(code) WHERE NOT EXISTS (
           SELECT 1 FROM traceability_deliverycode dc JOIN traceability_tracecode t ON t.id = dc.trace_code_id
           WHERE dc.delivery_id = %(delivery)s AND t.code = u.code)""",
    """WITH RECURSIVE tree AS (
           SELECT dc.id FROM traceability_deliverycode dc JOIN traceability_tracecode t ON t.id = dc.trace_code_id
           WHERE dc.delivery_id = %(delivery)s AND t.code = ANY(%(codes)s::text[])
           UNION SELECT c.id FROM traceability_deliverycode c JOIN tree ON c.parent_id = tree.id)
       UPDATE traceability_deliverycode SET received_at = %(now)s WHERE id IN (SELECT id FROM tree)""",
    """INSERT INTO traceability_traceflag (kind, trace_code_id, delivery_id, hospital_id, data, raised_at)
       SELECT DISTINCT ON (dc.trace_code_id) 'duplicate_receipt', dc.trace_code_id, dc.delivery_id, dc.hospital_id,
              jsonb_build_object('first_hospital', o.hospital_id, 'first_delivery', o.delivery_id), %(now)s
       FROM traceability_deliverycode dc
       JOIN traceability_deliverycode o ON o.trace_code_id = dc.trace_code_id AND o.id <> dc.id
        AND o.received_at IS NOT NULL
       WHERE dc.delivery_id = %(delivery)s AND dc.received_at = %(now)s
       ORDER BY dc.trace_code_id, o.received_at, o.id""",
    # the count check: packs delivered, pack codes recorded and received per line
    """SELECT dl.id, dl.packs, COUNT(dc.id) FILTER (WHERE dc.is_pack),
              COUNT(dc.id) FILTER (WHERE dc.is_pack AND dc.received_at IS NOT NULL)
       FROM procurement_deliveryline dl LEFT JOIN traceability_deliverycode dc ON dc.delivery_line_id = dl.id
       WHERE dl.delivery_id = %(delivery)s GROUP BY dl.id, dl.packs""",
]


def build(packs: int, stored: int = 0, step: int = STORED_STEP, turns: int = TURNS) -> dict:
    """The world, the earlier delivery (received, holding the planted duplicates) and `turns` pairs of deliveries
    (A for ours, B for the floor), each of the same shape."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Role, User
    from bench.order_api import build_world
    from procurement.services import deliveries as delivery_svc
    from procurement.services import orders as order_svc
    from traceability.services.receiving import codes_receive
    from traceability.services.recording import codes_record

    with transaction.atomic():
        world = build_world(1, random.Random(29))
    dist = world["user"]
    dist.roles.set([Role.objects.get(code="distributor_rep")])
    buyer = User.objects.get(organization=world["hospitals"][0])
    listings = [x for x in world["listings"] if x.product.category != "consumable"][:LINES]
    per_line = packs // LINES
    order = order_svc.order_create(
        by=buyer,
        distributor=world["distributor"],
        lines=[{"listing": x.pk, "packs": 2 * turns * per_line + DUPLICATES} for x in listings],
        submit=True,
    )
    order = order_svc.order_accept(order=order, by=dist)
    expiry = (timezone.localdate() + timedelta(days=700)).isoformat()
    order_lines = list(order.lines.order_by("line_no"))

    def ship(n: int):
        items = [{"order_line": ol.pk, "packs": n, "batch_number": "B1", "expiry_date": expiry} for ol in order_lines]
        delivery = delivery_svc.delivery_create(order=order, by=dist, invoice_number="INV-TRACE", lines=items)
        return delivery, list(delivery.lines.order_by("pk"))

    earlier, early_lines = ship(DUPLICATES // LINES)
    planted = [f"8200000{n:013d}" for n in range(DUPLICATES)]
    codes_record(
        delivery_id=earlier.pk,
        by=dist,
        rows=[{"delivery_line": early_lines[i % LINES].pk, "code": c} for i, c in enumerate(planted)],
    )
    codes_receive(delivery_id=earlier.pk, by=buyer, codes=planted, confirm=False)
    if stored:
        fill_stored(
            stored,
            earlier.pk,
            early_lines[0].pk,
            buyer.organization_id,
            early_lines[0].order_line.product_id,
            dist.pk,
            step,
        )

    def plan(delivery, lines, start: int) -> dict:
        rows, cases, serial = [], [], start
        for li, line in enumerate(lines):
            line_packs = [f"8100000{serial + k:013d}" for k in range(per_line)]
            serial += per_line
            line_packs[: DUPLICATES // LINES] = planted[li * (DUPLICATES // LINES) : (li + 1) * (DUPLICATES // LINES)]
            for c0 in range(0, per_line, CASE):
                case = f"8900000{serial + c0:013d}"
                cases.append(case)
                rows.append({"delivery_line": line.pk, "code": case, "parent": ""})
                rows += [{"delivery_line": line.pk, "code": c, "parent": case} for c in line_packs[c0 : c0 + CASE]]
            serial += per_line
        return {
            "delivery": delivery,
            "rows": rows,
            "cases": cases,
            "product": {ln.pk: ln.order_line.product_id for ln in lines},
        }

    pairs = []
    for turn in range(turns):
        a, b = ship(per_line), ship(per_line)
        pairs.append((plan(*a, 20 * turn * packs), plan(*b, (20 * turn + 10) * packs)))
    return {"dist": dist, "buyer": buyer, "pairs": pairs}


FILL_CODES = """
    INSERT INTO traceability_tracecode (code, kind, identifier, serialised, lot, serial, expiry, product_id, created_at)
    SELECT '83' || lpad(g::text, 18, '0'), 'drug20', '8300000', true, '', '', NULL, %(product)s, now()
    FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) g"""
FILL_DELIVERY_CODES = """
    INSERT INTO traceability_deliverycode (trace_code_id, delivery_id, delivery_line_id, hospital_id, product_id,
                                           is_pack, recorded_at, recorded_by_id, received_at)
    SELECT t.id, %(delivery)s, %(line)s, %(hospital)s, %(product)s, true, now(), %(by)s, now()
    FROM traceability_tracecode t
    WHERE t.code BETWEEN '83' || lpad(%(lo)s::text, 18, '0') AND '83' || lpad(%(hi)s::text, 18, '0')"""


STEP_LIMIT = 600  # seconds: no generation step may take longer (docs/traceability.md, "Scale")
GENERATION: dict = {}  # what fill_stored did: steps, their sizes, the slowest step, total seconds


SECONDARY_INDEXES = """
    SELECT indexname, indexdef FROM pg_indexes
    WHERE tablename = 'traceability_deliverycode'
      AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'traceability_deliverycode'::regclass)
    ORDER BY indexname"""


def fill_stored(
    n: int, delivery: int, line: int, hospital: int, product: int, by: int, step: int = STORED_STEP
) -> None:
    """N codes already received (the province's history the duplicate check searches), generated server-side in
    steps of `step` rows, committed step by step. A step that takes more than half the limit halves the next ones,
    so no step comes near ten minutes on a loaded machine.

    How the rows are written does not change what is measured, only how long the generation takes: the rows are
    valid by construction, so the foreign-key triggers are skipped (session_replication_role = replica: eight
    deferred checks per row otherwise), and the delivery codes' secondary indexes (those that are no constraint) are
    dropped before the fill and built again from their own definitions after it, one timed step each, then ANALYZE.
    The primary keys, the unique code and the unique (delivery, code) stay in place throughout."""
    times, sizes, lo = [], [], 0
    with pg_connect() as conn, conn.cursor() as c:
        c.execute("SET session_replication_role = replica")
        c.execute(SECONDARY_INDEXES)
        indexes = c.fetchall()
        for name, _definition in indexes:
            c.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
        conn.commit()
        while lo < n:
            params = {"lo": lo, "hi": min(n, lo + step) - 1, "delivery": delivery, "line": line}
            params |= {"hospital": hospital, "product": product, "by": by}
            with timer() as t:
                c.execute(FILL_CODES, params)
                c.execute(FILL_DELIVERY_CODES, params)
                conn.commit()
            times.append(t["seconds"])
            sizes.append(params["hi"] - lo + 1)
            print(
                f"stored codes {params['hi'] + 1:,} of {n:,} (step of {sizes[-1]:,}: {t['seconds']:.0f}s, "
                f"load {os.getloadavg()[0]:.1f})",
                flush=True,
            )
            if t["seconds"] > STEP_LIMIT:
                print(f"a step took more than {STEP_LIMIT}s: make --step smaller", flush=True)
            if t["seconds"] > STEP_LIMIT / 2 and step > 50_000:
                step //= 2
            lo = params["hi"] + 1
        index_times = {}
        for name, definition in indexes:
            with timer() as t:
                c.execute(definition)
                conn.commit()
            index_times[name] = round(t["seconds"], 1)
            print(f"index {name} built ({t['seconds']:.0f}s, load {os.getloadavg()[0]:.1f})", flush=True)
        c.execute("SET session_replication_role = origin")
        with timer() as t_analyze:
            c.execute("ANALYZE traceability_tracecode")
            c.execute("ANALYZE traceability_deliverycode")
            conn.commit()
        c.execute("SELECT pg_database_size(current_database())")
        size = c.fetchone()[0]
    GENERATION.update(
        steps=len(times),
        step_sizes=sorted(set(sizes), reverse=True),
        slowest_fill=round(max(times), 1),
        slowest_index=max(index_times.values(), default=0),
        total=round(sum(times) + sum(index_times.values()) + t_analyze["seconds"], 1),
        database_gb=round(size / 1024**3, 2),
    )


def ours(p: dict, dist, buyer) -> dict:
    from django.db import transaction

    from traceability.services.receiving import codes_receive
    from traceability.services.recording import codes_record

    with timer() as t_record, transaction.atomic():
        codes_record(delivery_id=p["delivery"].pk, by=dist, rows=p["rows"])
    with timer() as t_receive, transaction.atomic():
        codes_receive(delivery_id=p["delivery"].pk, by=buyer, codes=p["cases"], confirm=False)
    return {"record": t_record["seconds"], "receive": t_receive["seconds"]}


def floor(p: dict, dist, hospital_id: int) -> dict:
    from django.utils import timezone

    rows = p["rows"]
    params = {
        "delivery": p["delivery"].pk,
        "hospital": hospital_id,
        "by": dist.pk,
        "code": [r["code"] for r in rows],
        "line": [r["delivery_line"] for r in rows],
        "product": [p["product"][r["delivery_line"]] for r in rows],
        "parent": [r["parent"] for r in rows],
    }
    is_case = {r["parent"] for r in rows if r["parent"]}
    params["is_pack"] = [c not in is_case for c in params["code"]]
    with pg_connect() as conn, conn.cursor() as c:
        with timer() as t_record:
            for statement in FLOOR_RECORD:
                c.execute(statement, params)
            conn.commit()
        with timer() as t_receive:
            now = timezone.now()
            for statement in FLOOR_RECEIVE:
                c.execute(statement, {"delivery": p["delivery"].pk, "codes": p["cases"], "now": now})
            conn.commit()
    return {"record": t_record["seconds"], "receive": t_receive["seconds"]}


def analyze() -> None:
    with pg_connect(autocommit=True) as conn:
        for table in ("traceability_tracecode", "traceability_deliverycode", "traceability_traceflag"):
            conn.execute(f"ANALYZE {table}")


def work(delivery_id: int) -> dict:
    with pg_connect() as conn, conn.cursor() as c:
        c.execute(
            """SELECT COUNT(*), COUNT(*) FILTER (WHERE is_pack), COUNT(parent_id), COUNT(received_at),
                      (SELECT COUNT(*) FROM traceability_traceflag WHERE delivery_id = %(d)s AND kind = 'duplicate_receipt')
               FROM traceability_deliverycode WHERE delivery_id = %(d)s""",
            {"d": delivery_id},
        )
        rows, packs, linked, received, duplicates = c.fetchone()
    return {"rows": rows, "packs": packs, "parent links": linked, "received": received, "duplicates": duplicates}


def cleanup() -> None:
    from bench import order_api

    with pg_connect() as conn, conn.cursor() as c:
        hospitals = "SELECT id FROM accounts_organization WHERE name LIKE '基准%%'"
        c.execute(f"DELETE FROM traceability_traceflag WHERE hospital_id IN ({hospitals})")
        c.execute(f"DELETE FROM traceability_deliverycode WHERE hospital_id IN ({hospitals})")
        c.execute(
            "DELETE FROM traceability_tracecode t WHERE (t.code LIKE '8_00000%%' OR t.code LIKE '83%%') AND NOT EXISTS "
            "(SELECT 1 FROM traceability_deliverycode d WHERE d.trace_code_id = t.id)"
        )
        c.execute(
            "DELETE FROM common_auditevent WHERE actor_id IN (SELECT id FROM accounts_user WHERE username LIKE 'bench\\_%%')"
        )
        conn.commit()
    order_api.cleanup()


def measure(scale: float, stored: int = 0, step: int = STORED_STEP) -> tuple[dict, dict, dict, dict, int]:
    """One run; with stored codes the rows are left in place (deleting millions of rows takes longer than the run:
    the run with --stored is made on a database of its own, dropped afterwards)."""
    cleanup()
    packs = max(LINES * CASE, round(10_000 * scale) // (LINES * CASE) * (LINES * CASE))
    try:
        world = build(packs, stored, step)
        dist, buyer = world["dist"], world["buyer"]
        turns_o, turns_f, works = [], [], []
        for turn, (a, b) in enumerate(world["pairs"]):
            analyze()  # fresh statistics before each turn, untimed, as autovacuum keeps them on a live table
            # alternated, so that neither side always runs on the other's warm pages or under a load that was rising
            if turn % 2:
                turns_o.append(ours(a, dist, buyer))
                turns_f.append(floor(b, dist, buyer.organization_id))
            else:
                turns_f.append(floor(b, dist, buyer.organization_id))
                turns_o.append(ours(a, dist, buyer))
            works.append((work(a["delivery"].pk), work(b["delivery"].pk)))
        o = {step: statistics.median(t[step] for t in turns_o) for step in ("record", "receive")}
        f = {step: statistics.median(t[step] for t in turns_f) for step in ("record", "receive")}
        # every turn's floor must have done what that turn's ours did: a differing turn is the one reported
        ow, fw = next(((x, y) for x, y in works if x != y), works[0])
        return o, f, ow, fw, len(world["pairs"][0][0]["rows"])
    finally:
        if not stored:
            cleanup()


def suite_rows(scale: float, *, quick: bool = False) -> list[dict]:
    bench_database_name()
    setup_django()
    o, f, ow, fw, n = measure(scale)
    return [
        suite_row(
            f"traceability: record a delivery's {n:,} codes vs SQL", o["record"], f["record"], goal=GOAL, work=(ow, fw)
        ),
        suite_row(
            f"traceability: receive {n:,} codes by case scan + duplicate check vs SQL",
            o["receive"],
            f["receive"],
            goal=GOAL,
            work=(ow, fw),
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--stored", type=int, default=0, help="codes already received before the run (e.g. 20000000)")
    parser.add_argument("--step", type=int, default=STORED_STEP, help="stored codes generated per step")
    args = parser.parse_args(argv)
    bench_database_name()
    setup_django()
    load_before = os.getloadavg()
    o, f, ow, fw, n = measure(args.scale, args.stored, args.step)
    load_after = os.getloadavg()
    rows = [
        [step, round(o[step], 3), round(f[step], 3), round(o[step] / f[step], 2) if f[step] else "—"]
        for step in ("record", "receive")
    ]
    title = f"Traceability: one delivery of {n:,} codes, recorded and received by scan"
    print_table(["step", "ours s", "floor s", "ratio"], rows, title=title)
    notes = [f"ours {ow}", f"floor {fw}", f"codes stored before the run: {args.stored:,}"]
    if args.stored:
        notes.append(f"generation of the stored codes: {GENERATION}")
    notes.append(
        f"machine load (1/5/15 min) before {tuple(round(x, 1) for x in load_before)}, "
        f"after {tuple(round(x, 1) for x in load_after)}, {os.cpu_count()} cores, shared"
    )
    write_results(
        f"trace_receipt_stored_{args.stored // 1_000_000}m" if args.stored else "trace_receipt",
        title=title,
        headers=["step", "ours s", "floor s", "ratio"],
        rows=rows,
        summary={},
        notes=notes,
    )
    print(f"ours:  {ow}\nfloor: {fw}")
    same = ow == fw
    print("floor's results: " + ("the same as ours" if same else "DIFFERENT"))
    met = same and all(o[s] <= GOAL * f[s] for s in ("record", "receive"))
    print(f"goal ≤ {GOAL}×: {'met' if met else 'NOT met'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
