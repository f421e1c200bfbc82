"""Two batch runs at once on PostgreSQL: every receipt line ends up in exactly one statement."""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection
from django.db.models import Count

from common.errors import ConflictError
from settlement import generation
from settlement.models import SettlementLine, SettlementStatement
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
    outcomes = []
    barrier = threading.Barrier(count)

    def run():
        try:
            barrier.wait()
            target()
            outcomes.append("ok")
        except (ConflictError, IntegrityError) as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
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


def test_two_generation_runs_at_once(requires_postgres):
    world = build_world("C1")
    period = _receipts(world)
    outcomes = _race(lambda: generation.generate_statements(month=period, chunk_size=2))
    assert "ok" in outcomes and set(outcomes) <= {"ok", "ConflictError"}
    _assert_settled_once(period)


def test_two_chunks_racing_without_the_lease_settle_each_receipt_once(requires_postgres):
    world = build_world("C2")
    period = _receipts(world)
    fund = generation.fund_for_region(league("150100"))
    pairs = generation.candidate_pairs(fund, period)
    computed = threading.Barrier(2)

    def chunk():  # both compute the same lines before either writes: the worst interleaving, every time
        chunks = generation.prepare_lines(period, region_id=fund.region_id, pairs=pairs, chunk_size=len(pairs))
        computed.wait()
        generation.write_chunk(period, chunks[0], None)

    outcomes = _race(chunk)
    assert sorted(outcomes) == ["IntegrityError", "ok"]
    _assert_settled_once(period)


def test_two_ranges_racing_without_the_lease_settle_each_receipt_and_price_adjustment_once(requires_postgres):
    from settlement.models import PriceAdjustment
    from settlement.services import price_correction_create

    world = build_world("C3")
    two_back = month_start(2)
    receive(world, packs=4, on=two_back + timedelta(days=2))
    generation.generate_statements(month=two_back)
    price_correction_create(listing=world.listing, unit_price="0.4987", effective_from=two_back, reason="联动下调",
                            by=world.fund_officer)
    assert PriceAdjustment.objects.count() == 1
    period = _receipts(world)
    chunk = (0, None, None)  # every hospital: both runs build the same statements, lines and adjustment

    outcomes = _race(lambda: generation.write_range(period, chunk, None))
    assert "ok" in outcomes and set(outcomes) <= {"ok", "IntegrityError"}
    assert SettlementLine.objects.filter(kind="price_adjustment").count() == 1
    assert not SettlementLine.objects.values("receipt_line").filter(kind="receipt").annotate(
        n=Count("pk")).filter(n__gt=1).exists()
    for statement in SettlementStatement.objects.all():
        assert statement.line_count == statement.lines.count() > 0
