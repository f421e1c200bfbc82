"""A long job's page moves its progress bar while the job runs and shows the outcome when it ends (the poller in
static/js/progress.js) — the page never waits on the job itself."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from common.models import Job
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_progress_bar_follows_the_job_then_shows_its_result(new_page, official):
    job = Job.objects.create(
        kind="progress.compute", organization=official.organization, created_by=official, status=Job.Status.RUNNING
    )
    cache.delete(f"job-progress:{job.pk}")  # ids are reused across tests; the cache is not rolled back with them
    page = new_page()
    login(page, "official")
    page.goto(f"/jobs/{job.pk}/")
    meter = page.locator("#job-progress .progress")
    assert meter.get_attribute("aria-valuenow") == "0"
    cache.set(f"job-progress:{job.pk}", {"done": 3, "total": 4, "label": "记录提醒状态"})
    # a function, not an expression: Playwright evaluates a string expression with eval, which the CSP refuses
    page.wait_for_function(
        "() => document.querySelector('#job-progress .progress').getAttribute('aria-valuenow') === '75'"
    )
    assert "记录提醒状态" in page.locator("#job-progress-text").inner_text()
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.SUCCEEDED, message="完成进度已重新计算：12 行", link="/progress/", finished_at=timezone.now()
    )
    page.wait_for_selector("#job-result-link")
    assert "完成进度已重新计算" in page.locator("#job-message").inner_text()
