"""The heavy jobs at large scales, step by step: the commitment progress job, the full price scan and the settlement
month, with the doubling ratio from scale S/2 to S (goal ≤ 2.3) and their peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yaoxie_bench_scale .venv/bin/python -m bench.scale_jobs --scales 2.5 5

For each scale, in order (one database: each scale's data replaces the last's):

1. the receipts (``bench.generate --part receipts``, step by step: set-up, the year's orders a million lines at a time,
   a VACUUM ANALYZE per flow table, finish), then the job **progress**: ``progress_compute_all`` on an empty progress
   table (what ``bench.commitment_progress`` measures as "full recompute, empty table");
2. the price observations (``--part prices``: world, chunks of about 2 million observations, finish), then the job
   **scan**: the full scan (``price_scan_run(full=True)``) in parts of the products (by the hash of their peer group,
   ``pricing.sql.parts``), as many as the scale has ``--scan-part-scale`` units (0.05 by default: 2 parts at 0.1, 100
   at 5), each part × detector a step (``part=(k, n), only=[detector]``: the scan's own resumable unit, its alerts
   committed with the scan's record of it), the job's time their sum; ``--scan-part-scale 0`` runs the scan in one
   part, one detector a step, as it was measured before it could be cut;
3. the settlement month as ``bench.settlement_batch`` builds it at that scale (1,000 hospitals × 100·S manufacturers ×
   10 lines; it empties the ordering tables, so it comes last), then the job **settlement**: ``generate_statements``
   (the month's ordering and settlement tables are emptied after it, as the suite leaves them).

Every step — each generation step, each job, each detector — runs in a child process of its own: its time and its
peak resident memory are its own. A step done is skipped on the next invocation (the generation's are recorded in the
database's ``bench_generation_step``, the jobs' in bench/results/scale_jobs.json), so a long run is a series of short
commands:

    python -m bench.scale_jobs --scales 2.5 5 --plan          # every step, done or not, and its estimate
    python -m bench.scale_jobs --scales 2.5 5 --budget 480    # the steps not done, while they fit in 8 minutes
    python -m bench.scale_jobs --scales 2.5 5 --next          # exactly one step
    python -m bench.scale_jobs --scale 5 --job progress       # (again) one job at one scale, its data present
    python -m bench.scale_jobs --scales 2.5 5 --background    # the same, detached; output in scale_jobs.log
    python -m bench.scale_jobs --report                       # the table again from the JSON
    python -m bench.scale_jobs --drop                         # drop the benchmark database

Before each generation step the free disk of the server's data directory is checked against the step's need; after
each step the database's size is recorded. Results: bench/results/scale_jobs.json and .md (merged: a later invocation
adds its steps to what is there).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from datetime import date, timedelta

from bench.common import (
    RESULTS,
    ROOT,
    bench_database_name,
    emit,
    peak_rss_mb,
    pg_connect,
    run_child,
    setup_django,
    timer,
)

NAME = "scale_jobs"
GOAL_DOUBLING = 2.3
JOBS = ("progress", "scan", "settlement")
# the full scan's parts: one per this much scale (0: one part), so that a step reads as much at any scale
SCAN_PART_SCALE = 0.05


# --- the plan -------------------------------------------------------------------------------------------------------


def detectors() -> list[str]:
    setup_django()
    from pricing.detectors import registry

    return list(registry())


def scan_parts(scale: float) -> int:
    """The parts the full scan is cut into at this scale: one per SCAN_PART_SCALE of it (1 when that is 0)."""
    if not SCAN_PART_SCALE:
        return 1
    return max(1, math.ceil(round(scale / SCAN_PART_SCALE, 6)))


def scan_steps(scale: float) -> list[str]:
    """The scan's steps: ``job:scan:<detector>`` in one part, else ``job:scan:<k>/<n>:<detector>``, part by part."""
    parts = scan_parts(scale)
    if parts == 1:
        return [f"job:scan:{d}" for d in detectors()]
    return [f"job:scan:{k}/{parts}:{d}" for k in range(1, parts + 1) for d in detectors()]


