"""Helpers shared by the benchmarks: Django set-up on PostgreSQL, timing, memory, child processes, tables.

A benchmark measures each path in a child process of its own (``run_child``) so that the peak resident memory
it reports (``peak_rss_mb``, from ``resource.getrusage``) belongs to that path alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    """Configure Django from the environment (DATABASE_URL), as manage.py would, with DEBUG off unless the
    environment says otherwise: as in production, no statement is rendered once more for the debug log of queries."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DEBUG", "false")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def database() -> dict:
    """The settings of the database the benchmarks write to (Django's default one, from DATABASE_URL)."""
    setup_django()
    from django.conf import settings

    return settings.DATABASES["default"]


def _connection_params(dbname: str) -> dict:
    db = database()
    params = {
        "dbname": dbname,
        "user": db.get("USER"),
        "password": db.get("PASSWORD"),
        "host": db.get("HOST"),
        "port": db.get("PORT"),
    }
    return {key: str(value) for key, value in params.items() if value}


def pg_connect(autocommit: bool = False):
    """A plain psycopg connection to the benchmarks' database, outside Django (for the floors), in the time zone of
    Django's own sessions (UTC): a server's default may be another (the embedded server's is the machine's, e.g.
    Asia/Shanghai), and a floor reading timestamps there sees other wall-clock times than the platform — a sealed bid's
    submission time then no longer matches its seal, and every bid of the tender's floor was refused."""
    import psycopg

    params = _connection_params(database()["NAME"])  # sets Django up
    from django.db import connection

    return psycopg.connect(autocommit=autocommit, options=f"-c TimeZone={connection.timezone_name}", **params)


def bench_database_name() -> str:
    """The database's name, which must say it is the benchmarks' own (they empty the ordering and settlement tables
    and fill the catalog): a development or production database is refused."""
    name = database()["NAME"]
    if "bench" not in name:
        raise SystemExit(
            f"the benchmarks write to the database they are given and empty some of its tables: "
            f"{name!r} does not look like one of their own (its name must contain 'bench'); set "
            f"DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/yaoxie_bench"
        )
    return name


def create_database() -> bool:
    """Create the benchmarks' database when the server does not have it yet (UTF-8, for Chinese names and trigram
    search); True when it was created."""
    import psycopg
    from psycopg import sql

    name = bench_database_name()
    embedded = database().get("EMBEDDED_DATA_DIR")
    if embedded:  # the embedded server starts on Django's first connection; this one is psycopg's own
        from config.database.embedded import EmbeddedServer

        EmbeddedServer(Path(embedded)).ensure_running()
    with psycopg.connect(autocommit=True, **_connection_params("postgres")) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(
            sql.SQL(
                "CREATE DATABASE {} ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0"
            ).format(sql.Identifier(name))
        )
    return True


def server_version() -> str:
    """The database server's version, for the results (e.g. "PostgreSQL 15.20")."""
    with pg_connect() as conn:
        return "PostgreSQL " + conn.execute("SHOW server_version").fetchone()[0].split()[0]


def migrate() -> float:
    """Bring the database's tables up to date (``manage.py migrate``), so the suite runs on a fresh empty database;
    seconds taken (a second or two when there is nothing to apply)."""
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise SystemExit(f"manage.py migrate failed:\n{completed.stdout}\n{completed.stderr}")
    return time.perf_counter() - started


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


class ChildFailed(RuntimeError):
    """A child process that ended in an error. ``reason`` says why in one line — the error it handed back, the
    exception its traceback ends with (a database error with its DETAIL), or the signal that killed it — for the
    suite's table; ``str()`` adds the child's whole output, for the log."""

    def __init__(self, command: str, returncode: int, stdout: str, stderr: str):
        self.command, self.returncode = command, returncode
        self.reason = failure_reason(returncode, stdout, stderr)
        super().__init__(f"{command} failed: {self.reason}\n{stdout}\n{stderr}")

    @property
    def summary(self) -> str:
        return f"{self.command}: {self.reason}"


def failure_reason(returncode: int, stdout: str, stderr: str) -> str:
    """Why a child process failed, in one line (see ``ChildFailed``)."""
    lines = stdout.strip().splitlines()
    try:
        handed = json.loads(lines[-1]) if lines else None
    except ValueError:
        handed = None
    if isinstance(handed, dict) and handed.get("error"):
        return handed["error"]
    if returncode < 0:  # no traceback: nothing in the process could say why
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"killed by {name}, no error message" + (
            " (the kernel's out-of-memory killer, or another process)" if -returncode == signal.SIGKILL else ""
        )
    tail: list[str] = []  # the unindented lines a traceback ends with: the exception, and its message's next lines
    for line in reversed(stderr.rstrip().splitlines()):
        if not line.strip() or line.startswith((" ", "\t", "Traceback")):
            break
        tail.append(line)
    return " ".join(" ".join(reversed(tail)).split()) or f"exit status {returncode}, no error message"


def error_line(error: BaseException) -> str:
    """An exception as one line: its type and message (a database error's DETAIL included)."""
    if isinstance(error, ChildFailed):
        return error.summary
    return " ".join(f"{type(error).__name__}: {error}".split())


