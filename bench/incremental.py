"""Incremental work next to the full job it stands in for, measured in the same run (goal: ≤ 5 % of the full job).

Three jobs, each on the province the suite generates (``bench.generate``) or builds (the settlement month):

- progress: the table as the full job (``progress_compute_all``) left it before the computation date's receipts came
  in (the generated lines of that day set aside), then that day's lines back and ``progress_refresh_changed`` (the
  commitments that day's lines count in) timed next to the full job on the same data; the progress table after the
  refresh must be the full job's, row for row (a fingerprint of every row and column);
- price scan: a full scan (last night's), one more day of observations, the incremental scan
  (``price_scan_run``: the product-months the day touched and every figure they change) timed next to a full scan of
  the same data; every signal's figures after the incremental scan must be those after the full scan (the scan logs
  each detector's time, ``pricing.services.scan``). The scans' clock is the evening of the day added, the 28th of the
  data's last month, as for a nightly scan: the day lands in the month in progress (which the volume spike does not
  judge yet) and the year's observations were recorded two days before;
- settlement: the whole month's statements (``generate_statements``), then one hospital's statements and lines
  removed (as when a late receipt or return reopens them) and rebuilt by ``generate_hospital_statements``, timed next
  to the whole month; that hospital's statements and lines must be the month's run's, to the fen.

Each line's "ours" is the incremental job, its "floor" the full one, the ratio their quotient. Not a test:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yaoxie_bench .venv/bin/python -m bench.incremental --scale 0.1
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections import defaultdict
from contextlib import contextmanager
from datetime import datetime, time, timedelta

from bench.common import (
    bench_database_name,
    digest,
    pg_connect,
    print_table,
    purge,
    setup_django,
    suite_row,
    timer,
    write_results,
)

GOAL = 0.05
PARTS = ("progress", "price_scan", "settlement")


# --- commitment progress ---------------------------------------------------------------------------------------------


def _progress_table() -> dict:
    """Every row and column of the progress table (the id aside), as a count and a fingerprint."""
    from procurement.sql.progress import COLUMNS

    columns = ", ".join(COLUMNS)
    with pg_connect() as conn:
        count, md5 = conn.execute(
            f"SELECT count(*), md5(string_agg(t::text, '|' ORDER BY commitment_id, period_kind, period_start)) "
            f"FROM (SELECT {columns} FROM procurement_commitmentprogress) t"
        ).fetchone()
    return {"rows": count, "fingerprint": md5[:12] if md5 else ""}


def _withhold_day_of_receipts(day) -> int:
    """The receipt lines received on `day`, moved aside (into ``bench_day_receipts``) as if they had not arrived yet:
    last night's table is computed without them. Returns their number."""
    with pg_connect() as conn, conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_day_receipts")
        cur.execute(
            "CREATE TABLE bench_day_receipts AS SELECT * FROM procurement_receiptline WHERE received_on = %(day)s::date",
            {"day": day},
        )
        cur.execute("DELETE FROM procurement_receiptline WHERE received_on = %(day)s::date", {"day": day})
        withheld = cur.rowcount
        conn.commit()
    return withheld


def _receive_day_of_receipts() -> None:
    """The day's receipt lines arrive: back into the table as generated (same ids, same figures)."""
    with pg_connect() as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO procurement_receiptline SELECT * FROM bench_day_receipts")
        cur.execute("DROP TABLE bench_day_receipts")
        conn.commit()


def progress_rows(scale: float) -> list[dict]:
    from bench.commitment_progress import AS_OF
    from bench.generate import drop_receipts, receipts

    setup_django()
    from procurement.services.progress import progress_compute_all, progress_refresh_changed

    info = receipts(scale)
    with pg_connect() as conn:
        conn.execute("TRUNCATE procurement_commitmentprogress, procurement_commitmentalertstate, common_notification")
        conn.commit()
    try:
        # the table as the last night left it: the same computation date, the day's receipts not in yet
        added = _withhold_day_of_receipts(AS_OF)
        progress_compute_all(as_of=AS_OF)
        _receive_day_of_receipts()
        # Statistics as autovacuum leaves them by the next night: just filled, the progress table's would say it is
        # empty, and the reminders' statement would walk every cycle row by status instead of the day's commitments.
        with pg_connect(autocommit=True) as conn:
            for table in (
                "procurement_receiptline",
                "procurement_commitmentprogress",
                "procurement_commitmentalertstate",
            ):
                conn.execute(f"ANALYZE {table}")
        with timer() as t_inc:
            run = progress_refresh_changed(since=AS_OF, as_of=AS_OF)
        incremental = {**_progress_table(), "rows computed": run.rows}
        with timer() as t_full:
            full = progress_compute_all(as_of=AS_OF)
        complete = {**_progress_table(), "rows computed": full.rows}
    finally:
        drop_receipts()
    incremental_work = {k: v for k, v in incremental.items() if k != "rows computed"}
    full_work = {k: v for k, v in complete.items() if k != "rows computed"}
    return [
        suite_row(
            f"commitment progress: a day's {added:,} receipt lines ({incremental['rows computed']:,} of "
            f"{complete['rows computed']:,} rows) vs full, {info['lines']:,} lines",
            t_inc["seconds"],
            t_full["seconds"],
            goal=GOAL,
            work=(incremental_work, full_work),
            note="incremental",
        )
    ]


