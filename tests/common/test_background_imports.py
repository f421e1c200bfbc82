"""The demand import and the price-data import run in the request when the file is small, and as a background job
(outbox → worker, progress bar on the job's page, counts and bad rows kept) when it is larger than the inline
threshold — the catalog import's rule (CATALOG_IMPORT_INLINE_MAX_ROWS)."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from common.models import Job
from pricing.models import PriceObservation
from procurement.models import DemandReport
from procurement.services import tenders as tender_svc
from tests.utils import client_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager(settings, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CATALOG_IMPORT_INLINE_MAX_ROWS = 2
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def _client(user, language=None):
    return client_as(user, language)


def _demand_file(w, volumes) -> SimpleUploadedFile:
    h = w["hospitals"]
    lines = ["品种编号,医疗机构统一社会信用代码,年度需求量"]
    lines += [f"01,{h[i].uscc},{v}" for i, v in enumerate(volumes)]
    return SimpleUploadedFile("demand.csv", ("\n".join(lines) + "\n").encode(), content_type="text/csv")


@pytest.fixture
def collecting(world):
    tender_svc.tender_start_demand_collection(tender=world["tender"], by=world["official"])
    world["tender"].refresh_from_db()
    return world


def test_a_large_demand_file_is_imported_by_a_job_with_its_progress_page(
    eager, collecting, django_capture_on_commit_callbacks
):
    w = collecting
    client = _client(w["official"])
    url = f"/tenders/{w['tender'].pk}/demand/import/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"file": _demand_file(w, [1000, 2000, 3000])})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.kind == "tender.demand_import" and job.status == Job.Status.SUCCEEDED, job.message
    assert DemandReport.objects.count() == 3
    assert job.result["counts"] == {"new": 3} and job.result["written"]
    assert not list(Path(eager).rglob("demand.csv"))  # the kept upload is removed once read
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'id="job-counts"' in page and "新增 3" in page and f"/tenders/{w['tender'].pk}/" in page
    status = client.get(f"/jobs/{job.pk}/status").json()
    assert status["percent"] == 100 and status["status"] == "succeeded"


def test_a_large_bad_demand_file_fails_its_job_keeps_the_rows_errors_and_writes_nothing(
    eager, collecting, django_capture_on_commit_callbacks
):
    w = collecting
    client = _client(w["official"], "en")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/tenders/{w['tender'].pk}/demand/import/", {"file": _demand_file(w, [1000, -5, 3000])})
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED and job.language == "en"
    assert not DemandReport.objects.exists()
    assert job.result["errors"][0]["row"] == 3
    with translation.override("en"):  # kept as a message, shown in the reader's language
        assert job.message_text == "Not imported: 1 rows have errors"
    assert "Annual demand cannot be negative" in job.result["errors"][0]["errors"][0]
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'id="job-errors"' in page and "Annual demand cannot be negative" in page
    assert "Not imported: 1 rows have errors" in page


def test_a_small_demand_file_is_imported_in_the_request(eager, collecting):
    w = collecting
    response = _client(w["official"]).post(
        f"/tenders/{w['tender'].pk}/demand/import/", {"file": _demand_file(w, [1000, 2000])}
    )
    assert response.status_code == 200 and not Job.objects.exists()
    assert DemandReport.objects.count() == 2


@pytest.fixture
def product(manufacturer):
    from tests.factories import ProductFactory

    return ProductFactory(manufacturer=manufacturer, generic_name="阿托伐他汀钙片", specification="20mg")


def _price_file(product, hospital, n) -> SimpleUploadedFile:
    lines = ["产品代码,来源,日期,单价,单位,数量,医疗机构,省份"]
    lines += [f"{product.nhsa_code},医疗机构线下采购,2026-03-0{i + 1},1.25,片,100,{hospital.uscc}," for i in range(n)]
    return SimpleUploadedFile("obs.csv", ("\n".join(lines) + "\n").encode(), content_type="text/csv")


def test_a_large_price_file_is_imported_by_a_job(
    eager, official, product, hospital, django_capture_on_commit_callbacks
):
    client = _client(official)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/pricing/imports/", {"kind": "observations", "file": _price_file(product, hospital, 3)})
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/" and job.kind == "pricing.import"
    assert job.status == Job.Status.SUCCEEDED and PriceObservation.objects.filter(source="off_platform").count() == 3
    assert job.link == "/pricing/imports/" and job.result["counts"] == {"new": 3}
    # a dry run is only checked
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/pricing/imports/", {"kind": "observations", "dry_run": "1", "file": _price_file(product, hospital, 4)}
        )
    dry = Job.objects.order_by("-pk").first()
    assert dry.status == Job.Status.SUCCEEDED and not dry.result["written"]
    assert PriceObservation.objects.filter(source="off_platform").count() == 3


def test_a_small_price_file_is_imported_in_the_request(eager, official, product, hospital):
    response = _client(official).post(
        "/pricing/imports/", {"kind": "observations", "file": _price_file(product, hospital, 2)}
    )
    assert response.status_code == 200 and not Job.objects.exists()
    assert PriceObservation.objects.filter(source="off_platform").count() == 2


def test_only_who_may_import_starts_the_job(eager, collecting, purchaser):
    from common import jobs
    from common.errors import PermissionDeniedError

    upload = _demand_file(collecting, [1])
    with pytest.raises(PermissionDeniedError):
        jobs.start_with_file("pricing.import", by=purchaser, upload=upload, params={"kind": "observations"})
    assert not Job.objects.exists() and not list(Path(eager).rglob("demand.csv"))
