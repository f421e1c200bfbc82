"""Runs of the progress job: idempotent, crash-safe, locked, incremental equal to full, alerts without duplicates,
the receipt and return hooks coalescing into one refresh per hospital, the manufacturer delivery-lag flag."""

import re
from datetime import date

import pytest
from django.db import connection

from common.models import Notification, OutboxMessage
from procurement.models import CommitmentAlertState, CommitmentProgress, ManufacturerProgress, ProgressRun
from procurement.services import progress as svc
from procurement.services.progress import progress_compute_all, progress_refresh_hospital
from tests.procurement.progress_world import AS_OF, build_world

pytestmark = pytest.mark.django_db

FIELDS = [f.attname for f in CommitmentProgress._meta.concrete_fields if f.attname != "id"]


def table():
    return sorted(tuple(r) for r in CommitmentProgress.objects.values_list(*FIELDS))


@pytest.fixture
def world():
    return build_world()


def test_running_twice_gives_the_same_table(world):
    progress_compute_all(as_of=AS_OF)
    first = table()
    progress_compute_all(as_of=AS_OF)
    assert table() == first
    assert len(first) == 30
    assert ProgressRun.objects.filter(status="succeeded").count() == 2


def test_rows_that_change_are_updated_in_place_and_keep_their_ids(world):
    """A later date moves the last month's and the cycle row's figures: those rows are updated, not replaced, so
    the ids the API exposes stay; the result equals a recompute into an empty table."""

    def ids():
        return {(r.commitment_id, r.period_kind, r.period_start): r.pk for r in CommitmentProgress.objects.all()}

    progress_compute_all(as_of=date(2026, 4, 28))
    before = ids()
    run = progress_compute_all(as_of=date(2026, 4, 30))
    assert 0 < run.written < len(before)
    after = ids()
    assert after == before
    world.receive("stalled", "A", 500, date(2026, 4, 29))
    progress_refresh_hospital(hospital_id=world.hospitals["stalled"].pk, as_of=date(2026, 4, 30))
    assert ids() == before
    kept = table()
    CommitmentProgress.objects.all().delete()
    progress_compute_all(as_of=date(2026, 4, 30))
    assert table() == kept


def test_incremental_refresh_equals_a_full_run(world):
    progress_compute_all(as_of=AS_OF)
    # New flows at two hospitals; refresh only those two.
    world.receive("stalled", "A", 500, date(2026, 4, 12))
    line = world.receive("late", "B", 90, date(2026, 4, 13))
    world.give_back(line, 30, date(2026, 4, 14))
    before_others = sorted(
        tuple(r)
        for r in CommitmentProgress.objects.exclude(
            hospital__in=[world.hospitals["stalled"], world.hospitals["late"]]
        ).values_list(*FIELDS)
    )
    progress_refresh_hospital(hospital_id=world.hospitals["stalled"].pk, as_of=AS_OF)
    progress_refresh_hospital(hospital_id=world.hospitals["late"].pk, as_of=AS_OF)
    incremental = table()
    after_others = sorted(
        tuple(r)
        for r in CommitmentProgress.objects.exclude(
            hospital__in=[world.hospitals["stalled"], world.hospitals["late"]]
        ).values_list(*FIELDS)
    )
    assert after_others == before_others
    progress_compute_all(as_of=AS_OF)
    assert incremental == table()
    assert (
        CommitmentProgress.objects.get(commitment=world.commitments["late"], period_kind="cycle").substitute_units == 60
    )


