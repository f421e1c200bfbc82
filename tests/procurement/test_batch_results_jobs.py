"""The results import page: files of up to NATIONAL_RESULTS_INLINE_MAX_ROWS data rows (both together) are imported in
the request; larger ones by a background job (outbox → worker) with its progress page, the report of both files kept
as the job's result, all or nothing as in the request."""

from pathlib import Path

import pytest

from common.models import Job
from procurement.models import Listing, Tender
from tests.procurement.test_batch_results import good_rows, nothing_written, page_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager(settings, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.NATIONAL_RESULTS_INLINE_MAX_ROWS = 5  # the lot list's 2 rows and the results' 4 are above it
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def test_a_large_results_file_is_imported_by_a_job_with_its_progress_page(
    eager, world, client, django_capture_on_commit_callbacks
):
    client.force_login(world["official"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/tenders/import-results/", page_form(world, *good_rows(world)))
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.kind == "tender.results_import" and job.status == Job.Status.SUCCEEDED, job.message
    tender = Tender.objects.get(code="GJ-10")
    assert (tender.origin, tender.status) == ("results_import", "demand_collection")
    assert Listing.objects.filter(award__tender=tender).count() == 2
    assert job.result["tender"] == tender.pk and job.result["results"]["counts"] == {"new": 2, "other_province": 2}
    assert job.link == f"/tenders/{tender.pk}/"
    assert not [p for p in Path(eager).rglob("*") if p.is_file()]  # the kept uploads are removed once read
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "GJ-10" in page and "其他省份 2" in page and f'href="/tenders/{tender.pk}/"' in page


def test_a_large_bad_results_file_fails_its_job_names_the_row_and_writes_nothing(
    eager, world, client, django_capture_on_commit_callbacks
):
    client.force_login(world["official"])
    rows = [*good_rows(world), "5,9,阿托伐他汀钙片,20mg*24片,某公司,19.20,,内蒙古"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/tenders/import-results/", page_form(world, *rows))
    job = Job.objects.get()
    assert response.status_code == 302 and job.status == Job.Status.FAILED
    nothing_written()
    assert job.result["results"]["errors"][0]["row"] == 6
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "不是本批次采购品种目录中的品种" in page and "未导入：有 1 行错误" in page


def test_a_large_dry_run_checks_in_a_job_and_writes_nothing(eager, world, client, django_capture_on_commit_callbacks):
    client.force_login(world["official"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/tenders/import-results/", page_form(world, *good_rows(world), dry_run=True))
    job = Job.objects.get()
    assert job.status == Job.Status.SUCCEEDED and job.result["tender"] is None and job.link == ""
    nothing_written()


def test_a_small_results_file_is_imported_in_the_request(eager, world, client, settings):
    settings.NATIONAL_RESULTS_INLINE_MAX_ROWS = 6
    client.force_login(world["official"])
    assert "超过 6 行的文件在后台处理" in client.get("/tenders/import-results/").content.decode()
    response = client.post("/tenders/import-results/", page_form(world, *good_rows(world)))
    tender = Tender.objects.get(code="GJ-10")
    assert response.status_code == 302 and response["Location"] == f"/tenders/{tender.pk}/"
    assert not Job.objects.exists()
