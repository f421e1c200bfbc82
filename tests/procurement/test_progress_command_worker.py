"""`manage.py compute_commitments`, and the progress tasks run by a real Celery worker (CI)."""

import io
import time

import pytest
from django.core.management import CommandError, call_command

from procurement.models import CommitmentProgress, ProgressRun
from tests.procurement.progress_world import AS_OF, build_world


@pytest.mark.django_db
def test_command_computes_with_a_progress_bar():
    world = build_world()
    out = io.StringIO()
    call_command("compute_commitments", "--as-of", AS_OF.isoformat(), stdout=out)
    text = out.getvalue()
    assert "[##############################] 4/4 完成" in text and "完成进度 30 行" in text
    assert (
        CommitmentProgress.objects.get(commitment=world.commitments["steady"], period_kind="cycle").cumulative_units
        == 1350
    )
    out = io.StringIO()
    call_command(
        "compute_commitments", "--as-of", AS_OF.isoformat(), "--hospital", str(world.hospitals["late"].pk), stdout=out
    )
    assert "完成进度 5 行" in out.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("compute_commitments", "--as-of", "2026/04/15", stdout=io.StringIO())
    with pytest.raises(CommandError, match="医疗机构"):
        call_command("compute_commitments", "--hospital", str(world.tender.pk + 10**6), stdout=io.StringIO())
    assert ProgressRun.objects.count() == 2


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_real_worker_runs_the_refresh_and_the_full_job(worker):
    from config.celery import app
    from procurement.tasks import compute_commitment_progress, refresh_commitment_progress

    world = build_world()
    assert not app.conf.task_always_eager

    def wait(result):
        deadline = time.monotonic() + 90
        while not result.ready() and time.monotonic() < deadline:
            if worker.poll() is not None:
                pytest.fail("worker exited:\n" + worker.stdout.read())
            time.sleep(0.2)
        assert result.ready(), "no result from the worker within 90 s"
        return result.get(timeout=5)

    hospital = world.hospitals["steady"]
    done = wait(refresh_commitment_progress.delay(hospital_id=hospital.pk))
    assert done["status"] == "succeeded" and done["rows"] > 0
    assert CommitmentProgress.objects.filter(hospital=hospital, period_kind="cycle").count() == 1
    done = wait(compute_commitment_progress.delay())
    assert done["status"] == "succeeded"
    assert CommitmentProgress.objects.filter(period_kind="cycle").count() == 6