def plan(scale: float) -> list[tuple[str, str]]:
    """The steps of one scale, in order: (job it belongs to, step key). Keys: ``receipts:<step>``, ``prices:<step>``
    (bench.generate's), ``settlement:build``, ``job:progress``, the scan's (``scan_steps``), ``job:settlement``."""
    from bench.generate import steps

    return [
        *(("progress", f"receipts:{s}") for s in steps("receipts", scale)),
        ("progress", "job:progress"),
        *(("scan", f"prices:{s}") for s in steps("prices", scale)),
        *(("scan", key) for key in scan_steps(scale)),
        ("settlement", "settlement:build"),
        ("settlement", "job:settlement"),
    ]


def load_results() -> dict:
    path = RESULTS / f"{NAME}.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    return {"benchmark": NAME, "scales": {}}


def scale_key(scale: float) -> str:
    return f"{scale:g}"


def recorded(results: dict, scale: float) -> dict:
    return results["scales"].setdefault(scale_key(scale), {"steps": {}, "jobs": {}})


def done_keys(results: dict, scale: float) -> set[str]:
    """The steps done at this scale: the generation's (from the database, for the data there now) and the jobs'."""
    from bench.generate import done

    keys = {f"{part}:{s}" for part in ("receipts", "prices", "settlement") for s in done(part, scale)}
    mine = recorded(results, scale)
    keys |= {k for k in mine["steps"] if k.startswith("job:")}
    return keys


def todo(results: dict, scale: float) -> list[str]:
    """The steps still to run: a job's data steps only while the job is not done (the settlement month empties the
    receipts the progress job read, which are not generated again once that job is done)."""
    have = done_keys(results, scale)
    steps = plan(scale)
    finished_jobs = {job for job in JOBS if all(k in have for j, k in steps if j == job and k.startswith("job:"))}
    return [k for job, k in steps if job not in finished_jobs and k not in have]


def estimate(results: dict, scale: float, key: str) -> float | None:
    """Seconds a step should take: the same step at the largest smaller scale measured, times the ratio of the rows a
    chunk of the year writes there and here, or of the scales for the other steps (an overestimate for the steps
    whose work does not grow with the scale, e.g. the set-up's 100,000 commitments)."""
    from bench.generate import rows_of

    part, _, name = key.partition(":")
    smaller = sorted((float(s) for s in results["scales"] if float(s) < scale), reverse=True)
    for s in smaller:
        step = results["scales"][scale_key(s)]["steps"].get(key)
        if not step:
            continue
        if name.startswith(("flows-", "observations-")):
            return step["seconds"] * rows_of(part, scale, name) / max(rows_of(part, s, name), 1)
        return step["seconds"] * scale / s
    return None


# --- running steps ---------------------------------------------------------------------------------------------------