# --- price scan ------------------------------------------------------------------------------------------------------


def _signals() -> dict:
    """Every signal's figures (case subject, kind, month and values), as a count and a fingerprint."""
    from bench.price_scan import MARK
    from pricing.models import Signal

    rows = Signal.objects.filter(alert__product__remarks=MARK).values_list(
        "alert__product_id",
        "alert__subject_key",
        "kind",
        "month",
        "informational",
        "deviation",
        "strength",
        "score",
        "amount_at_stake",
        "observed_value",
        "reference_value",
    )
    rows = sorted(rows)
    return {"signals": len(rows), "fingerprint": digest(rows)}


class _ScanSteps(logging.Handler):
    """The scan's log of each step (the monthly prices, each detector): seconds finding and writing, by scan."""

    def __init__(self):
        super().__init__()
        self.steps: dict[int, dict[str, tuple[float, float]]] = defaultdict(dict)

    def emit(self, record: logging.LogRecord) -> None:
        step = getattr(record, "scan_step", None)
        if step is not None:
            self.steps[record.args[0]][step] = (record.find_seconds, record.write_seconds)


@contextmanager
def _scan_steps():
    handler, logger = _ScanSteps(), logging.getLogger("pricing.services.scan")
    logger.addHandler(handler)
    try:
        yield handler.steps
    finally:
        logger.removeHandler(handler)


def _breakdown(incremental: dict, full: dict) -> list[list]:
    """Each step's seconds (finding + writing) in the incremental scan and in the full scan of the same data."""
    rows = []
    for step in dict.fromkeys([*incremental, *full]):
        inc, fll = incremental.get(step, (0.0, 0.0)), full.get(step, (0.0, 0.0))
        rows.append([step, round(inc[0], 3), round(inc[1], 3), round(fll[0], 3), round(fll[1], 3)])
    return rows


def price_rows(scale: float) -> list[dict]:
    from bench.generate import prices
    from bench.price_scan import MONTHS, cleanup, write_observations

    setup_django()
    from django.utils import timezone

    from pricing.services.scan import price_scan_run

    world, scan_ids = None, []
    try:
        with _scan_steps() as steps:
            day = MONTHS[-1] + timedelta(days=27)
            now = timezone.make_aware(datetime.combine(day, time(22, 0)))
            world = prices(scale, created_at=now - timedelta(days=2))
            scan_ids.append(price_scan_run(full=True, now=now).pk)  # last night's
            added = write_observations(world, day_only=day, created_at=now)
            with timer() as t_inc:
                inc = price_scan_run(now=now + timedelta(minutes=1))
            scan_ids.append(inc.pk)
            incremental = _signals()
            with timer() as t_full:
                full = price_scan_run(full=True, now=now + timedelta(minutes=2))
            scan_ids.append(full.pk)
            complete = _signals()
    finally:
        cleanup(world, scan_ids)
    row = suite_row(
        f"price scan: a day's {added:,} observations ({inc.observations:,} read as new) vs full, "
        f"{world['observations']:,} observations",
        t_inc["seconds"],
        t_full["seconds"],
        goal=GOAL,
        work=(incremental, complete),
        note="incremental",
    )
    row["breakdown"] = _breakdown(steps[inc.pk], steps[full.pk])
    return [row]


# --- settlement ------------------------------------------------------------------------------------------------------


