"""The benchmark suite's plumbing: every module speaks the common interface, rows judge their goals, a floor that did
other work than ours is marked DIFFERENT, the doubling check pairs measures by position, the suite migrates its own
database first (and runs on a fresh one with nothing else in it), and Celery routes the long jobs to queues of their
own while a worker without -Q still consumes them all."""

import importlib
import json
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

from bench import suite, tender_selection
from bench.common import RESULTS, ROOT, bench_database_name, suite_row

SAME = ({"rows": 1}, {"rows": 1})


@pytest.mark.parametrize("name", suite.MODULES)
def test_every_module_has_suite_rows_and_keeps_its_cli(name):
    module = importlib.import_module(f"bench.{name}")
    assert callable(module.suite_rows)
    assert callable(module.main)


def test_a_row_judges_its_goal_in_the_right_direction():
    slow = suite_row("job", 3.0, 1.0, goal=1.5, work=SAME)
    assert (slow["ratio"], slow["ok"], slow["goal"], slow["seconds"]) == (3.0, False, "≤ 1.5×", 3.0)
    fast = suite_row("rate", 30.0, 100.0, unit="rows/s", goal=0.25, higher_is_better=True, work=SAME)
    assert (fast["ok"], fast["goal"], fast["seconds"]) == (True, "≥ 0.25×", None)
    assert suite_row("no goal", 1.0, 2.0, work=SAME)["ok"] is None


def test_a_floor_that_wrote_other_rows_is_marked_different_whatever_its_time():
    ours = {"statements": 200, "lines": 20_000, "amount": Decimal("1234.50")}
    floor = {"statements": 200, "lines": 0, "amount": Decimal("0.00")}
    row = suite_row("settlement month vs SQL build", 0.85, 0.06, goal=1.5, work=(ours, floor))
    assert row["same"] is False and row["ok"] is False
    assert row["differences"] == ["lines: ours 20000, floor 0", "amount: ours 1234.50, floor 0.00"]
    line = suite.table_rows({"settlement_batch": [row]})[0]
    assert line[-1] == "DIFFERENT"
    assert line[-2] == "DIFFERENT — lines: ours 20000, floor 0; amount: ours 1234.50, floor 0.00"
    # a floor that did the same work passes on its times, and the table says what was compared
    good = suite_row("settlement month vs SQL build", 0.85, 0.80, goal=1.5, work=(ours, dict(ours)))
    assert good["same"] and good["ok"]
    assert suite.table_rows({"settlement_batch": [good]})[0][-2:] == ["same: statements, lines, amount", "pass"]


def test_a_figure_only_one_side_reports_is_a_difference():
    row = suite_row("job", 1.0, 1.0, work=({"rows": 3, "history rows": 3}, {"rows": 3}))
    assert row["differences"] == ["history rows: ours 3, floor —"]
    assert suite.table_rows({"job": [row]})[0][-1] == "DIFFERENT"


def test_a_benchmark_whose_floor_decides_otherwise_is_marked_different(monkeypatch):
    """Through a real benchmark: the tender-selection floor made to decide one bid otherwise."""
    [row] = tender_selection.suite_rows(0.01)
    assert row["same"] and row["work"]["ours"]["bids"] == row["work"]["floor"]["bids"] == 800

    honest = tender_selection.floor_decisions

    def one_bid_otherwise(lot_inputs, bids_by_lot):
        decisions = honest(lot_inputs, bids_by_lot)
        first_lot = decisions[lot_inputs[0].lot_id]
        bid = next(iter(first_lot))
        first_lot[bid] = ("not_selected", ("floor_price",), 99, None)
        return decisions

    monkeypatch.setattr(tender_selection, "floor_decisions", one_bid_otherwise)
    [row] = tender_selection.suite_rows(0.01)
    assert row["same"] is False and row["ok"] is False
    assert any(d.startswith("decisions: ours ") for d in row["differences"])
    assert suite.table_rows({"tender_selection": [row]})[0][-1] == "DIFFERENT"


