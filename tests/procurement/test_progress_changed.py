"""The refresh of a day's changes (`progress_refresh_changed`): the commitments that day's receipts and returns count
in — selected product, a substitute of the lot, an order line bought as `substitution_for` — recomputed, giving the
table a full run gives; the other commitments' rows untouched; a bad date refused with nothing written."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from common.errors import ValidationFailed
from procurement.errors import TenderError
from procurement.models import CommitmentProgress, ProgressRun
from procurement.services.progress import progress_compute_all, progress_refresh_changed
from tests.procurement.progress_world import AS_OF, build_world

pytestmark = pytest.mark.django_db

FIELDS = [f.attname for f in CommitmentProgress._meta.concrete_fields if f.attname != "id"]


def table(**exclude):
    return sorted(tuple(r) for r in CommitmentProgress.objects.exclude(**exclude).values_list(*FIELDS))


@pytest.fixture
def world():
    return build_world()


def test_a_days_changes_refreshed_equal_a_full_run(world):
    progress_compute_all(as_of=AS_OF)
    day = AS_OF
    world.receive("stalled", "A", 500, day)  # the selected product
    line = world.receive("late", "B", 90, date(2026, 4, 2))  # an earlier receipt, returned today
    progress_compute_all(as_of=AS_OF)
    world.give_back(line, 30, day)
    world.receive("late", "D", 40, day, substitution_for=world.commitments["late"])  # outside the lot, named
    touched = [world.hospitals["stalled"].pk, world.hospitals["late"].pk]
    others = table(hospital_id__in=touched)

    run = progress_refresh_changed(since=day, as_of=AS_OF)

    assert run.kind == ProgressRun.Kind.CHANGED and run.status == ProgressRun.Status.SUCCEEDED
    assert run.rows < CommitmentProgress.objects.count()  # only the touched commitments' rows were computed
    assert table(hospital_id__in=touched) == others
    incremental = table()
    progress_compute_all(as_of=AS_OF)
    assert table() == incremental


def test_a_day_without_changes_writes_nothing(world):
    progress_compute_all(as_of=AS_OF)
    before = table()
    run = progress_refresh_changed(since=date(2026, 4, 14), as_of=AS_OF)
    assert run.status == ProgressRun.Status.SUCCEEDED
    assert table() == before


def test_since_after_the_computation_date_is_refused(world):
    progress_compute_all(as_of=AS_OF)
    runs = ProgressRun.objects.count()
    with pytest.raises(ValidationFailed) as err:
        progress_refresh_changed(since=date(2026, 4, 16), as_of=AS_OF)
    assert err.value.code == TenderError.SINCE_AFTER_AS_OF and err.value.field == "since"
    assert ProgressRun.objects.count() == runs


def test_the_command_refreshes_a_days_changes(world):
    progress_compute_all(as_of=AS_OF)
    world.receive("stalled", "A", 500, AS_OF)
    call_command("compute_commitments", "--as-of", AS_OF.isoformat(), "--since", AS_OF.isoformat())
    assert ProgressRun.objects.filter(kind=ProgressRun.Kind.CHANGED, status="succeeded").count() == 1
    incremental = table()
    progress_compute_all(as_of=AS_OF)
    assert table() == incremental
    with pytest.raises(CommandError):
        call_command("compute_commitments", "--since", "2026-13-01")


def test_a_commitment_without_stored_rows_is_read_from_its_lines(world):
    # the months before the day's are taken from the stored month rows, unless a commitment has none (added since the
    # full run): then every line of the cycles is read, and the rows are still the full run's
    progress_compute_all(as_of=AS_OF)
    CommitmentProgress.objects.filter(commitment=world.commitments["stalled"]).delete()
    world.receive("stalled", "A", 500, AS_OF)

    progress_refresh_changed(since=AS_OF, as_of=AS_OF)

    incremental = table()
    progress_compute_all(as_of=AS_OF)
    assert table() == incremental
