"""Two batch runs at once: every receipt line ends up in exactly one statement."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Count

from common.errors import ConflictError
from settlement import generation
from settlement.models import SettlementLine, SettlementStatement
from settlement.services.corrections import price_correction_create
from tests.factories import HospitalFactory, league
from tests.settlement.world import build_world, month_start, receive

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _receipts(world, hospitals=6):
    period = month_start(1)
    for i in range(hospitals):
        h = HospitalFactory(name=f"并发测试医院{i}", region=league("150100"))
        for day in (1, 9, 17):
            receive(world, hospital=h, packs=1 + i + day, on=period + timedelta(days=day))
    return period


def _race(target, count=2):
    barrier = threading.Barrier(count)

    def run():
        barrier.wait()
        target()

    return sorted(_race_each([run] * count))


def _until_another_session_waits_on_this_one(seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # else the transaction keeps seeing its first reading
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid)))"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the other run never waited on this one")


def _race_each(targets) -> list[str]:
    """Run each target in its own thread and connection; the outcome of each, in the targets' order."""
    outcomes = [""] * len(targets)

    def run(index, target):
        try:
            target()
            outcomes[index] = "ok"
        except (ConflictError, IntegrityError) as exc:
            outcomes[index] = type(exc).__name__
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def _assert_settled_once(period):
    from procurement.models import ReceiptLine

    expected = ReceiptLine.objects.filter(award__isnull=False, received_on__gte=period).count()
    assert SettlementLine.objects.count() == expected
    assert not SettlementLine.objects.values("receipt_line").annotate(n=Count("pk")).filter(n__gt=1).exists()
    for statement in SettlementStatement.objects.all():
        assert statement.line_count == statement.lines.count() > 0


def test_two_generation_runs_at_once():
    world = build_world("C1")
    period = _receipts(world)
    outcomes = _race(lambda: generation.generate_statements(month=period, chunk_size=2))
    assert "ok" in outcomes and set(outcomes) <= {"ok", "ConflictError"}
    _assert_settled_once(period)


def test_two_ranges_computed_from_one_snapshot_settle_each_receipt_once():
    """The worst interleaving, every time: the second run's statement starts while the first has written the same
    statements and lines but not committed them; it computes from the snapshot without them, waits on their unique
    keys, and fails whole once the first commits."""
    world = build_world("C2")
    period = _receipts(world)
    generation.fund_for_region(league("150100"))  # what a run does first
    written = threading.Barrier(2)
    chunk = (0, None, None)

    def first():
        with transaction.atomic():
            generation.write_range(generation.parse_period(period), chunk, None)
            written.wait()
            _until_another_session_waits_on_this_one()

    def second():
        written.wait()
        generation.write_range(generation.parse_period(period), chunk, None)

    outcomes = _race_each([first, second])
    assert outcomes == ["ok", "IntegrityError"]
    _assert_settled_once(period)


def test_two_ranges_racing_without_the_lease_settle_each_receipt_and_price_adjustment_once():
    from settlement.models import PriceAdjustment

    world = build_world("C3")
    two_back = month_start(2)
    receive(world, packs=4, on=two_back + timedelta(days=2))
    generation.generate_statements(month=two_back)
    price_correction_create(
        listing=world.listing, unit_price="0.4987", effective_from=two_back, reason="联动下调", by=world.fund_officer
    )
    assert PriceAdjustment.objects.count() == 1
    period = _receipts(world)
    chunk = (0, None, None)  # every hospital: both runs build the same statements, lines and adjustment

    outcomes = _race(lambda: generation.write_range(generation.parse_period(period), chunk, None))
    assert "ok" in outcomes and set(outcomes) <= {"ok", "IntegrityError"}
    assert SettlementLine.objects.filter(kind="price_adjustment").count() == 1
    assert (
        not SettlementLine.objects.values("receipt_line")
        .filter(kind="receipt")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .exists()
    )
    for statement in SettlementStatement.objects.all():
        assert statement.line_count == statement.lines.count() > 0