def test_a_run_failing_half_way_leaves_the_previous_table(world, monkeypatch):
    progress_compute_all(as_of=AS_OF)
    before = table()
    world.receive("stalled", "A", 500, date(2026, 4, 12))

    def broken(**kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(svc.sql, "insert_alerts", broken)  # dies after the progress rows were rewritten
    with pytest.raises(RuntimeError):
        progress_compute_all(as_of=AS_OF)
    assert table() == before
    failed = ProgressRun.objects.order_by("-pk").first()
    assert failed.status == "failed" and "worker killed" in failed.error and failed.finished_at
    monkeypatch.undo()
    progress_compute_all(as_of=AS_OF)
    assert (
        CommitmentProgress.objects.get(commitment=world.commitments["stalled"], period_kind="cycle").cumulative_units
        == 600
    )


def test_a_run_left_running_by_a_killed_worker_is_recorded_as_interrupted(world):
    from django.utils import timezone

    dead = ProgressRun.objects.create(kind="full", as_of=AS_OF, started_at=timezone.now())
    run = progress_compute_all(as_of=AS_OF)
    dead.refresh_from_db()
    assert dead.status == "abandoned" and dead.finished_at
    assert run.status == "succeeded"


def test_overlapping_full_runs_are_prevented(world):
    """Another session holds the run lock: the full run is recorded as skipped and writes nothing."""
    import psycopg

    s = connection.settings_dict
    other = psycopg.connect(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        user=s["USER"],
        password=s["PASSWORD"] or None,
        dbname=s["NAME"],
        autocommit=True,
    )
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [svc.LOCK_KEY])
        run = progress_compute_all(as_of=AS_OF)
        assert run.status == "skipped" and run.rows == 0
        assert not CommitmentProgress.objects.exists()
    finally:
        other.execute("SELECT pg_advisory_unlock(%s)", [svc.LOCK_KEY])
        other.close()
    assert progress_compute_all(as_of=AS_OF).status == "succeeded"


def test_hospitals_turning_behind_or_at_risk_are_notified_once(world):
    progress_compute_all(as_of=AS_OF)
    notes = Notification.objects.filter(kind="commitment_progress")
    assert sorted((n.organization.name, n.topic.split(":")[-1]) for n in notes) == [
        ("进度测试late医院", "behind"),
        ("进度测试stalled医院", "at_risk"),
    ]
    stalled = notes.get(organization=world.hospitals["stalled"])
    assert "难以完成" in stalled.title and "阿莫西林胶囊" in stalled.title
    # no quantity in the stored text (it would go stale beside the live table): the link leads to the live figures
    assert "累计入库" not in stalled.body and not any(ch.isdigit() for ch in stalled.body)
    assert stalled.link == f"/progress/commitments/{stalled.topic.split(':')[1]}/"
    # Unchanged states: nothing new, however often the job runs.
    progress_compute_all(as_of=AS_OF)
    progress_refresh_hospital(hospital_id=world.hospitals["stalled"].pk, as_of=AS_OF)
    assert notes.count() == 2
    # The late hospital catches up (on track: no alert), then falls behind again: alerted again.
    world.receive("late", "A", 400, date(2026, 4, 14))
    progress_refresh_hospital(hospital_id=world.hospitals["late"].pk, as_of=AS_OF)
    assert CommitmentAlertState.objects.get(commitment=world.commitments["late"]).status == "on_track"
    assert notes.count() == 2
    # 30 June: 1200 of 1810 pro-rata is behind again (the last three months' pace still reaches 80 %).
    progress_compute_all(as_of=date(2026, 6, 30))
    late = notes.filter(organization=world.hospitals["late"]).order_by("pk")
    assert [n.topic.split(":")[-1] for n in late] == ["behind", "behind"]
    # 31 August: nothing bought for three months, it cannot finish.
    progress_compute_all(as_of=date(2026, 8, 31))
    assert [n.topic.split(":")[-1] for n in late.all()] == ["behind", "behind", "at_risk"]


def test_receipts_and_returns_enqueue_one_refresh_per_hospital(world, settings, monkeypatch):
    from procurement import hooks
    from procurement.models import GoodsReturn, Receipt

    progress_compute_all(as_of=AS_OF)
    hospital = world.hospitals["stalled"]
    first = world.receive("stalled", "A", 50, date(2026, 4, 12))
    world.receive("stalled", "A", 60, date(2026, 4, 13))
    back = world.give_back(first, 20, date(2026, 4, 14))
    # Keep the messages pending (as when the broker is down) to see the coalescing.
    from common import outbox

    def broker_down(message):
        raise ConnectionError("broker down")

    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(outbox, "_send", broker_down)
    for receipt in Receipt.objects.filter(hospital=hospital):
        hooks.receipt_committed(receipt.pk)
    hooks.return_committed(GoodsReturn.objects.get(pk=back.goods_return_id).pk)
    pending = OutboxMessage.objects.filter(status="pending", task=svc.REFRESH_TASK)
    assert [(m.kwargs["hospital_id"], m.dedupe_key) for m in pending] == [
        (hospital.pk, f"commitment-progress:{hospital.pk}")
    ]
    # Draining runs it (eagerly here): the hospital's rows now count the new receipts and the return.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # Other apps' follow-ups of these receipts (price observations, …) wait in the outbox beside the one refresh.
    others = OutboxMessage.objects.filter(status="pending").exclude(task=svc.REFRESH_TASK).count()
    assert outbox.drain() == 1 + others
    row = CommitmentProgress.objects.get(commitment=world.commitments["stalled"], period_kind="cycle")
    assert row.cumulative_units == 100 + 50 + 60 - 20
    assert ProgressRun.objects.filter(kind="hospital", hospital=hospital, status="succeeded").count() == 1


