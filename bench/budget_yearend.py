"""The year-end budget settlement (年度清算, 合理超支分担) of 1,000 hospitals, next to hand-written SQL of the same
work in the same run.

World: 1,000 × scale hospitals of one pooling region, each with a year's budget (12 months) and twelve settled
months (`BudgetMonthSettlement`, generated server-side with INSERT … SELECT over generate_series) whose claims run
from 85 % to 125 % of the budget and some with a shortfall open after December. Ours is
`settlement.yearend.settle_year` (a few set-based statements composed with psycopg.sql); the floor is the same
work written by hand on a plain psycopg connection — the lock, year rows, bank and ledger accounts, journal entries
(same memo), lines, year settlements, the audit row — and committed like ours, so both pay the deferred checks run at
commit (every entry's lines sum to zero, the foreign keys). Each pass runs both from an unsettled year (the year's
settlements deleted between runs, untimed; the journal entries stay, the ledger being append-only), the order
alternating, after one run of each not counted; the table shows each pass and the medians. Compared output:
hospitals settled, entries, lines, Σ fund share, Σ hospital share, Σ shortfall left, Σ of the lines (zero).

    DATABASE_URL=postgres://…/yaoxie_bench .venv/bin/python -m bench.budget_yearend [--scale 0.1 1] [--passes 3]
"""

from __future__ import annotations

import argparse
import os
import sys

from bench.common import bench_database_name, pg_connect, print_table, setup_django, suite_row, timer, write_results

GOAL = 1.5
PREFIX = "BENCHBY"
YEAR = 2001  # a year no real data uses

FLOOR = [
    # the same serialisation as ours: two year ends of one fund wait for each other
    """LOCK TABLE settlement_budgetyearsettlement IN SHARE ROW EXCLUSIVE MODE""",
    # hospitals with a budget or a settled month in the year, not yet settled for it
    """CREATE TEMP TABLE f_rows ON COMMIT DROP AS
       WITH m AS (
         SELECT hospital_id, sum(claims) AS claims, sum(owed) AS owed,
                (array_agg(held ORDER BY month DESC))[1] AS held,
                (array_agg(carried_out ORDER BY month DESC))[1] AS shortfall_in
           FROM settlement_budgetmonthsettlement
          WHERE fund_id = %(fund)s AND month >= %(start)s AND month < %(end)s GROUP BY hospital_id),
       h AS (
         SELECT coalesce(b.hospital_id, m.hospital_id) AS hospital_id, coalesce(b.total, 0) AS budget,
                coalesce(m.claims, 0) AS claims, coalesce(m.owed, 0) AS owed, coalesce(m.held, 0) AS held,
                coalesce(m.shortfall_in, 0) AS shortfall_in
           FROM (SELECT * FROM settlement_budgetallocation WHERE fund_id = %(fund)s AND year = %(year)s) b
           FULL JOIN m ON m.hospital_id = b.hospital_id),
       s AS (
         SELECT h.*, round(least(h.held, round(h.budget * %(band)s, 2)) * %(rate)s, 2) AS fund_share FROM h
          WHERE NOT EXISTS (SELECT 1 FROM settlement_budgetyearsettlement y
                             WHERE y.hospital_id = h.hospital_id AND y.year = %(year)s))
       SELECT s.*, least(s.shortfall_in, s.fund_share) AS recovered,
              CASE WHEN s.fund_share > 0
                   THEN nextval(pg_get_serial_sequence('settlement_journalentry', 'id')) END AS entry_id
         FROM s""",
    """INSERT INTO settlement_ledgeraccount (fund_id, kind) VALUES (%(fund)s, 'fund_bank') ON CONFLICT DO NOTHING""",
    """INSERT INTO settlement_ledgeraccount (fund_id, kind, organization_id)
       SELECT %(fund)s, k, hospital_id FROM f_rows CROSS JOIN unnest(ARRAY['hospital', 'claims_expense']) AS k
        WHERE entry_id IS NOT NULL ON CONFLICT DO NOTHING""",
    """INSERT INTO settlement_journalentry (id, fund_id, kind, entry_date, memo, created_by_id, created_at)
       SELECT entry_id, %(fund)s, 'year_end', %(entry_date)s,
              %(year)s || ' 年度清算：超支 ' || held || '，基金分担 ' || fund_share || '，收回欠款 ' || recovered,
              NULL, now()
         FROM f_rows WHERE entry_id IS NOT NULL""",
    """INSERT INTO settlement_journalline (entry_id, account_id, amount)
       SELECT r.entry_id, a.id, r.fund_share FROM f_rows r
         JOIN settlement_ledgeraccount a ON a.fund_id = %(fund)s AND a.kind = 'claims_expense'
                                        AND a.organization_id = r.hospital_id
        WHERE r.entry_id IS NOT NULL
       UNION ALL
       SELECT r.entry_id, a.id, -r.recovered FROM f_rows r
         JOIN settlement_ledgeraccount a ON a.fund_id = %(fund)s AND a.kind = 'hospital'
                                        AND a.organization_id = r.hospital_id
        WHERE r.entry_id IS NOT NULL AND r.recovered <> 0
       UNION ALL
       SELECT r.entry_id, %(bank)s, -(r.fund_share - r.recovered) FROM f_rows r
        WHERE r.entry_id IS NOT NULL AND r.fund_share <> r.recovered""",
    """INSERT INTO settlement_budgetyearsettlement (fund_id, hospital_id, year, budget, claims, owed, held, overspend,
              fund_share, hospital_share, shortfall, band_rate, fund_rate, journal_entry_id, created_at)
       SELECT %(fund)s, hospital_id, %(year)s, budget, claims, owed, held, held, fund_share, held - fund_share,
              shortfall_in - recovered, %(band)s, %(rate)s, entry_id, now() FROM f_rows""",
    # the audit row ours records (common.models.record_event), counting the hospitals settled
    """INSERT INTO common_auditevent (content_type_id, object_id, action, from_state, to_state, at, note, data)
       SELECT %(fund_type)s, %(fund)s, 'budget_year_settled', '', '', now(), '',
              jsonb_build_object('year', %(year)s, 'hospitals', (SELECT count(*) FROM f_rows))""",
]

