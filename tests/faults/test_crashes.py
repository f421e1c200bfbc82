"""Crashes: a real Celery worker is killed (SIGKILL to its process group) in the middle of the commitment-progress job,
the price scan and the settlement batch. The task was not acknowledged (acks_late), so the broker hands it to the next
worker; the locks of the killed run die with its database session; the rerun ends with exactly the tables an
uninterrupted run gives on the same data (a control run, compared row by row), each run recorded, nothing twice.

"In the middle" is a checkpoint (common.faults) the job reaches with work done and, for the progress job, its
transaction open: the worker waits there for an advisory lock this test holds, the test sees it waiting and kills it.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import DateTimeField

from common.faults import NAMESPACE, key_of
from common.models import Notification
from pricing.models import PriceAlert, PriceScan, Signal
from procurement.models import CommitmentAlertState, CommitmentProgress, ManufacturerProgress, ProgressRun
from settlement.models import (
    HospitalDeduction,
    JournalLine,
    SettledReturn,
    SettlementLine,
    SettlementRun,
    SettlementStatement,
)
from tests.factories import HospitalFactory, league
from tests.fixtures.prices import observe
from tests.settlement.world import build_world, give_back, month_start, receive

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

VISIBILITY = 2  # seconds an unacknowledged task waits before the broker hands it out again (production: > time limit)


@pytest.fixture
def crash_world():
    """Two pooling regions, three hospitals, receipts over several months (one partly returned), and price
    observations with a peer outlier."""
    w = build_world("K")
    third = HospitalFactory(name="K包头测试医院", region=league("150100"))
    last = month_start(1)
    for months_back in (5, 3, 1):
        start = month_start(months_back)
        for hospital, packs in ((w.hospital, 40), (w.far_hospital, 25), (third, 9)):
            receive(w, hospital=hospital, packs=packs + months_back, on=start + timedelta(days=3))
    returned = receive(w, packs=12, on=last + timedelta(days=6))
    give_back(returned, packs=2, on=last + timedelta(days=9))
    receive(w, listing=w.plain_listing, packs=3, on=last + timedelta(days=2))
    hospitals = [
        HospitalFactory(name=f"K价格医院{i}", region=league("150100" if i % 2 else "150400")) for i in range(8)
    ]
    for hospital, price in zip(
        hospitals, ["1.00", "1.02", "0.98", "1.01", "0.99", "1.03", "0.97", "2.60"], strict=True
    ):
        observe(w.listing.product, hospital, last + timedelta(days=10), price)
    return w


# --- tables, compared row by row ------------------------------------------------------------------------------------


def table(model, *, exclude=(), natural=(), qs=None) -> list[tuple]:
    """Every row of the model's figures: its fields but the id, moments (timestamps differ from run to run) and the
    ids of rows the run itself made (`exclude`, named instead through `natural`)."""
    fields = [
        f.attname
        for f in model._meta.concrete_fields
        if not f.primary_key and not isinstance(f, DateTimeField) and f.attname not in exclude
    ]
    rows = (qs if qs is not None else model.objects.all()).values_list(*fields, *natural)
    return sorted(rows, key=repr)


def truncate(*tables: str) -> None:
    with connection.cursor() as cur:
        cur.execute(f"TRUNCATE {', '.join(tables)} CASCADE")


def progress_tables() -> dict:
    return {
        "progress": table(CommitmentProgress),
        "manufacturers": table(ManufacturerProgress),
        "alert_states": table(CommitmentAlertState),
        "notifications": table(Notification, qs=Notification.objects.filter(kind="commitment_progress")),
    }


def scan_tables() -> dict:
    return {
        "alerts": table(PriceAlert),
        "signals": table(Signal, exclude=("alert_id",), natural=("alert__product_id", "alert__subject_key")),
        "scans": table(PriceScan, exclude=("since", "until", "started_at", "finished_at")),
    }


def settlement_tables() -> dict:
    return {
        "statements": table(SettlementStatement, exclude=("run_id", "deduction_id")),
        "lines": table(SettlementLine, exclude=("statement_id",), natural=("statement__number",)),
        "settled_returns": table(SettledReturn, exclude=("statement_id",), natural=("statement__number",)),
        "deductions": table(HospitalDeduction, exclude=("journal_entry_id",)),
        "journal": table(JournalLine, exclude=("entry_id",)),
    }


# --- the crash ------------------------------------------------------------------------------------------------------


def _waiting_at(name: str) -> int | None:
    """The database session (pid) waiting at the checkpoint, if any."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objid = %s"
            " AND objsubid = 2 AND NOT granted",
            [NAMESPACE, key_of(name)],
        )
        row = cur.fetchone()
    return row[0] if row else None


def _session_alive(pid: int) -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = %s)", [pid])
        return cur.fetchone()[0]