def test_the_table_and_the_doubling_check():
    half = {
        "job": [suite_row("job, 10 rows", 1.0, 1.0, work=SAME), suite_row("score", 1.0, 1.0, unit="share", work=SAME)]
    }
    full = {
        "job": [
            suite_row("job, 20 rows", 2.1, 2.0, goal=1.5, work=SAME),
            suite_row("score", 1.0, 1.0, unit="share", work=SAME),
        ]
    }
    table = suite.table_rows(full)
    assert table[0][:2] == ["job", "job, 20 rows"] and table[0][-1] == "pass" and table[1][-1] == ""
    assert suite.doubling_rows(half, full) == [["job", "job, 20 rows", 1.0, 2.1, 2.1, "yes"]]


def test_several_passes_give_each_line_its_median_pass_and_the_range():
    passes = [
        [
            suite_row("job", t, 1.0, goal=1.5, work=SAME),
            suite_row("rate", r, 100.0, unit="rows/s", goal=0.5, higher_is_better=True, work=SAME),
        ]
        for t, r in ((1.2, 40.0), (1.6, 60.0), (1.4, 55.0))
    ]
    job, rate = suite.median_of_passes(passes)
    assert (job["ours"], job["ok"], job["ratio_range"], job["seconds"]) == (1.4, True, [1.2, 1.6], 1.4)
    assert (rate["ours"], rate["ok"], rate["ratio_range"]) == (55.0, True, [0.4, 0.6])
    failed = [suite.failed_row("boom")]
    assert suite.median_of_passes([failed, passes[0]])[0]["ours"] == 1.2  # a failed pass does not hide the others
    assert suite.median_of_passes([failed])[0]["measure"] == "failed: boom"
    table = suite.table_rows({"job": suite.median_of_passes(passes)})
    assert table[0][5:7] == [1.4, "1.20–1.60"] and table[0][-1] == "pass"


def test_a_pass_whose_floor_did_other_work_is_not_hidden_by_the_median():
    passes = [
        [suite_row("job", t, 1.0, goal=1.5, work=work)]
        for t, work in ((1.2, SAME), (1.3, ({"rows": 1}, {"rows": 0})), (1.4, SAME))
    ]
    [line] = suite.median_of_passes(passes)
    assert (line["ours"], line["same"]) == (1.3, False)
    assert suite.table_rows({"job": [line]})[0][-1] == "DIFFERENT"


def test_only_a_database_of_the_benchmarks_own_is_written_to(monkeypatch):
    monkeypatch.setitem(settings.DATABASES["default"], "NAME", "yaoxie")
    with pytest.raises(SystemExit, match="must contain 'bench'"):
        bench_database_name()


def test_long_jobs_have_queues_of_their_own_and_one_worker_still_takes_everything():
    from config.celery import app

    route = lambda task: app.amqp.router.route({}, task)["queue"].name  # noqa: E731
    assert route("catalog.run_import") == "imports"
    assert route("pricing.scan_prices") == "scans"
    assert route("settlement.generate_monthly") == "settlement"
    assert route("common.drain_outbox") == route("procurement.refresh_commitment_progress") == "celery"
    assert {"celery", "imports", "scans", "settlement"} <= set(app.amqp.queues)


# --- the suite on a database that does not exist yet ---------------------------------------------------------------


@pytest.fixture
def fresh_database():
    """A database name on the test server that does not exist yet (dropped again after the test), and its URL."""
    db = settings.DATABASES["default"]
    name = f"yx_bench_fresh_{os.getpid()}"
    server = {
        "user": db.get("USER") or "postgres",
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
    }
    server = {k: str(v) for k, v in server.items() if v}

    def drop():
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    drop()
    auth = server["user"] + (f":{server['password']}" if "password" in server else "")
    address = f"{server.get('host', '')}:{server['port']}" if "port" in server else server.get("host", "")
    yield name, f"postgres://{auth}@{address}/{name}"
    drop()