WORK = """SELECT count(*), coalesce(sum(y.fund_share), 0), coalesce(sum(y.hospital_share), 0),
                 coalesce(sum(y.shortfall), 0), count(y.journal_entry_id),
                 (SELECT count(*) FROM settlement_journalline l WHERE l.entry_id IN (SELECT journal_entry_id
                    FROM settlement_budgetyearsettlement WHERE fund_id = %(fund)s AND year = %(year)s)),
                 (SELECT coalesce(sum(l.amount), 0) FROM settlement_journalline l WHERE l.entry_id IN (SELECT
                    journal_entry_id FROM settlement_budgetyearsettlement WHERE fund_id = %(fund)s AND year = %(year)s))
            FROM settlement_budgetyearsettlement y WHERE y.fund_id = %(fund)s AND y.year = %(year)s"""


def _work(cursor, params) -> dict:
    cursor.execute(WORK, params)
    n, fund, hospital, shortfall, entries, lines, total = cursor.fetchone()
    return {
        "hospitals": n,
        "fund_share": str(fund),
        "hospital_share": str(hospital),
        "shortfall": str(shortfall),
        "entries": entries,
        "lines": lines,
        "lines_sum": str(total),
    }


def build(hospitals: int) -> dict:
    """The hospitals, budgets and settled months (server-side), in a fund of their own region."""
    from accounts.models import Organization, Region
    from settlement import ledger
    from settlement.generation import fund_for_region

    empty()
    region = Region.objects.filter(level="league_city").order_by("code").first()
    fund = fund_for_region(region)
    Organization.objects.bulk_create(
        [
            Organization(
                kind="hospital",
                name=f"{PREFIX}医院{i:05d}",
                uscc=f"{PREFIX}{i:011d}",
                region=region,
                hospital_level="3",
                hospital_type="general",
                ownership="public",
            )
            for i in range(hospitals)
        ],
        ignore_conflicts=True,  # kept from an earlier run: the ledger they appear in is append-only
    )
    bank = ledger.bank(fund)
    with pg_connect() as c, c.cursor() as cur:
        params = {"fund": fund.pk, "year": YEAR, "like": f"{PREFIX}%", "last": f"{PREFIX}{hospitals:011d}"}
        cur.execute(
            """INSERT INTO settlement_budgetallocation (fund_id, hospital_id, year, total, source, updated_at)
               SELECT %(fund)s, o.id, %(year)s, 120000 + (o.id %% 97) * 1000, 'imported', now()
                 FROM accounts_organization o WHERE o.name LIKE %(like)s AND o.uscc < %(last)s""",
            params,
        )
        cur.execute(
            """INSERT INTO settlement_budgetmonth (allocation_id, month, amount)
               SELECT b.id, m, b.total / 12 FROM settlement_budgetallocation b CROSS JOIN generate_series(1, 12) m
                WHERE b.fund_id = %(fund)s AND b.year = %(year)s""",
            params,
        )
        # claims 85–125 % of the month's budget; owed/held by the cumulative rule; a shortfall for every 7th
        cur.execute(
            """WITH c AS (
                 SELECT b.hospital_id, m, (b.total / 12) AS budget,
                        round((b.total / 12) * (0.85 + ((b.hospital_id * 7 + m) %% 41) / 100.0), 2) AS claims
                   FROM settlement_budgetallocation b CROSS JOIN generate_series(1, 12) m
                  WHERE b.fund_id = %(fund)s AND b.year = %(year)s),
               k AS (
                 SELECT *, sum(claims) OVER w AS claims_so_far, sum(budget) OVER w AS budget_so_far
                   FROM c WINDOW w AS (PARTITION BY hospital_id ORDER BY m)),
               o AS (
                 SELECT *, least(claims_so_far, budget_so_far)
                           - coalesce(lag(least(claims_so_far, budget_so_far)) OVER (PARTITION BY hospital_id ORDER BY m), 0)
                           AS owed,
                        claims_so_far - least(claims_so_far, budget_so_far) AS held,
                        CASE WHEN m = 12 AND hospital_id %% 7 = 0 THEN 500.00 ELSE 0 END AS carried
                   FROM k)
               INSERT INTO settlement_budgetmonthsettlement (fund_id, hospital_id, month, claims, owed, held, carried_in,
                      recovered, deductions, withheld, carried_out, paid, created_at)
               SELECT %(fund)s, hospital_id, make_date(%(year)s, m, 1), claims, owed, held, 0, 0, carried + owed,
                      owed, carried, 0, now()
                 FROM o""",
            params,
        )
        c.commit()
    return {"fund": fund, "bank": bank.pk}


