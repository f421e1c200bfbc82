"""A large catalog file through the real queue: upload → outbox → Redis → a Celery worker process → kept result."""

import json
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from catalog.imports.jobs import inline_max_rows
from catalog.models import ImportJob, Product
from common.models import OutboxMessage
from tests.catalog.test_import_pages import download_rows, large_file


@pytest.fixture
def shared_media(settings, tmp_path, monkeypatch):
    """The uploaded file must be where the worker looks: one media folder for this process and the worker."""
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("MEDIA_ROOT", str(settings.MEDIA_ROOT))


@pytest.fixture
def media_worker(shared_media, worker):
    return worker


@pytest.mark.worker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # as the worker round trip: leaves the data it found
def test_a_large_file_is_imported_by_a_worker_with_progress_and_a_kept_report(media_worker, platform_admin, settings):
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    rows = inline_max_rows() + 200  # above the inline limit: this is the queued path, untouched
    client = Client()
    client.force_login(platform_admin)
    response = client.post(
        "/catalog/imports/new/", {"file": SimpleUploadedFile("large.csv", large_file(rows)), "layout": "nhsa"}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.total_rows == rows
    assert OutboxMessage.objects.get(task="catalog.run_import").kwargs == {"job_id": job.pk, "language": "zh-hans"}

    seen = []  # what the page's progress bar reads while the worker runs
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if media_worker.poll() is not None:
            pytest.fail("worker exited:\n" + media_worker.stdout.read())
        progress = json.loads(client.get(f"/catalog/imports/{job.pk}/progress").content)
        seen.append(progress)
        if progress["done"]:
            break
        time.sleep(0.1)
    assert seen[-1]["done"], seen[-1]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, job.message
    assert job.counts == {"new": rows, "changed": 0, "unchanged": 0, "error": 0}
    assert seen[-1]["percent"] == 100 and seen[-1]["processed"] == rows
    assert all(0 <= p["percent"] <= 100 and p["total"] == rows for p in seen)
    assert [p["processed"] for p in seen] == sorted(p["processed"] for p in seen)  # the bar only moves forward
    assert Product.objects.count() == rows and Product.history.count() == rows
    report = download_rows(client.get(f"/catalog/imports/{job.pk}/report"))
    assert len(report) == rows + 1 and report[1][2] == "新增"
    assert "已导入" in client.get(f"/catalog/imports/{job.pk}/").content.decode()