def test_unknown_hospital_is_a_clear_error(world):
    from procurement.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as err:
        progress_refresh_hospital(hospital_id=world.tender.lots.first().awards.first().manufacturer_id, as_of=AS_OF)
    assert "医疗机构" in str(err.value)
    assert not ProgressRun.objects.exists() and not CommitmentProgress.objects.exists()


def test_manufacturer_roll_up_and_delivery_lag(world):
    from procurement.models import PurchaseOrderLine
    from tests.factories import PurchaseOrderFactory, PurchaseOrderLineFactory

    # An accepted order of the selected product, submitted long ago, of which nothing has been shipped.
    order = PurchaseOrderFactory(
        hospital=world.hospitals["stalled"],
        status="accepted",
        submitted_at=svc.timezone.make_aware(svc.datetime(2026, 3, 1, 9)),
    )
    PurchaseOrderLineFactory(order=order, listing=world.listings["A"], packs=500)
    progress_compute_all(as_of=AS_OF)
    maker = world.commitments["steady"].manufacturer
    row = ManufacturerProgress.objects.get(manufacturer=maker, tender=world.tender)
    ordered = sum(
        line.min_units
        for line in PurchaseOrderLine.objects.filter(award__isnull=False, order__status__in=["received", "accepted"])
    )
    assert row.agreed_volume == 3650 * 3 + 100
    assert row.ordered_units == ordered
    assert row.received_units == 1350 + 100 + 800 + 120 + 10
    assert row.delivery_lag is True
    order.status = "cancelled"
    order.save(update_fields=["status"])
    progress_compute_all(as_of=AS_OF)
    assert ManufacturerProgress.objects.get(manufacturer=maker, tender=world.tender).delivery_lag is False


def test_a_refresh_already_covered_by_a_later_run_is_skipped(world):
    from django.utils import timezone

    asked = timezone.now()
    world.receive("stalled", "A", 50, date(2026, 4, 12))
    first = progress_refresh_hospital(hospital_id=world.hospitals["stalled"].pk, as_of=AS_OF, requested_at=asked)
    assert first.status == "succeeded"
    # A second message of the same burst, asked before the first run started: nothing left to do.
    second = progress_refresh_hospital(hospital_id=world.hospitals["stalled"].pk, as_of=AS_OF, requested_at=asked)
    assert second.status == "skipped" and "之后" in second.error
    assert (
        CommitmentProgress.objects.get(commitment=world.commitments["stalled"], period_kind="cycle").cumulative_units
        == 150
    )
    # Asked after the last run: it runs.
    third = progress_refresh_hospital(
        hospital_id=world.hospitals["stalled"].pk, as_of=AS_OF, requested_at=timezone.now()
    )
    assert third.status == "succeeded"


def test_the_hospital_page_shows_a_reminder_with_todays_figures(world, client):
    from tests.factories import UserFactory

    progress_compute_all(as_of=AS_OF)
    hospital = world.hospitals["stalled"]
    note = Notification.objects.get(kind="commitment_progress", organization=hospital)
    client.force_login(UserFactory(organization=hospital, roles=["purchaser"]))
    html = client.get("/progress/hospital/").content.decode()
    item = re.search(rf'<li[^>]*data-note="{note.pk}".*?</li>', html, re.S).group(0)
    assert "data-live-progress" in item and "当前累计入库 100" in item
    assert f'href="{note.link}"' in item
