"""Helpers shared by the benchmarks: Django set-up on PostgreSQL, timing, memory, child processes, tables.

A benchmark measures each path in a child process of its own (``run_child``) so that the peak resident memory
it reports (``peak_rss_mb``, from ``resource.getrusage``) belongs to that path alone.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    return os.environ.get("DATABASE_URL", "")


def is_postgres(url: str | None = None) -> bool:
    return (url if url is not None else database_url()).startswith(("postgres://", "postgresql://"))


def setup_django() -> None:
    """Configure Django from the environment (DATABASE_URL), as manage.py would."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def pg_connect(autocommit: bool = False):
    """A plain psycopg connection to DATABASE_URL, outside Django (for COPY baselines)."""
    import psycopg

    url = database_url()
    if not is_postgres(url):
        raise RuntimeError("DATABASE_URL must name a PostgreSQL database")
    return psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=autocommit)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


@contextmanager
def timer() -> Iterator[dict]:
    """``with timer() as t: ...`` then ``t["seconds"]``."""
    result: dict = {}
    start = time.perf_counter()
    try:
        yield result
    finally:
        result["seconds"] = time.perf_counter() - start


def run_child(module: str, args: Sequence[str], *, env: dict | None = None) -> dict:
    """Run ``python -m module args`` and return the JSON object it prints on its last line of output."""
    completed = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=ROOT, env={**os.environ, **(env or {})},
        capture_output=True, text=True, check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{completed.stdout}\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def emit(data: dict) -> None:
    """What a child process hands back to ``run_child``."""
    print(json.dumps(data, ensure_ascii=False), flush=True)


def rate(rows: int, seconds: float) -> float:
    return rows / seconds if seconds > 0 else float("inf")


def print_table(headers: Sequence[str], rows: Sequence[Sequence], *, title: str = "") -> None:
    """A plain-text table; numbers right-aligned."""
    def cell(value) -> str:
        if isinstance(value, float):
            return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)

    text = [[cell(v) for v in row] for row in rows]
    widths = [max(_width(h), *(_width(r[i]) for r in text)) for i, h in enumerate(headers)]
    numeric = [all(isinstance(row[i], (int, float)) for row in rows if row[i] != "") for i in range(len(headers))]
    if title:
        print(f"\n{title}")
    print(" | ".join(_pad(h, w, False) for h, w in zip(headers, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in text:
        print(" | ".join(_pad(v, w, n) for v, w, n in zip(row, widths, numeric, strict=True)))


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * (width - _width(text))
    return fill + text if right else text + fill


RESULTS = ROOT / "bench" / "results"


def write_results(name: str, *, title: str, headers: Sequence[str], rows: Sequence[Sequence], summary: dict,
                  notes: Sequence[str] = ()) -> tuple[Path, Path]:
    """Keep a benchmark's table in bench/results/<name>.json and .md (the Markdown table is what the README quotes)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    measured = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    data = {"benchmark": name, "title": title, "measured": measured, "headers": list(headers),
            "rows": [list(r) for r in rows], "summary": summary, "notes": list(notes)}
    json_path = RESULTS / f"{name}.json"
    json_path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    def cell(value) -> str:
        if isinstance(value, float):
            return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value).replace("|", "\\|")

    lines = [f"### {title}", "", f"Measured {measured}.", "", "| " + " | ".join(headers) + " |",
             "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    if notes:
        lines += [""] + [f"- {note}" for note in notes]
    md_path = RESULTS / f"{name}.md"
    md_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return json_path, md_path


# --- the suite's common interface ------------------------------------------------------------------------------------
# Every benchmark module exposes ``suite_rows(scale: float, *, quick: bool = False) -> list[dict]``: one dict per
# measure, made by ``suite_row``. ``python -m bench`` runs each module in a child process of its own and prints them
# all as one table (bench/results/suite.json and suite.md).


def suite_row(measure: str, ours: float, floor: float, *, unit: str = "s", goal: float | None = None,
              higher_is_better: bool = False, rss: float | None = None, seconds: float | None = None,
              note: str = "") -> dict:
    """One line of the suite table. ``ratio`` is ours ÷ floor; the goal is a bound on it (≤ for times, ≥ for rates
    and scores). ``seconds`` is the time the doubling check compares (defaults to ``ours`` when the unit is s)."""
    ratio = ours / floor if floor else float("inf")
    ok = None
    if goal is not None:
        ok = ratio >= goal if higher_is_better else ratio <= goal
    return {
        "measure": measure, "unit": unit, "ours": ours, "floor": floor, "ratio": ratio,
        "goal": "" if goal is None else f"{'≥' if higher_is_better else '≤'} {goal:g}×",
        "ok": ok, "rss": rss if rss is not None else peak_rss_mb(),
        "seconds": seconds if seconds is not None else (ours if unit == "s" else None), "note": note,
    }


# --- cleaning up --------------------------------------------------------------------------------------------------


def purge(cursor, table: str, ids: Sequence[int], *, _seen: frozenset[str] = frozenset()) -> int:
    """Delete rows ``ids`` of ``table`` and, first, every row that refers to them through a foreign key, recursively
    (notifications, audit events, history rows, …): what a benchmark created goes whatever the platform attached to
    it. PostgreSQL only; returns the number of rows deleted."""
    ids = list(ids)
    if not ids:
        return 0
    deleted = 0
    cursor.execute(
        "SELECT cl.relname, a.attname FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "WHERE c.contype = 'f' AND c.confrelid = %s::regclass AND cardinality(c.conkey) = 1", [table])
    for referring, column in cursor.fetchall():
        if referring == table or referring in _seen:  # a cycle: cut the reference instead of following it
            if _nullable(cursor, referring, column):
                cursor.execute(f'UPDATE "{referring}" SET "{column}" = NULL WHERE "{column}" = ANY(%s)', [ids])
            continue
        key = _primary_key(cursor, referring)
        cursor.execute(f'SELECT "{key}" FROM "{referring}" WHERE "{column}" = ANY(%s)', [ids])
        deleted += purge(cursor, referring, [r[0] for r in cursor.fetchall()], _seen=_seen | {table})
    cursor.execute(f'DELETE FROM "{table}" WHERE "{_primary_key(cursor, table)}" = ANY(%s)', [ids])
    return deleted + cursor.rowcount


def _primary_key(cursor, table: str) -> str:
    cursor.execute("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                   "AND a.attnum = i.indkey[0] WHERE i.indrelid = %s::regclass AND i.indisprimary", [table])
    return cursor.fetchone()[0]


def _nullable(cursor, table: str, column: str) -> bool:
    cursor.execute("SELECT is_nullable = 'YES' FROM information_schema.columns WHERE table_name = %s "
                   "AND column_name = %s AND table_schema = current_schema()", [table, column])
    return cursor.fetchone()[0]