def _until(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def kill_at_checkpoint(
    worker, redis_server, task, checkpoint: str, *, worker_env: dict | None = None, **kwargs
) -> None:
    """Send the task to a worker, hold it at the checkpoint, SIGKILL the worker. Returns once the killed run's database
    session is gone (its transaction rolled back, its locks released) — the task still unacknowledged on the broker."""
    import redis

    worker.start(FAULT_CHECKPOINTS=checkpoint, CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY), **(worker_env or {}))
    key = [NAMESPACE, key_of(checkpoint)]
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s, %s)", key)
    try:
        task.apply_async(kwargs=kwargs, ignore_result=True)
        worker.wait_for(lambda: _waiting_at(checkpoint) is not None, what=f"the job to reach {checkpoint}")
        session = _waiting_at(checkpoint)
        worker.kill()
        killed_at = time.monotonic()
    finally:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(%s, %s)", key)
    # The orphaned session gets the lock, finds its client gone and ends, rolling back what it had not committed.
    _until(lambda: not _session_alive(session), timeout=30, what="the killed worker's database session to end")
    broker = redis.Redis.from_url(redis_server.url)
    assert broker.hlen("unacked") == 1, "the killed worker's task must stay unacknowledged on the broker"
    worker.stop()
    time.sleep(max(0.0, VISIBILITY + 0.5 - (time.monotonic() - killed_at)))


def rerun(worker, redis_server, finished) -> None:
    """A new worker: the broker hands it the killed task, which it runs to the end; nothing else is left queued."""
    import redis

    worker.start(CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY))
    worker.wait_for(finished, timeout=120, what="the redelivered task to finish")
    broker = redis.Redis.from_url(redis_server.url)
    worker.wait_for(
        lambda: broker.hlen("unacked") == 0 and broker.llen("celery") == 0, what="the task to be acknowledged"
    )


# --- the three jobs -------------------------------------------------------------------------------------------------


def test_commitment_progress_killed_mid_transaction_reruns_to_the_same_table(crash_world, worker, redis_server):
    from procurement.tasks import compute_commitment_progress

    compute_commitment_progress.apply()
    control = progress_tables()
    assert len(control["progress"]) > 20 and control["manufacturers"], control
    truncate(
        "procurement_commitmentprogress",
        "procurement_manufacturerprogress",
        "procurement_commitmentalertstate",
        "procurement_progressrun",
    )
    Notification.objects.filter(kind="commitment_progress").delete()

    # Step 2: the progress rows are inserted, the transaction is open.
    kill_at_checkpoint(worker, redis_server, compute_commitment_progress, "commitment-progress:2")
    assert not CommitmentProgress.objects.exists()  # rolled back whole
    assert list(ProgressRun.objects.values_list("status", flat=True)) == ["running"]

    rerun(worker, redis_server, lambda: ProgressRun.objects.filter(status="succeeded").exists())
    assert progress_tables() == control
    runs = sorted(ProgressRun.objects.values_list("status", flat=True))
    assert runs == ["abandoned", "succeeded"], runs  # the killed run recorded as interrupted, one full run


def test_price_scan_killed_between_detectors_is_resumed_to_the_same_alerts(crash_world, worker, redis_server):
    from pricing.tasks import scan_prices

    scan_prices.apply(kwargs={"full": True})
    control = scan_tables()
    assert len({row[0] for row in control["signals"]}) >= 2, control  # signals of more than one detector
    truncate("pricing_pricealert", "pricing_pricescan")

    kill_at_checkpoint(worker, redis_server, scan_prices, "price-scan:detector", full=True)
    killed = PriceScan.objects.get()
    assert killed.status == "running" and len([k for k in killed.findings if not k.startswith("_")]) == 1
    assert 0 < Signal.objects.count() < len(control["signals"])  # the first detector's signals are committed

    rerun(worker, redis_server, lambda: PriceScan.objects.filter(status="succeeded").exists())
    assert scan_tables() == control  # no alert twice, none counted twice (detections), same scan figures
    resumed = PriceScan.objects.get()  # one run: the killed one, resumed in its own window
    assert resumed.pk == killed.pk and resumed.until == killed.until


def test_settlement_batch_killed_between_chunks_builds_the_rest_to_the_same_statements(
    crash_world, worker, redis_server
):
    from settlement.tasks import generate_monthly

    generate_monthly.apply()
    control = settlement_tables()
    regions = set(SettlementStatement.objects.values_list("fund__region__code", flat=True))
    assert regions == {"150100", "150400"} and len(control["lines"]) > 3, control
    truncate(
        "settlement_settledreturn",
        "settlement_settlementline",
        "settlement_hospitaldeduction",
        "settlement_journalline",
        "settlement_journalentry",
        "settlement_settlementstatement",
        "settlement_settlementrun",
    )

    # After the first chunk (one statement a chunk here) is committed; the lease (10 minutes) is still taken.
    kill_at_checkpoint(
        worker, redis_server, generate_monthly, "settlement:chunk:1", worker_env={"SETTLEMENT_CHUNK_STATEMENTS": "1"}
    )
    assert SettlementStatement.objects.count() == 1 < len(control["statements"])
    assert list(SettlementRun.objects.values_list("status", flat=True)) == ["running"]

    rerun(worker, redis_server, lambda: SettlementRun.objects.filter(status="done").exists())
    assert settlement_tables() == control  # every receipt line settled once, the same amounts to the fen
    runs = dict(SettlementRun.objects.values_list("status", "statements_created"))
    assert runs.keys() == {"failed", "done"}  # the killed run recorded as interrupted, with what it had built
    assert runs["failed"] + runs["done"] == SettlementStatement.objects.count()
    assert "中断" in SettlementRun.objects.get(status="failed").error
