"""A real Celery worker process against Redis runs a task and its result comes back (CI)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from tests.utils import database_url

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def worker(requires_redis):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=database_url(connection.settings_dict),
        CELERY_TASK_ALWAYS_EAGER="false",
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--hostname=ci-test@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


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