@pytest.fixture
def results_name():
    name = f"test_fresh_{os.getpid()}"
    yield name
    for path in RESULTS.glob(f"{name}*"):
        path.unlink()


def test_the_suite_creates_and_migrates_its_database_then_runs_on_it_with_nothing_else_in_it(
    fresh_database, results_name
):
    """`python -m bench` against a database that is not there: it is created, migrated, and the settlement benchmark
    runs on it with the floor's statements, lines and amounts the same as the generation's (on a fresh database the
    floor once found no fund account and wrote nothing, and its 0.06 s passed for a floor)."""
    name, url = fresh_database
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--only",
            "settlement_batch",
            "--scale",
            "0.02",
            "--no-doubling",
            "--results",
            results_name,
        ],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "created the database" in completed.stdout and "migrating the database" in completed.stdout
    result = json.loads(Path(RESULTS / f"{results_name}.json").read_text(encoding="utf-8"))
    [build, aggregate] = result["summary"]["results"]["settlement_batch"]
    assert build["measure"].startswith("settlement month, 20,000 receipt lines")
    assert build["same"] and aggregate["same"], (build["differences"], aggregate["differences"])
    ours, floor = build["work"]["ours"], build["work"]["floor"]
    assert ours == floor and ours["lines"] == 20_000 and ours["statements"] == 2_000
    assert Decimal(ours["amount"]) > 0


def test_a_run_cut_short_still_gives_its_table(tmp_path, monkeypatch):
    import bench.common

    monkeypatch.setattr(suite, "RESULTS", tmp_path)
    monkeypatch.setattr(bench.common, "RESULTS", tmp_path)
    monkeypatch.setattr(suite, "server_version", lambda: "PostgreSQL 15.20")
    line = suite_row("job", 1.2, 1.0, goal=1.5, work=SAME)
    other = {**suite_row("job", 2.0, 1.0, goal=1.5, work=SAME), "ratio_range": [1.1, 2.0]}
    partial = {"scale": 0.1, "passes": 2, "results": {"catalog_import": [line], "settlement_batch": [other]}}
    (tmp_path / "suite.partial.json").write_text(json.dumps(partial), encoding="utf-8")
    assert suite.main(["--from-partial"]) == 0
    written = json.loads((tmp_path / "suite.json").read_text(encoding="utf-8"))
    assert [row[-1] for row in written["rows"]] == ["pass", "MISS"]
    assert written["rows"][1][6] == "1.10–2.00" and written["summary"]["passes"] == 2
    assert "1 of 2 goals met" in written["notes"][0] and "cut short after 2" in written["notes"][0]
    assert "| catalog_import | job |" in (tmp_path / "suite.md").read_text(encoding="utf-8")


def test_latency_goals_at_a_rate_the_server_did_not_sustain_are_not_measured():
    from bench import order_api

    work = ({"failed requests": 0}, {"failed requests": 0})
    kept_up = {"p50_ms": 40.0, "p95_ms": 80.0, "p99_ms": 120.0, "rps": 49.8, "errors": 0}
    tail, p95 = order_api.latency_rows(kept_up, work, "load average 0.5")
    assert (tail["ok"], p95["ok"]) == (True, True)
    assert [line[-1] for line in suite.table_rows({"order_api": [tail, p95]})] == ["pass", "pass"]
    # 8 of 50 orders/s answered: the latencies are the queue's, so neither goal passes nor misses
    behind = {"p50_ms": 23_000.0, "p95_ms": 46_000.0, "p99_ms": 48_000.0, "rps": 8.2, "errors": 0}
    tail, p95 = order_api.latency_rows(behind, work, "load average 17")
    assert (tail["ok"], p95["ok"]) == (False, False)
    assert tail["unmeasured"] == "8.2/s answered of 50/s offered"
    assert [line[-1] for line in suite.table_rows({"order_api": [tail, p95]})] == ["NOT MEASURED", "NOT MEASURED"]


