"""The import pages: who may import, inline runs for small files, the Celery path for large ones, reports."""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from accounts.permissions import can
from catalog.imports import jobs
from catalog.models import ImportJob, Product
from catalog.tasks import run_import
from tests.catalog.test_import_nhsa import HEADERS, ROWS, SAMPLE, edited, to_csv


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client, data: bytes, *, name="nhsa.csv", layout="nhsa", dry_run=False):
    form = {"file": SimpleUploadedFile(name, data), "layout": layout}
    if dry_run:
        form["dry_run"] = "on"
    return client.post("/catalog/imports/new/", form)


def download_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def large_file(n: int) -> bytes:
    rows = [edited(ROWS[i % len(ROWS)], 药品代码=f"XA01ABD075A00201{i:07d}") for i in range(n)]
    return to_csv(HEADERS, rows)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/catalog/imports/", "/catalog/imports/new/"])
def test_users_without_the_import_capability_get_403(purchaser, official, path):
    assert client_for(purchaser).get(path).status_code == 403
    # A pricing official follows the capability table (today catalog.import is the platform admin's alone).
    assert client_for(official).get(path).status_code == (200 if can(official, "catalog.import") else 403)
    response = client_for(purchaser).post(
        "/catalog/imports/new/", {"layout": "nhsa", "file": SimpleUploadedFile("x.csv", b"x")}
    )
    assert response.status_code == 403 and not ImportJob.objects.exists()


@pytest.mark.django_db
def test_a_job_is_not_shown_to_users_without_the_capability(platform_admin, purchaser):
    upload(client_for(platform_admin), SAMPLE.read_bytes())
    job = ImportJob.objects.get()
    for path in (
        f"/catalog/imports/{job.pk}/",
        f"/catalog/imports/{job.pk}/progress",
        f"/catalog/imports/{job.pk}/errors",
        f"/catalog/imports/{job.pk}/report",
    ):
        assert client_for(purchaser).get(path).status_code == 403, path


@pytest.mark.django_db
def test_the_platform_admin_sees_the_pages_and_the_navigation_link(platform_admin):
    client = client_for(platform_admin)
    assert "/catalog/imports/" in client.get("/").content.decode()
    page = client.get("/catalog/imports/new/").content.decode()
    assert 'name="file"' in page and 'name="dry_run"' in page and "2025版甲乙类" in page and "高值耗材类别" in page
    assert client.get("/catalog/imports/").status_code == 200


@pytest.mark.django_db
def test_a_small_file_is_imported_inline_and_its_report_kept(platform_admin):
    client = client_for(platform_admin)
    response = upload(client, SAMPLE.read_bytes())
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/catalog/imports/{job.pk}/"
    assert job.status == "succeeded" and not job.dry_run
    assert job.counts["new"] == 11 and job.total_rows == job.processed_rows == 11 and job.error_count == 0
    assert job.report_file and job.started_at and job.finished_at
    assert Product.objects.count() == 11
    assert Product.history.filter(history_user=platform_admin).count() == 11
    page = client.get(response["Location"]).content.decode()
    assert "XA01ABD075A002010100483" in page and "新增" in page and "已导入" in page
    report = download_rows(client.get(f"/catalog/imports/{job.pk}/report"))
    assert report[0] == ["行号", "医保代码", "结果", "说明"] and len(report) == 12
    assert report[1] == ["2", "XA01ABD075A002010100483", "新增", ""]
    listing = client.get("/catalog/imports/").content.decode()
    assert "nhsa.csv" in listing


@pytest.mark.django_db
def test_a_dry_run_job_reports_and_writes_nothing(platform_admin):
    upload(client_for(platform_admin), SAMPLE.read_bytes(), dry_run=True)
    job = ImportJob.objects.get()
    assert job.status == "succeeded" and job.dry_run and job.counts["new"] == 11
    assert "仅校验" in job.message
    assert Product.objects.count() == 0