def _hospital_statements(hospital_id: int) -> dict:
    """One hospital's statements and lines for the month, to the fen, as counts and a fingerprint."""
    from settlement.models import SettlementLine, SettlementStatement

    statements = sorted(
        SettlementStatement.objects.filter(hospital_id=hospital_id).values_list(
            "manufacturer_id",
            "fund_id",
            "period",
            "gross_amount",
            "returned_amount",
            "correction_amount",
            "amount",
            "payment_due_on",
            "claim_due_on",
            "status",
        )
    )
    lines = sorted(
        SettlementLine.objects.filter(statement__hospital_id=hospital_id).values_list(
            "statement__manufacturer_id",
            "receipt_line_id",
            "min_units",
            "returned_min_units",
            "amount",
            "correction_amount",
            "settled_unit_price",
        )
    )
    return {"statements": len(statements), "lines": len(lines), "fingerprint": digest([statements, lines])}


def settlement_rows(scale: float) -> list[dict]:
    from bench.settlement_batch import _forget_tender, build, empty_tables

    setup_django()
    from django.db import connection
    from django.utils import timezone

    from settlement.generation import generate_hospital_statements, generate_statements
    from settlement.models import SettledReturn, SettlementLine, SettlementStatement

    period = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    empty_tables()
    _forget_tender()
    try:
        sizes = build(1000, max(2, round(100 * scale)), 10, period)
        with timer() as t_full:
            generate_statements(month=period)
        hospitals = sorted(set(SettlementStatement.objects.values_list("hospital_id", flat=True)))
        hospital = hospitals[len(hospitals) // 2]
        whole_month = _hospital_statements(hospital)
        with connection.cursor() as cur:  # its statements reopened: removed with what refers to them
            ids = list(SettlementStatement.objects.filter(hospital_id=hospital).values_list("pk", flat=True))
            # the lines first (partitioned: their reference is kept by a trigger, not a foreign key purge follows)
            for model in (SettledReturn, SettlementLine):
                cur.execute(f"DELETE FROM {model._meta.db_table} WHERE statement_id = ANY(%s)", [ids])
            purge(cur, SettlementStatement._meta.db_table, ids)
        with timer() as t_inc:
            run = generate_hospital_statements(month=period, hospital_id=hospital)
        rebuilt = _hospital_statements(hospital)
    finally:
        empty_tables()
    return [
        suite_row(
            f"settlement: one hospital's {run.statements_created} statements, {run.lines_created} lines vs the "
            f"month, {sizes['receipt_lines']:,} receipt lines",
            t_inc["seconds"],
            t_full["seconds"],
            goal=GOAL,
            work=(rebuilt, whole_month),
            note="incremental",
        )
    ]


# --- the suite and the command line ----------------------------------------------------------------------------------


def suite_rows(scale: float, *, quick: bool = False, parts=PARTS) -> list[dict]:
    """The suite's lines (bench.suite): each incremental job next to its full job."""
    bench_database_name()
    jobs = {"progress": progress_rows, "price_scan": price_rows, "settlement": settlement_rows}
    return [row for part in parts for row in jobs[part](scale)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.incremental", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--part", action="append", choices=PARTS, help="only this job (repeatable)")
    parser.add_argument("--results", help="the results' name in bench/results/ (default incremental-SCALE)")
    args = parser.parse_args(argv)
    load = os.getloadavg()
    rows = suite_rows(args.scale, parts=args.part or PARTS)
    load_after = os.getloadavg()
    headers = ["measure", "incremental s", "full s", "ratio", "goal", "verdict", "result"]
    table = [
        [
            r["measure"],
            round(r["ours"], 3),
            round(r["floor"], 3),
            f"{r['ratio']:.1%}",
            f"≤ {GOAL:.0%}",
            "DIFFERENT" if not r["same"] else ("pass" if r["ok"] else "MISS"),
            "same rows" if r["same"] else "; ".join(r["differences"]),
        ]
        for r in rows
    ]
    title = f"Incremental jobs next to their full jobs, scale {args.scale}"
    print_table(headers, table, title=title)
    loads = f"load average {load[0]:.2f} before, {load_after[0]:.2f} after (2 shared cores)"
    print(loads)
    notes = [loads]
    step_headers = ["step", "incremental find s", "incremental write s", "full find s", "full write s"]
    for r in rows:
        if r.get("breakdown"):
            print_table(step_headers, r["breakdown"], title=f"{r['measure']}: each step (the scan's log)")
            notes.append(
                "each step, incremental find + write / full find + write (s): "
                + "; ".join(f"{b[0]} {b[1]:.2f} + {b[2]:.2f} / {b[3]:.2f} + {b[4]:.2f}" for b in r["breakdown"])
            )
    write_results(
        args.results or f"incremental-{args.scale:g}",
        title=title,
        headers=headers,
        rows=table,
        summary={"rows": rows, "load": [load, load_after]},
        notes=notes,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