def test_a_server_that_ignores_sigterm_is_killed_and_its_stop_never_raises(tmp_path, monkeypatch):
    """The order API's benchmark stops gunicorn by its process group: SIGTERM, then SIGKILL past the graceful timeout;
    the stop says how it went instead of raising (the runs' results are kept), and a log written to a file (not a
    pipe nobody reads, which blocked the server once full) is summarised."""
    from bench import order_api

    monkeypatch.setattr(order_api, "GRACE", 0)
    monkeypatch.setattr(order_api, "STOP_MARGIN", 1)
    log = tmp_path / "server.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                "print('2026-12-07 WARNING django.request Conflict: /api/v1/orders/', file=sys.stderr, flush=True); "
                "time.sleep(60)",
            ],
            stderr=stderr,
            start_new_session=True,
        )
    server = order_api.Server(process, 0, log)
    for _ in range(100):  # the child has logged and ignores SIGTERM
        if log.stat().st_size:
            break
        time.sleep(0.05)
    how = order_api.stop_server(server)
    assert process.poll() == -9
    assert how.startswith("did not stop within 1 s of SIGTERM, killed (SIGKILL)")
    assert "(1 WARNING)" in how and "Conflict: /api/v1/orders/" in how
    assert not log.exists()
    assert order_api.stop_server(server).startswith("had exited by itself")


FK_ERROR = (
    'update or delete on table "accounts_user" violates foreign key constraint "fk_created_by" on table '
    '"payment_standards_paymentstandard"\nDETAIL:  Key (id)=(1) is still referenced from table '
    '"payment_standards_paymentstandard".'
)


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (
            f"raise ValueError({FK_ERROR!r})",
            'ValueError: update or delete on table "accounts_user" violates foreign key constraint "fk_created_by" on '
            'table "payment_standards_paymentstandard" DETAIL: Key (id)=(1) is still referenced from table '
            '"payment_standards_paymentstandard".',
        ),
        (
            "import os, signal; os.kill(os.getpid(), signal.SIGKILL)",
            "killed by SIGKILL, no error message (the kernel's out-of-memory killer, or another process)",
        ),
        ("import sys; sys.exit(3)", "exit status 3, no error message"),
        ('print(\'{"error": "the floor failed"}\'); raise SystemExit(1)', "the floor failed"),
    ],
)
def test_a_failed_child_says_why_in_one_line(tmp_path, code, reason):
    """The suite's table names the error of a benchmark that failed: the exception with the database's DETAIL (not
    the DETAIL line alone), the signal that killed a child that printed nothing, or the error it handed back."""
    from bench.common import ChildFailed, run_child

    (tmp_path / "failing_child.py").write_text(code + "\n", encoding="utf-8")
    with pytest.raises(ChildFailed) as failed:
        run_child("failing_child", [], env={"PYTHONPATH": str(tmp_path)})
    assert failed.value.reason == reason
    assert str(failed.value).startswith(f"failing_child  failed: {reason}\n")


def test_a_benchmark_that_fails_hands_back_its_error_and_the_table_shows_it(monkeypatch, capsys):
    from types import SimpleNamespace

    from bench.common import ChildFailed

    def suite_rows(scale, *, quick):
        raise ChildFailed("bench.commitment_progress --child full", -9, "", "")

    monkeypatch.setattr(suite.importlib, "import_module", lambda name: SimpleNamespace(suite_rows=suite_rows))
    with pytest.raises(ChildFailed):
        suite.child("commitment_progress", 1.0, False)
    handed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert handed["error"].startswith("bench.commitment_progress --child full: killed by SIGKILL")

    def run_child(module, args):
        raise ChildFailed("bench --child commitment_progress --scale 1.0", 1, json.dumps(handed), "Traceback …")

    monkeypatch.setattr(suite, "run_child", run_child)
    rows, seconds = suite.run_module("commitment_progress", 1.0, False)
    line = suite.table_rows({"commitment_progress": rows})[0]
    assert line[1] == "failed: " + handed["error"] and line[-1] == "MISS" and seconds == 0.0
