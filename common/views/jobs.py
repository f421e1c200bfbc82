"""Long jobs: start one from a page (POST), watch its progress bar, poll its status (JSON)."""

from __future__ import annotations

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .. import jobs
from ..errors import DomainError

# what a start form may pass on to the job, per kind
PARAMS = {"settlement.generate": ("month", "region"), "pricing.scan": (), "progress.compute": ()}


@require_POST
def job_start(request, kind: str):
    if kind not in PARAMS:
        return redirect("home")
    params = {name: request.POST.get(name, "").strip() for name in PARAMS[kind]}
    try:
        job = jobs.start(kind, by=request.user, params=params)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(request.POST.get("back") or "home")
    return redirect("jobs:detail", pk=job.pk)


def job_detail(request, pk: int):
    job = get_object_or_404(jobs.visible_to(request.user), pk=pk)
    kind = jobs.kinds().get(job.kind)
    return render(
        request, "common/job.html", {"job": job, "state": jobs.status(job), "label": kind.label if kind else job.kind}
    )


@never_cache
def job_status(request, pk: int):
    job = get_object_or_404(jobs.visible_to(request.user), pk=pk)
    return JsonResponse(jobs.status(job))


app_name = "jobs"
urlpatterns = [
    path("start/<str:kind>/", job_start, name="start"),
    path("<int:pk>/", job_detail, name="detail"),
    path("<int:pk>/status", job_status, name="status"),
]
