"""The refresh of a day's changes (`progress_refresh_changed`): the commitments that day's receipts and returns count
in — selected product, a substitute of the lot, an order line bought as `substitution_for` — recomputed from the
month of the day (the months before from the stored rows), giving the table a full run gives; the other commitments'
rows untouched; a bad date refused with nothing written."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from common.errors import ValidationFailed
from procurement.errors import TenderError
from procurement.models import CommitmentAlertState, CommitmentProgress, ProgressRun
from procurement.services.progress import progress_compute_all, progress_refresh_changed
from tests.procurement.progress_world import AS_OF, build_world

pytestmark = pytest.mark.django_db

FIELDS = [f.attname for f in CommitmentProgress._meta.concrete_fields if f.attname != "id"]


def table(**exclude):
    return sorted(tuple(r) for r in CommitmentProgress.objects.exclude(**exclude).values_list(*FIELDS))


def rows_of(*commitments):
    return sorted(tuple(r) for r in CommitmentProgress.objects.filter(commitment__in=commitments).values_list(*FIELDS))


def alert_states():
    return sorted(CommitmentAlertState.objects.values_list("commitment_id", "status"))


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
    assert run.rows == 2 * 2  # the day's month and the cycle row of the two touched commitments
    assert table(hospital_id__in=touched) == others
    incremental, states = table(), alert_states()
    progress_compute_all(as_of=AS_OF)
    assert table() == incremental
    assert alert_states() == states


def test_a_late_receipt_in_an_earlier_month_is_recomputed_from_that_month(world):
    # a refresh of several days reaching back into March: the touched commitments are recomputed from March on (the
    # running sums before it from the stored rows, the pace window's January and February read back), the rows of
    # January and February left as they are
    progress_compute_all(as_of=AS_OF)
    since = date(2026, 3, 28)
    world.receive("stalled", "A", 200, since)  # the first receipt of the commitment since January
    line = world.receive("late", "A", 60, date(2026, 4, 12))
    world.give_back(line, 20, date(2026, 4, 14))
    earlier = [
        row.pk
        for row in CommitmentProgress.objects.filter(
            commitment__in=[world.commitments["stalled"], world.commitments["late"]], period_start__lt=date(2026, 3, 1)
        )
    ]

    run = progress_refresh_changed(since=since, as_of=AS_OF)

    # March, April and the cycle row of the three commitments with lines since March 28 (steady's of April 1 and 10)
    assert run.rows == 3 * 3
    incremental = table()
    progress_compute_all(as_of=AS_OF)
    assert table() == incremental
    assert sorted(CommitmentProgress.objects.filter(pk__in=earlier).values_list("pk", flat=True)) == sorted(earlier)


def test_a_refresh_into_a_new_month_adds_its_row(world):
    # the table as of the last day of April; receipts of that day after the run and of the first of May, refreshed
    # as of May 1: the touched commitments get their May row and the rows a full run as of May 1 gives them
    april_end = date(2026, 4, 30)
    progress_compute_all(as_of=april_end)
    world.receive("stalled", "A", 100, april_end)
    world.receive("late", "A", 40, april_end + timedelta(days=1))
    untouched = table(hospital_id__in=[world.hospitals["stalled"].pk, world.hospitals["late"].pk])

    progress_refresh_changed(since=april_end, as_of=april_end + timedelta(days=1))

    touched = [world.commitments["stalled"], world.commitments["late"]]
    refreshed = rows_of(*touched)
    assert table(hospital_id__in=[world.hospitals["stalled"].pk, world.hospitals["late"].pk]) == untouched
    progress_compute_all(as_of=april_end + timedelta(days=1))
    assert rows_of(*touched) == refreshed
    assert CommitmentProgress.objects.filter(commitment__in=touched, period_start=date(2026, 5, 1)).count() == 2


def test_rows_of_an_earlier_computation_are_recomputed_whole(world):
    # the table as of March 15: its March rows stop half-way, so a refresh of April 15 cannot start from April for
    # the touched commitment and recomputes its whole cycle from the lines
    progress_compute_all(as_of=date(2026, 3, 15))
    world.receive("steady", "A", 100, AS_OF)

    run = progress_refresh_changed(since=AS_OF, as_of=AS_OF)

    assert run.rows == 4 + 1  # January to April and the cycle row
    refreshed = rows_of(world.commitments["steady"])
    progress_compute_all(as_of=AS_OF)
    assert rows_of(world.commitments["steady"]) == refreshed


def test_a_cycle_ended_before_the_day_is_left_as_it_is(world):
    stalled = world.commitments["stalled"]
    stalled.cycle_end = date(2026, 3, 31)
    stalled.save(update_fields=["cycle_end"])
    progress_compute_all(as_of=AS_OF)
    world.receive("stalled", "A", 100, AS_OF)  # after its cycle: counted nowhere
    before = table()

    run = progress_refresh_changed(since=AS_OF, as_of=AS_OF)

    assert run.rows == 0 and table() == before
    progress_compute_all(as_of=AS_OF)
    assert table() == before


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
    # full run): then every line of its cycle is read, and the rows are still the full run's
    progress_compute_all(as_of=AS_OF)
    CommitmentProgress.objects.filter(commitment=world.commitments["stalled"]).delete()
    world.receive("stalled", "A", 500, AS_OF)
    world.receive("late", "A", 50, AS_OF)  # with its rows: from April on, in the same run

    run = progress_refresh_changed(since=AS_OF, as_of=AS_OF)

    assert run.rows == 5 + 2  # the whole cycle of the one, April and the cycle row of the other
    incremental = table()
    progress_compute_all(as_of=AS_OF)
    assert table() == incremental


@pytest.mark.parametrize("window", [1, 2, 3, 5])
def test_generated_days_refreshed_equal_a_full_run_for_any_pace_window(world, settings, window):
    # receipts, returns and substitutes spread over the months with gaps, each day refreshed on top of the table the
    # night before left (same computation date): the pace of the months recomputed reads the stored months before
    # them, however many the window spans, and the table is a full run's, row for row
    import random

    settings.COMMITMENT_PROGRESS = {**settings.COMMITMENT_PROGRESS, "RATE_WINDOW_MONTHS": window}
    rng = random.Random(window)
    progress_compute_all(as_of=AS_OF)
    for since in (date(2026, 2, 27), date(2026, 4, 1), date(2026, 3, 3), AS_OF):
        for _ in range(4):
            key = rng.choice(["steady", "stalled", "late", "over", "zero_bought"])
            day = since + timedelta(days=rng.randrange(0, (AS_OF - since).days + 1))
            product = rng.choice(["A", "A", "B", "C"])
            line = world.receive(key, product, rng.randrange(1, 30) * 10, day)
            if rng.random() < 0.3:
                world.give_back(line, 10, day)
        progress_refresh_changed(since=since, as_of=AS_OF)
        incremental, states = table(), alert_states()
        progress_compute_all(as_of=AS_OF)
        assert table() == incremental, since
        assert alert_states() == states