@pytest.mark.django_db
def test_a_file_with_bad_rows_fails_writes_nothing_and_offers_the_errors(platform_admin):
    client = client_for(platform_admin)
    rows = [edited(ROWS[0], 最小包装数量="0")] + ROWS[1:5] + [edited(ROWS[5], **{"2025版甲乙类": "丙丁"})]
    upload(client, to_csv(HEADERS, rows))
    job = ImportJob.objects.get()
    assert job.status == "failed" and job.error_count == 2 and Product.objects.count() == 0
    page = client.get(f"/catalog/imports/{job.pk}/?status=error").content.decode()
    assert "最小包装数量应大于 0" in page and "XA01ABD075A002010200594" not in page  # filtered to errors
    errors = download_rows(client.get(f"/catalog/imports/{job.pk}/errors"))
    assert [r[0] for r in errors[1:]] == ["2", "7"]
    assert "2025版甲乙类：医保类别“丙丁”无效" in errors[2][3]
    xlsx = client.get(f"/catalog/imports/{job.pk}/errors?format=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert [c.value for c in sheet[1]] == ["行号", "医保代码", "结果", "说明"]
    assert sheet["A2"].value == 2 and "最小包装数量" in sheet["D2"].value


@pytest.mark.django_db
def test_a_file_level_problem_is_recorded_on_the_job(platform_admin):
    client = client_for(platform_admin)
    upload(client, b"not a workbook", name="nhsa.xlsx")
    job = ImportJob.objects.get()
    assert job.status == "failed" and "不是 Excel 工作簿" in job.message
    errors = download_rows(client.get(f"/catalog/imports/{job.pk}/errors"))
    assert "不是 Excel 工作簿" in errors[1][3]


@pytest.mark.django_db
def test_a_large_file_runs_as_a_celery_task_with_progress_and_a_kept_report(
    platform_admin, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    snapshots = []
    real_set = jobs.cache.set
    monkeypatch.setattr(
        jobs.cache, "set", lambda key, value, *a, **k: (snapshots.append(value), real_set(key, value, *a, **k))
    )
    client = client_for(platform_admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(client, large_file(5200))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == "pending" and job.total_rows == 5200
    pending = client.get(f"/catalog/imports/{job.pk}/")
    assert 'id="import-progress"' in pending.content.decode()  # the page polls while the task runs
    assert json.loads(client.get(f"/catalog/imports/{job.pk}/progress").content)["done"] is False
    assert Product.objects.count() == 0  # nothing ran in the request

    for callback in callbacks:  # the commit: the outbox publishes, the (eager) worker runs the task
        callback()
    job.refresh_from_db()
    assert job.status == "succeeded", job.message
    assert job.total_rows == job.processed_rows == 5200 and job.counts["new"] == 5200
    assert job.report_file and Product.objects.count() == 5200
    assert [s["processed"] for s in snapshots] == [1000, 2000, 3000, 4000, 5000, 5200]
    assert all(s["total"] == 5200 for s in snapshots)
    progress = json.loads(client.get(f"/catalog/imports/{job.pk}/progress").content)
    assert progress["done"] and progress["percent"] == 100 and progress["counts"]["new"] == 5200
    page = client.get(f"/catalog/imports/{job.pk}/?page=3").content.decode()
    assert 'id="import-progress"' not in page, page
    assert "第 3 / 52 页，共 5200 条" in page

    history = Product.history.count()
    assert run_import(job.pk) == "already finished"  # idempotent: a finished job is not run again
    assert Product.history.count() == history


@pytest.mark.django_db
def test_the_progress_endpoint_reads_the_running_numbers(platform_admin):
    job = ImportJob.objects.create(
        layout="nhsa", original_name="x.csv", status="running", total_rows=8000, created_by=platform_admin
    )
    jobs.cache.set(
        f"catalog-import-progress:{job.pk}", {"processed": 2000, "total": 8000, "counts": {"new": 1990, "error": 10}}
    )
    data = json.loads(client_for(platform_admin).get(f"/catalog/imports/{job.pk}/progress").content)
    assert data == {**data, "done": False, "processed": 2000, "total": 8000, "percent": 25, "error_count": 10}


@pytest.mark.django_db
def test_a_job_left_running_by_a_dead_worker_runs_again_from_the_start(platform_admin):
    job = ImportJob.objects.create(layout="nhsa", original_name="nhsa.csv", status="running", created_by=platform_admin)
    job.file.save("nhsa.csv", io.BytesIO(SAMPLE.read_bytes()))
    assert run_import(job.pk) == "succeeded"
    assert Product.objects.count() == 11
