"""The benchmark suite: every capability next to its floor, measured in the same run, as one table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yaoxie_bench .venv/bin/python -m bench [--scale 0.1] [--only NAME]
    make bench BENCH_ARGS="--scale 0.1"

The suite first creates its database when the server does not have it and migrates it (``manage.py migrate``), so it
runs on a fresh empty database. Each benchmark module runs in a child process of its own (``python -m bench --child
NAME --scale S``) and hands back its rows (``suite_rows``, see ``bench.common.suite_row``); the peak RSS of a row is
that child's. The doubling check
runs every module again at half the scale and reports, per timed measure, time(S) ÷ time(S/2): about 2 means the job
grows linearly with the data. Results: bench/results/suite.json and suite.md (the table docs/benchmarks.md quotes).

On a small machine a ratio moves by ±20 % from one run to the next, so ``--passes N`` runs every benchmark N times,
the benchmarks taking turns (a slow minute then spreads over all of them rather than one), and reports each line from
the pass whose ratio is that line's median, with the lowest and highest ratio seen.

A floor is only a floor if it did the same work: every line carries what ours and the floor produced (row counts,
totals, fingerprints of every result; ``bench.common.suite_row``), and a line whose floor produced something else is
marked DIFFERENT, a failed goal whatever the times.

The benchmarks write to the database they are given (some empty the ordering tables): one of their own, whose name
contains ``bench`` (any other is refused).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from bench.common import (
    RESULTS,
    ChildFailed,
    bench_database_name,
    create_database,
    emit,
    error_line,
    migrate,
    print_table,
    run_child,
    server_version,
    write_results,
)

# Order matters only for speed: the benchmarks that empty the ordering tables run after the ones that add to them.
MODULES = [
    "catalog_import",
    "catalog_search",
    "tender_selection",
    "tender_awards",
    "order_api",
    "price_scan",
    "settlement_batch",
    "budget_yearend",
    "commitment_progress",
    "trace_receipt",
    "incremental",
]
HEADERS = [
    "benchmark",
    "measure",
    "ours",
    "floor",
    "unit",
    "ratio",
    "ratio over passes",
    "goal",
    "peak RSS MiB",
    "floor's result",
    "pass",
]
DOUBLING_HEADERS = ["benchmark", "measure", "s at S/2", "s at S", "time ratio", "linear (≤ 2.6)"]
LINEAR_LIMIT = 2.6  # 2 is linear; a quadratic job would show 4


def child(name: str, scale: float, quick: bool) -> None:
    """One benchmark's lines, handed back to ``run_module``; on an error, the error in one line (then the traceback,
    for the log), which the table shows."""
    module = importlib.import_module(f"bench.{name}")
    started = time.perf_counter()
    try:
        rows = module.suite_rows(scale, quick=quick)
    except Exception as error:
        emit({"error": error_line(error)})
        raise
    emit({"rows": rows, "seconds": time.perf_counter() - started})


def run_module(name: str, scale: float, quick: bool) -> tuple[list[dict], float]:
    args = ["--child", name, "--scale", repr(scale)] + (["--quick"] if quick else [])
    try:
        result = run_child("bench", args)
    except ChildFailed as error:  # one benchmark failing does not hide the others
        print(f"{name}: FAILED — {error}", file=sys.stderr, flush=True)
        return [failed_row(error.reason)], 0.0
    return result["rows"], result["seconds"]


FAILED_MAX = 400  # characters of a failure's reason in its table line


def failed_row(message: str) -> dict:
    return {
        "measure": "failed: " + (message if len(message) <= FAILED_MAX else message[: FAILED_MAX - 1] + "…"),
        "unit": "",
        "ours": None,
        "floor": None,
        "ratio": None,
        "goal": "",
        "ok": False,
        "rss": None,
        "seconds": None,
        "note": "",
        "same": True,
        "differences": [],
    }


def median_of_passes(passes: list[list[dict]]) -> list[dict]:
    """One module's lines over several passes: each line is taken from the pass whose ratio is that line's median
    (lower median for an even count), so its ours, floor and verdict stay one measurement; ``ratio_range`` keeps the
    lowest and highest ratio seen. A pass that failed counts only when every pass failed. A line whose floor did other
    work in any pass is that pass's line (DIFFERENT): the median of the others would hide it."""
    measured = [rows for rows in passes if rows and rows[0].get("ours") is not None] or passes[:1]
    out = []
    for i, first in enumerate(measured[0]):
        same = [rows[i] for rows in measured if i < len(rows) and rows[i]["measure"] == first["measure"]]
        ranked = sorted((r for r in same if r.get("ratio") is not None), key=lambda r: r["ratio"])
        if not ranked:
            out.append(first)
            continue
        different = [r for r in ranked if r.get("same") is False]
        chosen = dict(different[0] if different else ranked[(len(ranked) - 1) // 2])
        if len(ranked) > 1:
            chosen["ratio_range"] = [ranked[0]["ratio"], ranked[-1]["ratio"]]
            if "seconds" in chosen and all(r.get("seconds") for r in ranked):  # the doubling check's time: the median
                chosen["seconds"] = statistics.median_low(r["seconds"] for r in ranked)
        out.append(chosen)
    return out


def _number(value, digits: int = 3):
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN
        return ""
    return round(value, digits) if isinstance(value, float) else value


def table_rows(results: dict[str, list[dict]]) -> list[list]:
    out = []
    for name, rows in results.items():
        for r in rows:
            verdict = "" if r["ok"] is None else ("pass" if r["ok"] else "MISS")
            if r.get("unmeasured"):  # the run could not measure what the goal is about (e.g. the rate not sustained)
                verdict = "NOT MEASURED"
            if r.get("same") is False:
                verdict = "DIFFERENT"
            spread = r.get("ratio_range")
            spread = f"{spread[0]:.2f}–{spread[1]:.2f}" if spread else ""
            out.append(
                [
                    name,
                    r["measure"],
                    _number(r["ours"]),
                    _number(r["floor"]),
                    r["unit"],
                    _number(r["ratio"], 2),
                    spread,
                    r["goal"],
                    _number(r["rss"], 0),
                    floor_result(r),
                    verdict,
                ]
            )
    return out


def floor_result(row: dict) -> str:
    """The check column: what was compared and found equal ("same: statements, lines, amount"), or how the floor's
    result differs from ours."""
    if row.get("same") is False:
        return "DIFFERENT — " + "; ".join(row.get("differences", []))
    checked = list((row.get("work") or {}).get("ours", {}))
    return f"same: {', '.join(checked)}" if checked else ""


def doubling_rows(half: dict[str, list[dict]], full: dict[str, list[dict]]) -> list[list]:
    """Rows matched by position: a module lists the same measures at every scale (their labels name the sizes)."""
    out = []
    for name, rows in full.items():
        before = half.get(name, [])
        for i, r in enumerate(rows):
            small = before[i] if i < len(before) else None
            if not small or not r.get("seconds") or not small.get("seconds"):
                continue
            ratio = r["seconds"] / small["seconds"]
            out.append(
                [
                    name,
                    r["measure"],
                    round(small["seconds"], 3),
                    round(r["seconds"], 3),
                    round(ratio, 2),
                    "yes" if ratio <= LINEAR_LIMIT else "NO",
                ]
            )
    return out


def _earlier(path: Path, scale: float, wait: float = 1800) -> dict[str, list[dict]]:
    """The results of a suite run at `scale` (run at the same time on another database: waited for)."""
    deadline = time.time() + wait
    while True:
        if path.exists():
            earlier = json.loads(path.read_text(encoding="utf-8"))["summary"]
            if abs(earlier["scale"] - scale) < 1e-9:
                return earlier["results"]
        if time.time() > deadline:
            raise SystemExit(f"{path}: no results at scale {scale:g}")
        time.sleep(10)


def _kept(path: Path, scale: float, names: list[str]) -> tuple[dict, dict, dict]:
    """The lines of the last suite run at ``scale`` that this run does not redo: results, half-scale results and the
    time each benchmark was measured."""
    if not path.exists():
        raise SystemExit(f"--update: {path} does not exist; run the whole suite first")
    data = json.loads(path.read_text(encoding="utf-8"))
    summary = data["summary"]
    if abs(summary["scale"] - scale) > 1e-9:
        raise SystemExit(f"--update: {path} holds scale {summary['scale']:g}, not {scale:g}")
    others = {m: rows for m, rows in summary["results"].items() if m not in names}
    half = summary.get("doubling", {}).get("half", {})
    measured = {m: summary.get("measured", {}).get(m, data["measured"]) for m in others}
    return others, {m: rows for m, rows in half.items() if m in others}, measured


def machine() -> str:
    """Where the suite ran: cores, memory, processor, and the load when it ended (other work skews a ratio)."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores, {memory:.0f} GiB, {platform.processor() or platform.machine()}; load {load}"


def _table(full: dict[str, list[dict]], scale: float, server: str) -> tuple[str, list[list], str]:
    """The suite's table, printed: its title, rows, and the start of its note (goals met, lines DIFFERENT)."""
    title = f"Benchmark suite at scale {scale:g} ({server}), each measure next to its floor in the same run"
    rows = table_rows(full)
    print_table(HEADERS, rows, title=title)
    met = sum(1 for r in rows if r[-1] == "pass")
    different = sum(1 for r in rows if r[-1] == "DIFFERENT")
    verdict = (
        f"scale {scale:g}; {met} of {sum(1 for r in rows if r[7])} goals met; "
        + (f"{different} lines DIFFERENT (the floor did other work); " if different else "")
        + "ratio = ours ÷ floor (for rates and scores higher is better); "
    )
    return title, rows, verdict


def finish_partial(results: str) -> int:
    """The table of a run cut short: each benchmark's lines over the passes it finished (the partial file keeps every
    line's median so far, with its range)."""
    partial = json.loads((RESULTS / f"{results}.partial.json").read_text(encoding="utf-8"))
    full, scale = partial["results"], partial["scale"]
    server = server_version()
    title, rows, verdict = _table(full, scale, server)
    notes = [
        verdict
        + f"a run cut short after {partial['passes']} of its passes (the benchmarks after the last one finished "
        + f"have one pass fewer), each line the median pass's, with the range of its ratio; {machine()}"
    ]
    summary = {"scale": scale, "server": server, "machine": machine(), "passes": partial["passes"], "results": full}
    json_path, md_path = write_results(results, title=title, headers=HEADERS, rows=rows, summary=summary, notes=notes)
    print(f"\n{notes[0]}\nwritten: {json_path.name}, {md_path.name} in bench/results/")
    return 0


def main(argv: list[str] | None = None) -> int:  # noqa: C901 - the command line's options, one by one
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale",
        type=float,
        default=None,
        help="1 ≈ a province: 1,000 hospitals, 50,000 products, 500 lots, 5 million receipt lines and "
        "price observations a year (default 1; 0.1 with --quick)",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=MODULES,
        metavar="NAME",
        help=f"run only this benchmark (repeatable): {', '.join(MODULES)}",
    )
    parser.add_argument("--quick", action="store_true", help="scale 0.1, shorter load runs, no doubling check")
    parser.add_argument("--no-doubling", action="store_true", help="skip the run at half the scale")
    parser.add_argument(
        "--half",
        metavar="JSON",
        help="take the half-scale results from this earlier suite run's "
        "JSON (e.g. run at S/2 on another database) instead of running them",
    )
    parser.add_argument(
        "--update",
        action="store_true",
        help="with --only: replace just those benchmarks' lines in the last suite run at this scale "
        "(bench/results/<results>.json) and keep the others, each with the time it was measured",
    )
    parser.add_argument(
        "--passes",
        type=int,
        default=1,
        metavar="N",
        help="run every benchmark N times, the benchmarks taking turns, and report each line's median "
        "ratio with the range seen (a 2-core machine moves a ratio by ±20%% between runs)",
    )
    parser.add_argument("--results", default="suite", help="name of the result files in bench/results (suite)")
    parser.add_argument(
        "--from-partial",
        action="store_true",
        help="write the table of a run cut short from what it finished (bench/results/<results>.partial.json); "
        "no doubling check",
    )
    parser.add_argument("--child", choices=MODULES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    scale = args.scale if args.scale is not None else (0.1 if args.quick else 1.0)
    if args.child:
        child(args.child, scale, args.quick)
        return 0
    if args.from_partial:
        return finish_partial(args.results)
    bench_database_name()
    if create_database():
        print("created the database", flush=True)
    print(f"migrating the database … {migrate():.0f} s", flush=True)
    names = [m for m in MODULES if not args.only or m in args.only]
    doubling = not (args.quick or args.no_doubling)
    half: dict[str, list[dict]] = {}
    kept, kept_half, measured = {}, {}, {}
    if args.update:
        kept, kept_half, measured = _kept(RESULTS / f"{args.results}.json", scale, names)
    doubling = doubling or bool(args.half)
    started = time.perf_counter()
    full: dict[str, list[dict]] = {}
    passes = max(1, args.passes)
    runs: dict[str, list[list[dict]]] = {name: [] for name in names}
    half_runs: dict[str, list[list[dict]]] = {name: [] for name in names}
    for number in range(1, passes + 1):
        for name in names:
            label = f" (pass {number} of {passes})" if passes > 1 else ""
            if doubling and not args.half:
                print(f"{name} at scale {scale / 2:g}{label} …", flush=True)
                half_runs[name].append(run_module(name, scale / 2, args.quick)[0])
                half[name] = median_of_passes(half_runs[name])
            print(f"{name} at scale {scale:g}{label} …", flush=True)
            rows, seconds = run_module(name, scale, args.quick)
            runs[name].append(rows)
            full[name] = median_of_passes(runs[name])
            measured[name] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
            print(f"  {seconds:.0f} s", flush=True)
            (RESULTS / f"{args.results}.partial.json").write_text(  # what is done so far, should the run be cut short
                json.dumps({"scale": scale, "passes": number, "results": full}, ensure_ascii=False) + "\n",
                encoding="utf-8",
            )

    if args.half:
        half = _earlier(Path(args.half), scale / 2)
    if args.update:  # the suite's order, the lines just measured in place of the kept ones
        full = {m: full.get(m, kept.get(m)) for m in MODULES if m in full or m in kept}
        half = {m: half.get(m, kept_half.get(m)) for m in MODULES if m in half or m in kept_half}
    server = server_version()
    title, rows, verdict = _table(full, scale, server)
    summary_machine = machine()
    notes = [
        verdict
        + (f"{passes} passes, each line the median pass's, with the range of its ratio; " if passes > 1 else "")
        + f"whole run {time.perf_counter() - started:.0f} s; {summary_machine}"
    ]
    if args.update:
        notes.append("measured: " + "; ".join(f"{m} {measured[m]}" for m in full if m in measured))
    summary = {
        "scale": scale,
        "server": server,
        "machine": summary_machine,
        "passes": passes,
        "modules": list(full),
        "results": full,
        "measured": measured,
    }
    doubling = doubling or bool(kept_half)  # an update keeps the doubling lines of the benchmarks it did not redo
    if doubling:
        dbl = doubling_rows(half, full)
        print_table(DOUBLING_HEADERS, dbl, title=f"Doubling check: scale {scale / 2:g} → {scale:g}")
        summary["doubling"] = {"half": half, "rows": dbl}
        write_results(
            f"{args.results}_doubling",
            title=f"Doubling check: scale {scale / 2:g} → {scale:g}",
            headers=DOUBLING_HEADERS,
            rows=dbl,
            summary={"scale": scale},
            notes=["time ratio ≈ 2: linear in the data; ≈ 4 would be quadratic"],
        )
    json_path, md_path = write_results(
        args.results, title=title, headers=HEADERS, rows=rows, summary=summary, notes=notes
    )
    if doubling:  # one Markdown file with both tables, as docs/benchmarks.md shows them
        md_path.write_text(
            md_path.read_text(encoding="utf-8")
            + "\n"
            + (RESULTS / f"{args.results}_doubling.md").read_text(encoding="utf-8"),
            encoding="utf-8",
        )
    print(f"\n{notes[0]}\nwritten: {json_path.name}, {md_path.name} in bench/results/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
