"""Statement generation: exact amounts to the fen, scope, idempotence, crash safety, the lease."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from common.errors import ConflictError, ValidationFailed
from settlement import generation
from settlement.errors import SettlementError
from settlement.generation import acquire_lock, fund_for_region, generate_statements, release_lock
from settlement.models import SettledReturn, SettlementLine, SettlementRun, SettlementStatement
from settlement.services.corrections import price_correction_create
from tests.factories import league
from tests.settlement.world import build_world, give_back, month_start, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def _known_month(world):
    """Receipts of last month: 7 packs (returned 1) and 1 pack under a later price correction, one receipt of a
    non-tendered product, one receipt at a hospital of another pooling region."""
    period = month_start(1)
    first = receive(world, packs=7, on=period + timedelta(days=2))  # 70 × 0.5123 = 35.861 → 35.86
    give_back(first, packs=1, on=period + timedelta(days=5))  # 10 × 0.5123 = 5.123 → 5.12
    second = receive(world, packs=1, on=period + timedelta(days=11))  # 10 × 0.5123 = 5.123 → 5.12
    price_correction_create(
        listing=world.listing,
        unit_price="0.5098",
        effective_from=period + timedelta(days=9),
        reason="全国最低价联动下调",
        by=world.fund_officer,
    )  # (0.5098−0.5123)×10 = −0.025 → −0.03
    receive(world, listing=world.plain_listing, packs=2, on=period + timedelta(days=3))
    receive(world, hospital=world.far_hospital, packs=4, on=period + timedelta(days=4))  # 40 × 0.5123 = 20.492 → 20.49
    return period, first, second


def test_statement_amounts_to_the_fen(world):
    period, first, second = _known_month(world)
    run = generate_statements(month=period)
    assert run.status == "done" and run.statements_created == 2 and run.lines_created == 3
    statement = SettlementStatement.objects.get(hospital=world.hospital, period=period)
    assert statement.manufacturer == world.maker and statement.status == "draft"
    assert statement.fund.region.code == "150100"
    assert (statement.gross_amount, statement.returned_amount, statement.correction_amount, statement.amount) == (
        Decimal("40.98"),
        Decimal("5.12"),
        Decimal("-0.03"),
        Decimal("35.83"),
    )
    line1 = statement.lines.get(receipt_line=first)
    assert (line1.min_units, line1.returned_min_units, line1.amount, line1.correction_id) == (
        70,
        10,
        Decimal("30.74"),
        None,
    )
    line2 = statement.lines.get(receipt_line=second)
    assert line2.settled_unit_price == Decimal("0.5098") and line2.correction_amount == Decimal("-0.03")
    assert line2.amount == Decimal("5.09")
    assert statement.payment_due_on == period + timedelta(days=32)
    assert statement.claim_due_on == generation.next_month(period).replace(day=5)
    far = SettlementStatement.objects.get(hospital=world.far_hospital)
    assert far.fund.region.code == "150400" and far.amount == Decimal("20.49")
    # The non-tendered product is not settled.
    assert not SettlementStatement.objects.filter(manufacturer=world.other_maker).exists()


def test_negotiated_drugs_are_settled_when_the_fund_says_so(world):
    period = month_start(1)
    product = world.plain_listing.product
    product.negotiated = True
    product.save()
    receive(world, listing=world.plain_listing, packs=2, on=period + timedelta(days=3))
    generate_statements(month=period)
    assert not SettlementStatement.objects.filter(manufacturer=world.other_maker).exists()
    fund = fund_for_region(league("150100"))
    fund.include_negotiated = True
    fund.save()
    generate_statements(month=period)
    statement = SettlementStatement.objects.get(manufacturer=world.other_maker)
    assert statement.amount == Decimal("6.00")  # 200 × 0.0300


def test_generation_run_three_times_creates_nothing_new(world):
    period, _, _ = _known_month(world)
    generate_statements(month=period)
    snapshot = list(SettlementStatement.objects.order_by("pk").values_list("pk", "amount", "line_count"))
    lines = SettlementLine.objects.count()
    for _ in range(2):
        run = generate_statements(month=period)
        assert (run.statements_created, run.lines_created) == (0, 0)
    assert list(SettlementStatement.objects.order_by("pk").values_list("pk", "amount", "line_count")) == snapshot
    assert SettlementLine.objects.count() == lines
    assert SettlementRun.objects.filter(status="done").count() == 3


def test_region_option_builds_only_that_region(world):
    period, _, _ = _known_month(world)
    call_command("generate_settlements", "--month", f"{period:%Y-%m}", "--region", "150400")
    assert list(SettlementStatement.objects.values_list("hospital__region__code", flat=True)) == ["150400"]
    call_command("generate_settlements", "--month", f"{period:%Y-%m}")
    assert SettlementStatement.objects.count() == 2


@pytest.mark.parametrize(
    "args, message",
    [
        (["--month", "2026-13"], "格式应为 YYYY-MM"),
        (["--month", "abc"], "格式应为 YYYY-MM"),
        (["--month", "2026-01", "--region", "999999"], "不存在"),
        (["--month", "2026-01", "--region", "150102"], "不是统筹区"),
    ],
)
def test_command_rejects_bad_input(world, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_settlements", *args)
    assert SettlementStatement.objects.count() == 0


def test_current_month_cannot_be_generated(world):
    with pytest.raises(ValidationFailed) as refused:
        generate_statements(month=month_start(0))
    assert refused.value.code == SettlementError.MONTH_NOT_ENDED and refused.value.field == "month"
    assert SettlementRun.objects.count() == 0


def test_a_crash_mid_batch_leaves_whole_statements_and_the_rerun_finishes(world, monkeypatch):
    period = month_start(1)
    hospitals = [world.hospital]
    from tests.factories import HospitalFactory

    for i in range(5):
        hospitals.append(HospitalFactory(name=f"崩溃测试医院{i}", region=league("150100")))
    for i, h in enumerate(hospitals):
        for day in (1, 8, 15):
            receive(world, hospital=h, packs=i + day, on=period + timedelta(days=day))
    calls = {"n": 0}

    def crash(chunk_no):
        calls["n"] += 1
        if chunk_no == 2:
            raise RuntimeError("worker killed")

    monkeypatch.setattr(generation, "_after_chunk", crash)
    with pytest.raises(RuntimeError):
        generate_statements(month=period, chunk_size=2)
    assert SettlementRun.objects.get().status == "failed"
    partial = SettlementStatement.objects.count()
    assert partial == 4  # two chunks of two statements committed, nothing of the rest
    for statement in SettlementStatement.objects.all():
        assert statement.line_count == 3 == statement.lines.count()
        assert statement.amount == statement.lines.aggregate(t=Sum("amount"))["t"]
    monkeypatch.setattr(generation, "_after_chunk", lambda chunk_no: None)
    run = generate_statements(month=period, chunk_size=2)  # the lease was released; the rerun finishes the rest
    assert run.statements_created == 2
    assert SettlementStatement.objects.count() == 6 and SettlementLine.objects.count() == 18
    expected = sum(
        (
            rl.amount
            for rl in __import__("procurement.models", fromlist=["ReceiptLine"]).ReceiptLine.objects.filter(
                award__isnull=False, received_on__gte=period, received_on__lt=generation.next_month(period)
            )
        ),
        Decimal("0"),
    )
    assert SettlementStatement.objects.aggregate(t=Sum("amount"))["t"] == expected


def test_overlapping_runs_are_refused_while_the_lease_is_held(world):
    period, _, _ = _known_month(world)
    token = acquire_lock()
    try:
        with pytest.raises(ConflictError) as refused:
            generate_statements(month=period)
        assert refused.value.code == SettlementError.GENERATION_RUNNING == "run_in_progress"
    finally:
        release_lock(token)
    assert SettlementStatement.objects.count() == 0
    generate_statements(month=period)
    assert SettlementStatement.objects.count() == 2


def test_an_expired_lease_of_a_killed_run_is_taken_over(world):
    from django.utils import timezone

    from settlement.models import JobLock

    period, _, _ = _known_month(world)
    acquire_lock()
    JobLock.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    assert generate_statements(month=period).statements_created == 2


def test_returns_after_settlement_become_adjustment_lines(world):
    two_back = month_start(2)
    line = receive(world, packs=5, on=two_back + timedelta(days=1))  # 50 × 0.5123 = 25.615 → 25.62 (factory)
    generate_statements(month=two_back)
    first = SettlementStatement.objects.get(period=two_back)
    returned = give_back(line, packs=2, on=month_start(1) + timedelta(days=3))  # 20 × 0.5123 = 10.246 → 10.25
    generate_statements(month=month_start(1))
    adjustment = SettlementStatement.objects.get(period=month_start(1))
    only = adjustment.lines.get()
    assert only.kind == "return_adjustment" and only.return_line_id == returned.pk
    assert only.amount == -returned.amount and adjustment.amount == -returned.amount
    assert first.lines.get().returned_amount == 0
    assert SettledReturn.objects.filter(return_line=returned).count() == 1
    generate_statements(month=month_start(1))
    assert SettlementLine.objects.filter(kind="return_adjustment").count() == 1


def test_a_receipt_line_cannot_be_settled_twice_by_the_database(world):
    from django.db import IntegrityError, transaction

    period, first, _ = _known_month(world)
    generate_statements(month=period)
    line = SettlementLine.objects.get(receipt_line=first)
    other = SettlementStatement.objects.get(hospital=world.far_hospital)
    with pytest.raises(IntegrityError), transaction.atomic():
        SettlementLine.objects.create(
            statement=other,
            receipt_line=first,
            product_id=line.product_id,
            received_on=line.received_on,
            min_units=1,
            unit_price=1,
            settled_unit_price=1,
            gross_amount=1,
            amount=1,
            due_on=line.due_on,
        )
    assert SettlementLine.objects.filter(receipt_line=first).count() == 1


def test_the_database_refuses_deleting_what_settlement_lines_reference(world):
    from django.db import IntegrityError, connection, transaction

    period, first, _ = _known_month(world)
    generate_statements(month=period)
    statement = SettlementLine.objects.get(receipt_line=first).statement
    for sql, pk in (
        ("DELETE FROM procurement_receiptline WHERE id = %s", first.pk),
        ("DELETE FROM settlement_settlementstatement WHERE id = %s", statement.pk),
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [pk])
    assert SettlementLine.objects.filter(receipt_line=first, statement=statement).exists()
