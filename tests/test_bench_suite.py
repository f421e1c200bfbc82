"""The benchmark suite's plumbing (not the benchmarks: they need a province on PostgreSQL): every module speaks the
common interface, rows judge their goals, the doubling check pairs measures by position, and Celery routes the long
jobs to queues of their own while a worker without -Q still consumes them all."""

import importlib

import pytest

from bench import suite
from bench.common import suite_row


@pytest.mark.parametrize("name", suite.MODULES)
def test_every_module_has_suite_rows_and_keeps_its_cli(name):
    module = importlib.import_module(f"bench.{name}")
    assert callable(module.suite_rows)
    assert callable(module.main)


def test_a_row_judges_its_goal_in_the_right_direction():
    slow = suite_row("job", 3.0, 1.0, goal=1.5)
    assert (slow["ratio"], slow["ok"], slow["goal"], slow["seconds"]) == (3.0, False, "≤ 1.5×", 3.0)
    fast = suite_row("rate", 30.0, 100.0, unit="rows/s", goal=0.25, higher_is_better=True)
    assert (fast["ok"], fast["goal"], fast["seconds"]) == (True, "≥ 0.25×", None)
    assert suite_row("no goal", 1.0, 2.0)["ok"] is None


def test_the_table_and_the_doubling_check():
    half = {"job": [suite_row("job, 10 rows", 1.0, 1.0), suite_row("score", 1.0, 1.0, unit="share")]}
    full = {"job": [suite_row("job, 20 rows", 2.1, 2.0, goal=1.5), suite_row("score", 1.0, 1.0, unit="share")]}
    table = suite.table_rows(full)
    assert table[0][:2] == ["job", "job, 20 rows"] and table[0][-1] == "pass" and table[1][-1] == ""
    assert suite.doubling_rows(half, full) == [["job", "job, 20 rows", 1.0, 2.1, 2.1, "yes"]]


def test_several_passes_give_each_line_its_median_pass_and_the_range():
    passes = [[suite_row("job", t, 1.0, goal=1.5), suite_row("rate", r, 100.0, unit="rows/s", goal=0.5,
                                                      higher_is_better=True)]
              for t, r in ((1.2, 40.0), (1.6, 60.0), (1.4, 55.0))]
    job, rate = suite.median_of_passes(passes)
    assert (job["ours"], job["ok"], job["ratio_range"], job["seconds"]) == (1.4, True, [1.2, 1.6], 1.4)
    assert (rate["ours"], rate["ok"], rate["ratio_range"]) == (55.0, True, [0.4, 0.6])
    failed = [{"measure": "failed: boom", "unit": "", "ours": None, "floor": None, "ratio": None, "goal": "",
               "ok": False, "rss": None, "seconds": None, "note": ""}]
    assert suite.median_of_passes([failed, passes[0]])[0]["ours"] == 1.2  # a failed pass does not hide the others
    assert suite.median_of_passes([failed])[0]["measure"] == "failed: boom"
    table = suite.table_rows({"job": suite.median_of_passes(passes)})
    assert table[0][5:7] == [1.4, "1.20–1.60"] and table[0][-1] == "pass"


def test_long_jobs_have_queues_of_their_own_and_one_worker_still_takes_everything():
    from config.celery import app

    route = lambda task: app.amqp.router.route({}, task)["queue"].name  # noqa: E731
    assert route("catalog.run_import") == "imports"
    assert route("pricing.scan_prices") == "scans"
    assert route("settlement.generate_monthly") == "settlement"
    assert route("common.drain_outbox") == route("procurement.refresh_commitment_progress") == "celery"
    assert {"celery", "imports", "scans", "settlement"} <= set(app.amqp.queues)
