"""A real Celery worker process against Redis runs a task and its result comes back (CI)."""

import time

import pytest
from django.db.migrations.recorder import MigrationRecorder


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_real_worker_round_trip(worker, settings):
    from common.tasks import ping
    from config.celery import app

    assert not app.conf.task_always_eager
    result = ping.delay()
    deadline = time.monotonic() + 60
    while not result.ready() and time.monotonic() < deadline:
        if worker.poll() is not None:
            pytest.fail("worker exited:\n" + worker.stdout.read())
        time.sleep(0.2)
    assert result.ready(), "no result from the worker within 60 s"
    assert result.get(timeout=5) == {"pong": True, "migrations": MigrationRecorder.Migration.objects.count()}