def empty() -> None:
    """The bench year's budgets and settlements (its journal entries stay: the ledger is append-only)."""
    with pg_connect() as c, c.cursor() as cur:
        for statement in (
            "DELETE FROM settlement_budgetyearsettlement WHERE year = %(year)s",
            """DELETE FROM settlement_budgetmonthsettlement
                WHERE month >= make_date(%(year)s, 1, 1) AND month < make_date(%(year)s + 1, 1, 1)""",
            """DELETE FROM settlement_budgetmonth
                WHERE allocation_id IN (SELECT id FROM settlement_budgetallocation WHERE year = %(year)s)""",
            "DELETE FROM settlement_budgetallocation WHERE year = %(year)s",
        ):
            cur.execute(statement, {"year": YEAR})
        c.commit()


def unsettle() -> None:
    """The bench year's settlements removed (untimed, between runs), so the next run settles every hospital again;
    the journal entries of the run stay (the ledger is append-only), each of them balanced."""
    with pg_connect() as c, c.cursor() as cur:
        cur.execute("DELETE FROM settlement_budgetyearsettlement WHERE year = %(year)s", {"year": YEAR})
        c.commit()


def run_floor(conn, params: dict) -> tuple[float, dict]:
    """The floor on its own connection, committed like ours: the commit runs the deferred checks both pay (each
    journal entry balanced, the foreign keys)."""
    with conn.cursor() as cur:
        with timer() as t:
            for statement in FLOOR:
                cur.execute(statement, params)
            conn.commit()
        work = _work(cur, params)
        conn.commit()
        return t["seconds"], work


def run_ours(fund) -> tuple[float, dict]:
    from settlement import yearend

    with timer() as t:
        yearend.settle_year(fund=fund, year=YEAR)
    with pg_connect() as c, c.cursor() as cur:
        return t["seconds"], _work(cur, {"fund": fund.pk, "year": YEAR})