def _record(results: dict, scale: float, key: str, record: dict) -> None:
    record = {
        **record,
        "load": [round(x, 2) for x in os.getloadavg()],
        "at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }
    mine = recorded(results, scale)
    mine["steps"][key] = record
    mine["database_bytes"] = max(mine.get("database_bytes", 0), record.get("database_bytes") or 0)
    write(results)


def run_one(results: dict, scale: float, key: str) -> dict:
    """Run one step in a child process of its own and record it."""
    from bench.generate import database_bytes

    kind, _, name = key.partition(":")
    print(f"[scale {scale:g}] {key} …", flush=True)
    with timer() as wall:
        if kind in ("receipts", "prices"):
            record = run_child("bench.generate", ["--scale", str(scale), "--part", kind, "--step", name])
        elif key == "job:progress":
            _require("receipts", scale)
            with pg_connect() as conn:
                conn.execute(
                    "TRUNCATE procurement_commitmentprogress, procurement_commitmentalertstate, common_notification"
                )
                conn.commit()
            record = run_child("bench.commitment_progress", ["--child", "full"])
        elif key.startswith("job:scan:"):
            _require("prices", scale)
            if key == scan_steps(scale)[0]:
                forget_scans()
            *part, detector = key.split(":")[2:]
            cut = ["--part", part[0]] if part else []
            record = run_child("bench.scale_jobs", ["--child", "scan", "--detector", detector, *cut])
        elif key == "settlement:build":
            record = run_child("bench.scale_jobs", ["--child", "settlement-build", "--scale", str(scale)])
        elif key == "job:settlement":
            _require("settlement", scale)
            record = run_child("bench.scale_jobs", ["--child", "settlement", "--scale", str(scale)])
        else:
            raise SystemExit(f"no step {key!r}")
    record["wall_seconds"] = round(wall["seconds"], 2)
    record.setdefault("database_bytes", database_bytes())
    _record(results, scale, key, record)
    size = record["database_bytes"] / 1024**3
    print(
        f"[scale {scale:g}] {key}: {record['seconds']:.1f} s (process {wall['seconds']:.0f} s), peak RSS "
        f"{record['peak_rss_mb']} MiB, database {size:.2f} GiB",
        flush=True,
    )
    return record


def _require(part: str, scale: float) -> None:
    from bench.generate import done, steps

    if part == "settlement":
        if "build" not in done("settlement", scale):
            raise SystemExit(f"the settlement month of scale {scale:g} is not built: run settlement:build first")
        return
    missing = [s for s in steps(part, scale) if s not in done(part, scale)]
    if missing:
        raise SystemExit(f"the {part} of scale {scale:g} are not all generated (first missing: {missing[0]})")


def forget_scans() -> None:
    """Before a full scan: no alert, signal or scan of the world left by an earlier one (a first scan on its data)."""
    setup_django()
    from bench.price_scan import MARK
    from catalog.models import Product
    from pricing.models import PriceAlert, PriceScan, Signal

    products = Product.objects.filter(remarks=MARK)
    Signal.objects.filter(alert__product__in=products).delete()
    PriceAlert.history.filter(product__in=products).delete()
    PriceAlert.objects.filter(product__in=products).delete()
    PriceScan.objects.all().delete()


# --- children --------------------------------------------------------------------------------------------------------


def settlement_period() -> date:
    from django.utils import timezone

    return (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


def child(what: str, scale: float | None, detector: str | None, part: str | None = None) -> None:
    setup_django()
    from django.utils import timezone

    result: dict = {}
    if what == "scan":
        from pricing.services.scan import price_scan_run

        cut = None if part is None else tuple(int(x) for x in part.split("/"))
        with timer() as t:
            scan = price_scan_run(full=True, now=timezone.now(), only=[detector], part=cut)
        findings = scan.findings or {}
        # the detector's findings so far: of the parts run (all of them once its last part is recorded)
        so_far = findings.get(detector, sum(findings.get("_steps", {}).get(detector, {}).values()))
        result = {"findings": so_far, "alerts opened": scan.alerts_opened, "scan": scan.pk}
    elif what == "settlement-build":
        from bench import settlement_batch
        from bench.generate import HEADROOM, RECEIPT_LINE_BYTES, STEPS_TABLE, _ensure_steps_table, _mark, free_bytes

        makers = max(2, round(100 * scale))
        need = 1000 * makers * 10 * RECEIPT_LINE_BYTES + HEADROOM
        if free_bytes() < need:
            raise SystemExit(f"the settlement month needs about {need / 1024**3:.1f} GiB of disk: free some space")
        with timer() as t:
            with pg_connect() as conn, conn.cursor() as cur:  # the receipts are emptied: the progress data is gone
                cur.execute("DROP TABLE IF EXISTS bench_meta")
                _ensure_steps_table(cur)
                cur.execute(f"DELETE FROM {STEPS_TABLE} WHERE part IN ('receipts', 'settlement')")
                conn.commit()
            settlement_batch.empty_tables()
            settlement_batch._forget_tender()
            sizes = settlement_batch.build(1000, makers, 10, settlement_period())
        with pg_connect() as conn, conn.cursor() as cur:
            _mark(cur, "settlement", scale, "build", t["seconds"], sizes)
            conn.commit()
        result = sizes
    elif what == "settlement":
        from bench import settlement_batch
        from settlement.generation import generate_statements

        settlement_batch.empty_tables(settlement_batch.SETTLEMENT_TABLES)
        with timer() as t:
            run = generate_statements(month=settlement_period())
        result = settlement_batch.ours_written(settlement_period())
        result["run status"] = run.status
        settlement_batch.empty_tables()  # as the suite leaves it: the next scale's set-up deletes no statement
    result = {k: (v if isinstance(v, int | float | str) else str(v)) for k, v in result.items()}
    emit({"seconds": t["seconds"], "peak_rss_mb": peak_rss_mb(), "info": result})


# --- results ---------------------------------------------------------------------------------------------------------


def job_totals(steps: dict) -> dict[str, dict]:
    """Each job's time (the scan: its steps' sum) and peak memory (the largest of its processes). The scan in one part
    is the job ``scan``; in parts, ``scan in parts`` (the cut with the most parts whose every step is recorded), so the
    two can be compared at one scale."""
    groups: dict[str, dict] = {}
    for job in JOBS:
        mine = {k: v for k, v in steps.items() if k == f"job:{job}" or k.startswith(f"job:{job}:")}
        if job != "scan":
            groups[job] = mine
            continue
        groups["scan"] = {k: v for k, v in mine.items() if "/" not in k}
        cuts: dict[int, dict] = {}
        for k, v in mine.items():
            if "/" in k:
                cuts.setdefault(int(k.split(":")[2].split("/")[1]), {})[k] = v
        complete = [n for n, cut in cuts.items() if len(cut) == n * len(detectors())]
        if complete:
            groups["scan in parts"] = cuts[max(complete)]
    out = {}
    for job, mine in groups.items():
        if not mine or (job == "scan" and len(mine) < len(detectors())):
            continue
        out[job] = {
            "seconds": sum(v["seconds"] for v in mine.values()),
            "peak_rss_mb": max(v["peak_rss_mb"] for v in mine.values()),
            "longest step": max(v["seconds"] for v in mine.values()),
            "steps": len(mine),
            "load": max(v["load"][0] for v in mine.values()),
        }
    return out


def generation_totals(steps: dict) -> dict[str, dict]:
    out = {}
    for part in ("receipts", "prices", "settlement"):
        mine = {k: v for k, v in steps.items() if k.startswith(f"{part}:")}
        if mine:
            out[part] = {
                "steps": len(mine),
                "seconds": sum(v["seconds"] for v in mine.values()),
                "longest step": max(v["seconds"] for v in mine.values()),
                "longest": max(mine, key=lambda k: mine[k]["seconds"]),
                "peak_rss_mb": max(v["peak_rss_mb"] for v in mine.values()),
            }
    return out


def write(results: dict) -> None:
    """bench/results/scale_jobs.json and .md: per scale the jobs and the generation, then the doubling ratios."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    results["measured"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    scales = sorted(float(s) for s in results["scales"])
    lines = [
        "### Jobs at scale (bench.scale_jobs)",
        "",
        f"Last step {results['measured']}. Each job and generation step in a process of its own; peak RSS is its.",
        "",
        "| scale | job or generation | seconds | longest step s | peak RSS MiB | load at its end |",
        "|---|---|---|---|---|---|",
    ]
    for s in scales:
        steps = results["scales"][scale_key(s)]["steps"]
        for job, t in job_totals(steps).items():
            name = f"{job} ({t['steps']} steps)" if job.startswith("scan") else job
            lines.append(
                f"| {s:g} | job: {name} | {t['seconds']:,.1f} | {t['longest step']:,.1f} | {t['peak_rss_mb']} | "
                f"{t['load']} |"
            )
        for part, t in generation_totals(steps).items():
            load = max(v["load"][0] for k, v in steps.items() if k.startswith(f"{part}:"))
            lines.append(
                f"| {s:g} | generate {part} ({t['steps']} steps) | {t['seconds']:,.1f} | {t['longest step']:,.1f} "
                f"({t['longest']}) | {t['peak_rss_mb']} | {load} |"
            )
        size = results["scales"][scale_key(s)].get("database_bytes", 0)
        lines.append(f"| {s:g} | largest database size | {size / 1024**3:,.2f} GiB | | | |")
    doubling = []
    for s in scales:
        half = s / 2
        if scale_key(half) not in results["scales"]:
            continue
        now, before = (job_totals(results["scales"][scale_key(x)]["steps"]) for x in (s, half))
        for job in now:
            if job in before:
                ratio = now[job]["seconds"] / before[job]["seconds"] if before[job]["seconds"] else float("inf")
                memory = now[job]["peak_rss_mb"] / before[job]["peak_rss_mb"]
                doubling.append(
                    {
                        "job": job,
                        "from": half,
                        "to": s,
                        "seconds": [before[job]["seconds"], now[job]["seconds"]],
                        "ratio": round(ratio, 3),
                        "ok": ratio <= GOAL_DOUBLING,
                        "peak_rss_mb": [before[job]["peak_rss_mb"], now[job]["peak_rss_mb"]],
                        "memory_ratio": round(memory, 3),
                    }
                )
    results["doubling"] = doubling
    if doubling:
        lines += [
            "",
            f"| job | scale | seconds | time ratio | goal ≤ {GOAL_DOUBLING} | peak RSS MiB | memory ratio |",
            "|---|---|---|---|---|---|---|",
        ]
        for d in doubling:
            lines.append(
                f"| {d['job']} | {d['from']:g} → {d['to']:g} | {d['seconds'][0]:,.1f} → {d['seconds'][1]:,.1f} | "
                f"{d['ratio']:.2f} | {'met' if d['ok'] else 'MISSED'} | {d['peak_rss_mb'][0]} → "
                f"{d['peak_rss_mb'][1]} | {d['memory_ratio']:.2f} |"
            )
    (RESULTS / f"{NAME}.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (RESULTS / f"{NAME}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- the command -----------------------------------------------------------------------------------------------------


def prepare() -> None:
    """The benchmark database, created and migrated when it is new (or has never had a generation step)."""
    from bench.common import create_database, migrate
    from bench.generate import _has_steps

    created = create_database()
    with pg_connect() as conn, conn.cursor() as cur:
        fresh = created or not _has_steps(cur)
    if fresh:
        print(f"migrating the database ({'created' if created else 'no step recorded yet'}) …", flush=True)
        print(f"migrated in {migrate():.0f} s", flush=True)


def drop_database() -> None:
    import psycopg
    from psycopg import sql

    from bench.common import _connection_params, database

    name = bench_database_name()
    with psycopg.connect(autocommit=True, **_connection_params("postgres")) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
    print(f"dropped the database {name} ({database().get('HOST') or 'local'})")


def print_plan(results: dict, scales: list[float]) -> None:
    from bench.generate import data_directory, free_bytes, need_bytes

    print(f"free disk in {data_directory()}: {free_bytes() / 1024**3:.1f} GiB")
    for scale in scales:
        pending, have = set(todo(results, scale)), done_keys(results, scale)
        mine = recorded(results, scale)["steps"]
        print(f"scale {scale:g}:")
        for _, key in plan(scale):
            part, _, name = key.partition(":")
            if key in have:
                step = mine.get(key)
                print(
                    f"  {key:<34} done"
                    + (f": {step['seconds']:,.1f} s, peak RSS {step['peak_rss_mb']} MiB" if step else "")
                )
            elif key in pending:
                guess = estimate(results, scale, key)
                disk = need_bytes(part, scale, name) if part in ("receipts", "prices") else 0
                print(
                    f"  {key:<34} to do"
                    + (f", about {guess:,.0f} s" if guess is not None else "")
                    + (f", needs {disk / 1024**3:.1f} GiB free" if disk else "")
                )
            else:
                print(f"  {key:<34} not needed (its job is done)")


def background(argv: list[str]) -> int:
    log = RESULTS / f"{NAME}.log"
    args = [a for a in argv if a != "--background"]
    with log.open("a", encoding="utf-8") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.scale_jobs", *args],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    print(f"started in the background: process {process.pid}, output in {log.relative_to(ROOT)}")
    return 0


def run_steps(results: dict, scales: list[float], *, one: bool, budget: float | None) -> None:
    """The steps not done, scale after scale: all of them, only one, or those that should end within the budget
    (estimated from the same step at a smaller scale; a step never measured starts only in the budget's first half;
    the first step of an invocation always runs)."""
    started = time.perf_counter()
    ran = 0
    for scale in scales:
        for key in todo(results, scale):
            if one and ran:
                break
            if budget is not None and ran:
                guess, elapsed = estimate(results, scale, key), time.perf_counter() - started
                if guess is None and elapsed < budget / 2:
                    guess = 0.0  # not measured at a smaller scale: started in the budget's first half
                if guess is None or elapsed + guess > budget:
                    print(f"stopping before {key} at scale {scale:g} (budget {budget:.0f} s): run again", flush=True)
                    return
            run_one(results, scale, key)
            ran += 1
    left = [(s, k) for s in scales for k in todo(results, s)]
    if left:
        print(f"{len(left)} steps left (next: {left[0][1]} at scale {left[0][0]:g}): run again")
    else:
        print("every step done")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m bench.scale_jobs", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=float, nargs="+", help="the scales, smallest first (e.g. 2.5 5)")
    parser.add_argument("--scale", type=float, help="one scale")
    parser.add_argument("--plan", action="store_true", help="list the steps, done or not, and stop")
    parser.add_argument("--next", action="store_true", help="run one step, the first not done")
    parser.add_argument("--budget", type=float, help="seconds: start a step only while it should end within them")
    parser.add_argument("--job", choices=JOBS, help="run (again) this job only, at --scale; its data must be there")
    parser.add_argument("--report", action="store_true", help="rewrite the .md from the .json")
    parser.add_argument("--drop", action="store_true", help="drop the benchmark database at the end")
    parser.add_argument("--background", action="store_true", help="run detached; output in bench/results/*.log")
    parser.add_argument("--child", choices=["scan", "settlement-build", "settlement"], help=argparse.SUPPRESS)
    parser.add_argument(
        "--scan-part-scale",
        type=float,
        default=SCAN_PART_SCALE,
        help=f"the full scan in one part per this much scale (default {SCAN_PART_SCALE}; 0: one part)",
    )
    parser.add_argument("--detector", help=argparse.SUPPRESS)
    parser.add_argument("--part", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    bench_database_name()
    globals()["SCAN_PART_SCALE"] = args.scan_part_scale  # read by the plan (scan_parts)
    if args.child:
        child(args.child, args.scale, args.detector, args.part)
        return 0
    if args.background:
        return background(argv)
    results = load_results()
    if args.report:
        write(results)
        print((RESULTS / f"{NAME}.md").read_text(encoding="utf-8"))
        return 0
    scales = args.scales or ([args.scale] if args.scale is not None else [])
    if not scales and not args.drop:
        parser.error("give --scales (or --scale), --report or --drop")
    if scales:
        prepare()
    if args.plan:
        print_plan(results, scales)
        return 0
    if args.job:
        if len(scales) != 1:
            parser.error("--job takes one --scale")
        for key in [k for job, k in plan(scales[0]) if job == args.job and k.startswith("job:")]:
            run_one(results, scales[0], key)
    else:
        run_steps(results, scales, one=args.next, budget=args.budget)
    write(results)
    print((RESULTS / f"{NAME}.md").read_text(encoding="utf-8"))
    if args.drop:
        if scales and any(todo(results, s) for s in scales):
            print("not dropping the database: steps are left (run again, then --drop)")
        else:
            drop_database()
    return 0


if __name__ == "__main__":
    sys.exit(main())
