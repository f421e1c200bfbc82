"""One hospital's statements (`generate_hospital_statements`): after a late receipt or return, that hospital's pairs
get exactly the statements and lines the whole month's run gives them, and no other hospital is touched; an unknown
hospital is refused with nothing written."""

from datetime import timedelta

import pytest
from django.db import transaction

from common.errors import ValidationFailed
from settlement.errors import SettlementError
from settlement.generation import generate_hospital_statements, generate_statements
from settlement.models import SettlementLine, SettlementRun, SettlementStatement
from tests.settlement.world import build_world, give_back, month_start, receive

pytestmark = pytest.mark.django_db

STATEMENT = ["manufacturer_id", "hospital_id", "fund__region_id", "period", "gross_amount", "returned_amount"]
STATEMENT += ["correction_amount", "amount", "payment_due_on", "claim_due_on", "status"]
LINE = ["receipt_line_id", "min_units", "returned_min_units", "amount", "correction_amount", "settled_unit_price"]


def written(hospital) -> tuple[list, list]:
    statements = sorted(SettlementStatement.objects.filter(hospital=hospital).values_list(*STATEMENT))
    lines = sorted(SettlementLine.objects.filter(statement__hospital=hospital).values_list(*LINE))
    return statements, lines


@pytest.fixture
def world():
    return build_world()


def test_one_hospital_gets_what_the_months_run_gives_it(world):
    period = month_start(1)
    first = receive(world, packs=7, on=period + timedelta(days=2))
    give_back(first, packs=1, on=period + timedelta(days=5))
    receive(world, packs=1, on=period + timedelta(days=27))  # the late receipt
    receive(world, hospital=world.far_hospital, packs=4, on=period + timedelta(days=4))
    point = transaction.savepoint()
    generate_statements(month=period)
    whole_month = written(world.hospital)
    transaction.savepoint_rollback(point)
    assert not SettlementStatement.objects.exists()

    run = generate_hospital_statements(month=period, hospital_id=world.hospital.pk)

    assert run.status == SettlementRun.Status.DONE and run.statements_created == 1 and run.lines_created == 2
    assert written(world.hospital) == whole_month
    assert not SettlementStatement.objects.filter(hospital=world.far_hospital).exists()
    # the month's run afterwards builds the rest, and nothing twice
    assert generate_statements(month=period).statements_created == 1
    assert written(world.hospital) == whole_month


def test_an_unknown_hospital_is_refused_and_nothing_written(world):
    period = month_start(1)
    receive(world, packs=7, on=period + timedelta(days=2))
    for bad in (world.maker.pk, 10**9):
        with pytest.raises(ValidationFailed) as err:
            generate_hospital_statements(month=period, hospital_id=bad)
        assert err.value.code == SettlementError.HOSPITAL_UNKNOWN and err.value.field == "hospital"
    assert not SettlementRun.objects.exists() and not SettlementStatement.objects.exists()
