"""The year-end budget settlement (年度清算, 合理超支分担) of 1,000 hospitals, next to hand-written SQL of the same
work in the same run.

World: 1,000 × scale hospitals of one pooling region, each with a year's budget (12 months) and twelve settled
months (`BudgetMonthSettlement`, generated server-side with INSERT … SELECT over generate_series) whose claims run
from 85 % to 125 % of the budget and some with a shortfall open after December. Ours is
`settlement.yearend.settle_year` (a few set-based statements composed with psycopg.sql); the floor is the same
computation written by hand on a plain psycopg connection — year rows, ledger accounts, journal entries, lines,
year settlements — timed, compared and rolled back. Compared output: hospitals settled, entries, lines, Σ fund
share, Σ hospital share, Σ shortfall left, Σ of the lines (zero).

    DATABASE_URL=postgres://…/yaoxie_bench .venv/bin/python -m bench.budget_yearend [--scale 1]
"""

from __future__ import annotations

import argparse
import sys

from bench.common import bench_database_name, pg_connect, print_table, setup_django, suite_row, timer, write_results

GOAL = 1.5
PREFIX = "BENCHBY"
YEAR = 2001  # a year no real data uses

FLOOR = [
    """CREATE TEMP TABLE f_rows ON COMMIT DROP AS
       WITH m AS (
         SELECT hospital_id, sum(claims) AS claims, sum(owed) AS owed,
                (array_agg(held ORDER BY month DESC))[1] AS held,
                (array_agg(carried_out ORDER BY month DESC))[1] AS shortfall_in
           FROM settlement_budgetmonthsettlement
          WHERE fund_id = %(fund)s AND month >= %(start)s AND month < %(end)s GROUP BY hospital_id)
       SELECT b.hospital_id, b.total AS budget, m.claims, m.owed, m.held, m.shortfall_in,
              round(least(m.held, round(b.total * %(band)s, 2)) * %(rate)s, 2) AS fund_share
         FROM settlement_budgetallocation b JOIN m ON m.hospital_id = b.hospital_id
        WHERE b.fund_id = %(fund)s AND b.year = %(year)s""",
    """ALTER TABLE f_rows ADD COLUMN recovered numeric, ADD COLUMN entry_id bigint""",
    """UPDATE f_rows SET recovered = least(shortfall_in, fund_share),
              entry_id = CASE WHEN fund_share > 0
                              THEN nextval(pg_get_serial_sequence('settlement_journalentry', 'id')) END""",
    """INSERT INTO settlement_ledgeraccount (fund_id, kind, organization_id)
       SELECT %(fund)s, k, hospital_id FROM f_rows CROSS JOIN unnest(ARRAY['hospital', 'claims_expense']) AS k
        WHERE entry_id IS NOT NULL ON CONFLICT DO NOTHING""",
    """INSERT INTO settlement_journalentry (id, fund_id, kind, entry_date, memo, created_at)
       SELECT entry_id, %(fund)s, 'year_end', %(entry_date)s, %(year)s || ' 年度清算', now()
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


def measure(scale: float) -> tuple[float, float, dict, dict, int]:
    from common import rules
    from settlement import yearend

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
    }
    with pg_connect() as c, c.cursor() as cur:
        with timer() as floor:
            for statement in FLOOR:
                cur.execute(statement, params)
        floor_work = _work(cur, params)
        c.rollback()
    with timer() as ours:
        yearend.settle_year(fund=fund, year=YEAR)
    with pg_connect() as c, c.cursor() as cur:
        ours_work = _work(cur, params)
    return ours["seconds"], floor["seconds"], ours_work, floor_work, n


def suite_rows(scale: float, *, quick: bool = False) -> list[dict]:
    """The suite's line (bench.suite): the year-end settlement of 1,000 × scale hospitals vs hand-written SQL."""
    bench_database_name()
    setup_django()
    o, f, ow, fw, n = measure(scale)
    return [suite_row(f"budget year end, {n:,} hospitals vs SQL", o, f, goal=GOAL, work=(ow, fw))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args(argv)
    bench_database_name()
    setup_django()
    o, f, ow, fw, n = measure(args.scale)
    rows = [["year end", round(o, 3), round(f, 3), round(o / f, 2) if f else "—"]]
    title = f"Budget year-end settlement of {n:,} hospitals"
    print_table(["step", "ours s", "floor s", "ratio"], rows, title=title)
    write_results(
        "budget_yearend",
        title=title,
        headers=["step", "ours s", "floor s", "ratio"],
        rows=rows,
        summary={},
        notes=[f"ours {ow}", f"floor {fw}"],
    )
    print(f"ours:  {ow}\nfloor: {fw}")
    same = ow == fw
    print("floor's results: " + ("the same as ours" if same else "DIFFERENT"))
    print(f"goal ≤ {GOAL}×: {'met' if same and o <= GOAL * f else 'NOT met'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
