"""Exact figures of the progress table on a known world (see progress_world.py)."""

from datetime import date
from decimal import Decimal

import pytest

from procurement.models import CommitmentProgress, ProgressRun
from procurement.services.progress import progress_compute_all
from tests.procurement.progress_world import AS_OF, build_world

pytestmark = pytest.mark.django_db


def rows(commitment, kind="month"):
    return list(CommitmentProgress.objects.filter(commitment=commitment, period_kind=kind).order_by("period_start"))


def cycle(commitment):
    return CommitmentProgress.objects.get(commitment=commitment, period_kind="cycle")


@pytest.fixture
def world():
    w = build_world()
    run = progress_compute_all(as_of=AS_OF)
    assert run.status == ProgressRun.Status.SUCCEEDED
    return w


def test_month_rows_of_a_steady_buyer(world):
    months = rows(world.commitments["steady"])
    assert [(r.period_start, r.period_end) for r in months] == [
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 4, 15)),
    ]
    # Receipts minus returns of the selected product; the partial receipt counts what was accepted only.
    assert [r.received_units for r in months] == [500, 300, 350, 200]
    assert [r.returned_units for r in months] == [0, 0, 50, 0]
    assert [r.received_amount for r in months] == [
        Decimal("150.00"),
        Decimal("90.00"),
        Decimal("105.00"),
        Decimal("60.00"),
    ]
    assert [r.cumulative_units for r in months] == [500, 800, 1150, 1350]
    # Pro-rata: 3650 × days elapsed / 365, rounded down.
    assert [r.expected_units for r in months] == [310, 590, 900, 1050]
    # Substitutes: B (same lot, other maker) and C (ordered as a substitution for this commitment); never D.
    assert [r.substitute_units for r in months] == [0, 100, 30, 50]
    assert [r.substitute_amount for r in months] == [
        Decimal("0.00"),
        Decimal("50.00"),
        Decimal("12.00"),
        Decimal("25.00"),
    ]
    assert [r.cumulative_substitute_units for r in months] == [0, 100, 130, 180]
    assert [r.status for r in months] == ["on_track"] * 4


def test_cycle_row_of_a_steady_buyer(world):
    row = cycle(world.commitments["steady"])
    assert (row.period_start, row.period_end) == (date(2026, 1, 1), AS_OF)
    assert row.received_units == 1350 and row.cumulative_units == 1350
    assert row.returned_units == 50
    assert row.received_amount == Decimal("405.00")
    assert row.substitute_units == 180
    assert row.expected_units == 1050
    assert row.completion_rate == Decimal("0.3699")  # 1350 / 3650
    assert row.substitution_ratio == Decimal("0.1176")  # 180 / (1350 + 180)
    # Last three months (02-01 … 04-15, 74 days) bought 850: 1350 + 850 × 260 / 74 → 4336.
    assert row.projected_units == 4336
    assert row.status == "on_track"
    assert row.remaining_units == 2300
    assert row.hospital_id == world.hospitals["steady"].pk
    assert row.region.code == "150100"  # the county's pooling region
    assert row.manufacturer_id == world.commitments["steady"].manufacturer_id


def test_statuses(world):
    c = world.commitments
    stalled = cycle(c["stalled"])
    assert (stalled.cumulative_units, stalled.projected_units, stalled.status) == (100, 100, "at_risk")
    late = cycle(c["late"])
    # 800 < 80 % of 1050, but 800 bought in 74 days projects 800 + 800 × 260 / 74 = 3610 ≥ 80 % of 3650.
    assert (late.cumulative_units, late.projected_units, late.status) == (800, 3610, "behind")
    over = cycle(c["over"])
    assert (over.cumulative_units, over.completion_rate, over.status, over.surplus_units) == (
        120,
        Decimal("1.2000"),
        "over",
        20,
    )


def test_zero_agreed_volume(world):
    zero = cycle(world.commitments["zero"])
    assert (zero.expected_units, zero.cumulative_units, zero.completion_rate, zero.status) == (0, 0, None, "completed")
    assert zero.substitution_ratio is None
    bought = cycle(world.commitments["zero_bought"])
    assert (bought.cumulative_units, bought.completion_rate, bought.status) == (10, None, "over")


def test_grace_days_and_future_cycles(world):
    progress_compute_all(as_of=date(2026, 1, 20))
    stalled = cycle(world.commitments["stalled"])
    assert (stalled.cumulative_units, stalled.expected_units, stalled.status) == (100, 200, "on_track")
    progress_compute_all(as_of=date(2025, 12, 31))
    assert not CommitmentProgress.objects.exists()  # no cycle has started


def test_receipt_on_the_last_day_of_the_cycle(world):
    last = world.receive("stalled", "A", 40, date(2026, 12, 31))
    world.receive("stalled", "A", 70, date(2027, 1, 1))
    progress_compute_all(as_of=date(2027, 1, 10))
    months = rows(world.commitments["stalled"])
    assert len(months) == 12
    assert (months[-1].period_start, months[-1].period_end, months[-1].received_units) == (
        date(2026, 12, 1),
        date(2026, 12, 31),
        40,
    )
    row = cycle(world.commitments["stalled"])
    assert (row.period_end, row.cumulative_units, row.expected_units) == (date(2026, 12, 31), 140, 3650)
    assert row.status == "at_risk"  # the cycle is over and it fell short
    assert last.received_on == date(2026, 12, 31)


def test_returns_of_substitutes_reduce_them(world):
    b_line = world.receive("steady", "B", 60, date(2026, 4, 12))
    world.give_back(b_line, 20, date(2026, 4, 14))
    progress_compute_all(as_of=AS_OF)
    row = cycle(world.commitments["steady"])
    assert row.substitute_units == 180 + 60 - 20
    assert row.returned_units == 50  # returns of the selected product only


def test_run_is_recorded(world):
    run = ProgressRun.objects.order_by("-pk").first()
    assert run.kind == "full" and run.status == "succeeded" and run.finished_at >= run.started_at
    assert run.rows == CommitmentProgress.objects.count() == 6 * 5  # 4 months + the cycle row each