def measure(scale: float, passes: int = 3) -> tuple[list[tuple[float, float]], dict, dict, int]:
    """`passes` runs of each on the same world, the order alternating (floor first in the odd passes), each run
    starting from an unsettled year, after one run of each not counted (both connections warm). Returns the (ours, floor) seconds of each pass and the work of the last; a
    pass whose work differs from the first pass's makes the work DIFFERENT."""
    from django.contrib.contenttypes.models import ContentType

    from common import rules

    n = max(10, round(1000 * scale))
    world = build(n)
    fund = world["fund"]
    r = rules.budgets()
    params = {
        "fund": fund.pk,
        "year": YEAR,
        "start": f"{YEAR}-01-01",
        "end": f"{YEAR + 1}-01-01",
        "band": r.overspend_band,
        "rate": r.overspend_fund_share,
        "entry_date": f"{YEAR}-12-31",
        "bank": world["bank"],
        "fund_type": ContentType.objects.get_for_model(fund).pk,
    }
    times, works = [], []
    with pg_connect() as conn:
        for p in range(-1, passes):
            order = ("floor", "ours") if p % 2 == 0 else ("ours", "floor")
            result = {}
            for side in order:
                unsettle()
                result[side] = run_floor(conn, params) if side == "floor" else run_ours(fund)
            unsettle()
            if p >= 0:
                times.append((result["ours"][0], result["floor"][0]))
                works.append((result["ours"][1], result["floor"][1]))
    ours_work, floor_work = works[-1]
    if any(w != works[0] for w in works):
        floor_work = {**floor_work, "passes": "DIFFERENT between passes"}
    return times, ours_work, floor_work, n


def median(values: list[float]) -> float:
    v = sorted(values)
    return v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2


def suite_rows(scale: float, *, quick: bool = False) -> list[dict]:
    """The suite's line (bench.suite): the year-end settlement of 1,000 × scale hospitals vs hand-written SQL (the
    median of three passes each)."""
    bench_database_name()
    setup_django()
    times, ow, fw, n = measure(scale)
    o, f = median([t[0] for t in times]), median([t[1] for t in times])
    return [suite_row(f"budget year end, {n:,} hospitals vs SQL", o, f, goal=GOAL, work=(ow, fw))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, nargs="+", default=[1.0], help="one or more, e.g. 0.1 1")
    parser.add_argument("--passes", type=int, default=3)
    args = parser.parse_args(argv)
    bench_database_name()
    setup_django()
    headers = ["hospitals", "run", "ours s", "floor s", "ratio"]
    rows, notes, summary, all_same, all_met = [], [], {}, True, True
    for scale in args.scale:
        load_before = os.getloadavg()
        times, ow, fw, n = measure(scale, args.passes)
        load_after = os.getloadavg()
        o, f = median([t[0] for t in times]), median([t[1] for t in times])
        rows += [
            [n, f"pass {i + 1} ({'floor' if i % 2 == 0 else 'ours'} first)", round(a, 3), round(b, 3), round(a / b, 2)]
            for i, (a, b) in enumerate(times)
        ]
        rows.append([n, "median", round(o, 3), round(f, 3), round(o / f, 2) if f else "—"])
        same = ow == fw
        all_same &= same
        all_met &= same and o <= GOAL * f
        summary[str(n)] = {"ours_s": round(o, 3), "floor_s": round(f, 3), "ratio": round(o / f, 2)}
        notes += [
            f"{n:,} hospitals: ours {ow}",
            f"{n:,} hospitals: floor {fw} — " + ("the same as ours" if same else "DIFFERENT"),
            f"{n:,} hospitals: machine load (1/5/15 min) before {tuple(round(x, 1) for x in load_before)}, "
            f"after {tuple(round(x, 1) for x in load_after)}, {os.cpu_count()} cores, shared",
        ]
    notes.append("both commit (the deferred checks: every entry balanced, the foreign keys) and write one audit row")
    summary["goal"] = GOAL
    sizes = " and ".join(f"{r[0]:,}" for r in rows if r[1] == "median")
    title = f"Budget year-end settlement of {sizes} hospitals ({args.passes} passes each)"
    print_table(headers, rows, title=title)
    write_results("budget_yearend", title=title, headers=headers, rows=rows, summary=summary, notes=notes)
    print("\n".join(notes))
    print(f"floor's results: {'the same as ours' if all_same else 'DIFFERENT'}")
    print(f"goal ≤ {GOAL}× (medians): {'met' if all_met else 'NOT met'}")
    return 0 if all_same else 1


if __name__ == "__main__":
    sys.exit(main())
