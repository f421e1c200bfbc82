"""Long jobs from pages: started as a Celery task, watched through a status endpoint, scoped to the organisation."""

import pytest
from django.test import Client

from common import jobs
from common.models import Job


@pytest.fixture(autouse=True)
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


def login(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_progress_recompute_runs_in_the_background_and_reports(official, purchaser):
    client = login(official)
    page = client.get("/progress/").content.decode()
    assert 'id="start-progresscompute"' in page
    response = client.post("/jobs/start/progress.compute/", {"back": "/progress/"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    status = client.get(f"/jobs/{job.pk}/status").json()
    assert status["done"] and status["status"] == "succeeded" and status["percent"] == 100
    assert "完成进度已重新计算" in status["message"] and status["link"] == "/progress/"
    detail = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'id="job-result-link"' in detail
    # another organisation's job is not there at all
    assert login(purchaser).get(f"/jobs/{job.pk}/status").status_code == 404
    assert login(purchaser).get(f"/jobs/{job.pk}/").status_code == 404


@pytest.mark.django_db
def test_a_running_job_page_polls_its_status(official, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    job = Job.objects.create(
        kind="progress.compute", organization=official.organization, created_by=official, status=Job.Status.RUNNING
    )
    jobs.cache.set(f"job-progress:{job.pk}", {"done": 2, "total": 5, "label": "进度提醒"})
    client = login(official)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f'data-progress-url="/jobs/{job.pk}/status"' in page and "js/progress.js" in page
    assert 'role="progressbar"' in page and 'aria-valuenow="40"' in page
    status = client.get(f"/jobs/{job.pk}/status").json()
    assert status == {**status, "percent": 40, "step": "进度提醒", "done": False}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bad_params_start_nothing_and_a_role_without_the_capability_cannot_start(fund_officer, purchaser):
    client = login(fund_officer)
    response = client.post(
        "/jobs/start/settlement.generate/", {"month": "2999-01", "back": "/settlement/"}, follow=True
    )
    assert not Job.objects.exists() and "尚未结束" in response.content.decode()
    response = login(purchaser).post("/jobs/start/settlement.generate/", {"month": "2026-01", "back": "/"}, follow=True)
    assert not Job.objects.exists() and "无权" in response.content.decode()


@pytest.mark.django_db
def test_a_failed_job_says_why(fund_officer):
    # a month that ended when the job was queued but not by the time it ran, say: the function's error is the result
    job = Job.objects.create(
        kind="settlement.generate",
        params={"month": "2999-01"},
        organization=fund_officer.organization,
        created_by=fund_officer,
    )
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "尚未结束" in job.message
    assert "尚未结束" in login(fund_officer).get(f"/jobs/{job.pk}/").content.decode()


def test_the_poller_is_a_local_script():
    from pathlib import Path

    from django.conf import settings

    script = (Path(settings.BASE_DIR) / "static/js/progress.js").read_text(encoding="utf-8")
    assert "data-progress-url" in script and "http" not in script.replace("https", "")