def run_child(module: str, args: Sequence[str], *, env: dict | None = None) -> dict:
    """Run ``python -m module args`` and return the JSON object it prints on its last line of output; ``ChildFailed``
    when it exits with an error."""
    completed = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise ChildFailed(f"{module} {' '.join(args)}", completed.returncode, completed.stdout, completed.stderr)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def cpu_seconds(pids) -> float:
    """User + system CPU seconds the processes have used (Linux /proc; 0 for a process gone or not on this machine,
    such as the backend of a database server elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def emit(data: dict) -> None:
    """What a child process hands back to ``run_child`` (``{"error": …}`` when it fails: see ``failure_reason``)."""
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


def write_results(
    name: str, *, title: str, headers: Sequence[str], rows: Sequence[Sequence], summary: dict, notes: Sequence[str] = ()
) -> tuple[Path, Path]:
    """Keep a benchmark's table in bench/results/<name>.json and .md (the Markdown table is what docs/benchmarks.md quotes)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    measured = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    data = {
        "benchmark": name,
        "title": title,
        "measured": measured,
        "headers": list(headers),
        "rows": [list(r) for r in rows],
        "summary": summary,
        "notes": list(notes),
    }
    json_path = RESULTS / f"{name}.json"
    json_path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    def cell(value) -> str:
        if isinstance(value, float):
            return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value).replace("|", "\\|")

    lines = [
        f"### {title}",
        "",
        f"Measured {measured}.",
        "",
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---" for _ in headers) + "|",
    ]
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
#
# A floor is only a floor if it did the same work: every line carries what its two paths produced in the same run
# (``work=(ours, floor)``: row counts and totals at least, e.g. statements, lines and amount written), and a line
# whose floor produced something else is marked DIFFERENT whatever its times say.


def _plain(value):
    """A value of a work summary as JSON keeps it: numbers as they are, Decimals and the rest as text."""
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return str(value)


def work_differences(ours: Mapping, floor: Mapping) -> list[str]:
    """What the floor produced differently from ours: one ``name: ours X, floor Y`` per differing figure (a figure
    only one side reports counts as different)."""
    out = []
    for key in [*ours, *(k for k in floor if k not in ours)]:
        a, b = ours.get(key, "—"), floor.get(key, "—")
        if a != b:
            out.append(f"{key}: ours {_plain(a)}, floor {_plain(b)}")
    return out


def digest(value) -> str:
    """A short fingerprint of a result too big to carry (every bid's decision, every commitment, every page of
    search results): equal results give equal fingerprints. Mappings and sets are sorted first."""

    def canonical(v):
        if isinstance(v, Mapping):
            return sorted((repr(k), canonical(x)) for k, x in v.items())
        if isinstance(v, set | frozenset):
            return sorted(repr(x) for x in v)
        if isinstance(v, list | tuple):
            return [canonical(x) for x in v]
        if isinstance(v, Decimal):  # 1.50 and 1.5 are the same amount
            return format(v.normalize(), "f")
        return repr(v)

    return hashlib.sha256(repr(canonical(value)).encode()).hexdigest()[:12]


def suite_row(
    measure: str,
    ours: float,
    floor: float,
    *,
    work: tuple[Mapping, Mapping],
    unit: str = "s",
    goal: float | None = None,
    higher_is_better: bool = False,
    rss: float | None = None,
    seconds: float | None = None,
    note: str = "",
) -> dict:
    """One line of the suite table. ``ratio`` is ours ÷ floor; the goal is a bound on it (≤ for times, ≥ for rates
    and scores). ``seconds`` is the time the doubling check compares (defaults to ``ours`` when the unit is s).
    ``work`` is what each path produced (counts, totals, fingerprints): when they differ the line is DIFFERENT and
    fails, goal or not."""
    ratio = ours / floor if floor else float("inf")
    differences = work_differences(*work)
    ok = None
    if goal is not None:
        ok = ratio >= goal if higher_is_better else ratio <= goal
    if differences:
        ok = False
    return {
        "measure": measure,
        "unit": unit,
        "ours": ours,
        "floor": floor,
        "ratio": ratio,
        "goal": "" if goal is None else f"{'≥' if higher_is_better else '≤'} {goal:g}×",
        "ok": ok,
        "rss": rss if rss is not None else peak_rss_mb(),
        "seconds": seconds if seconds is not None else (ours if unit == "s" else None),
        "note": note,
        "same": not differences,
        "differences": differences,
        "work": {side: {k: _plain(v) for k, v in w.items()} for side, w in zip(("ours", "floor"), work, strict=True)},
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
        "WHERE c.contype = 'f' AND c.confrelid = %s::regclass AND cardinality(c.conkey) = 1",
        [table],
    )
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


def purge_where(cursor, table: str, where: str, params: dict) -> int:
    """``purge`` of the rows of ``table`` matching ``where`` (named parameters ``params``): a tender's commitments go
    with the contracts, progress rows and notifications the platform attached to them. The rows' keys are read first
    and each level deletes by its list of keys (nested subqueries over tables just filled and not yet analysed got
    nested-loop plans that ran for minutes)."""
    cursor.execute(f'SELECT "{_primary_key(cursor, table)}" FROM "{table}" WHERE {where}', params)
    return purge(cursor, table, [r[0] for r in cursor.fetchall()])


def _primary_key(cursor, table: str) -> str:
    cursor.execute(
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
        "AND a.attnum = i.indkey[0] WHERE i.indrelid = %s::regclass AND i.indisprimary",
        [table],
    )
    return cursor.fetchone()[0]


def _nullable(cursor, table: str, column: str) -> bool:
    cursor.execute(
        "SELECT is_nullable = 'YES' FROM information_schema.columns WHERE table_name = %s "
        "AND column_name = %s AND table_schema = current_schema()",
        [table, column],
    )
    return cursor.fetchone()[0]
