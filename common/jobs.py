"""Long jobs started from a page, run by a Celery worker, watched through a progress bar.

Each app declares its jobs in `<app>/jobs.py` as JOBS = {kind: JobKind(...)}; `start()` records a `Job` and sends
`common.run_job` after commit (unless the kind's `check` rejects the params); the job's function reports its steps through `report(done, total, label)`, kept in
the cache (Redis in production, shared by web and worker) because the job's own transaction would hide a row
update. `/jobs/<id>/status` answers the page's poller (static/js/progress.js) with JSON.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePath

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.permissions import can

from .discovery import app_modules
from .errors import CommonError, PermissionDeniedError, ValidationFailed
from .importing import report_result
from .messages import Message, text_of
from .models import Job
from .outbox import enqueue

Report = Callable[[int, int, str], None]


@dataclass(frozen=True)
class JobKind:
    label: str
    capability: str | tuple[str, ...]  # any of them may start the job
    run: Callable[..., tuple[str, dict, str]]  # (job params as kwargs, report=…) → (message, result, link)
    # params → the params to record; raises ValidationFailed on bad input, so nothing is started
    check: Callable[[dict], dict] | None = None


@lru_cache(maxsize=1)
def kinds() -> dict[str, JobKind]:
    found: dict[str, JobKind] = {}
    for _app, module in app_modules("jobs"):
        found.update(getattr(module, "JOBS", {}))
    return found


def _key(job_id: int) -> str:
    return f"job-progress:{job_id}"


def start(kind: str, *, by, params: dict | None = None) -> Job:
    job_kind = kinds().get(kind)
    if job_kind is None:
        raise ValidationFailed(
            _("未知的任务类型 %(kind)s") % {"kind": kind}, field="kind", code=CommonError.UNKNOWN_JOB_KIND
        )
    capabilities = (job_kind.capability,) if isinstance(job_kind.capability, str) else job_kind.capability
    if not any(can(by, c) for c in capabilities) or not by.organization_id:
        raise PermissionDeniedError(_("无权发起该任务"), code=CommonError.PERMISSION_DENIED)
    params = job_kind.check(params or {}) if job_kind.check else params
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            params=params or {},
            organization_id=by.organization_id,
            created_by=by,
            language=translation.get_language() or "",
        )
        # Through the transactional outbox: the job's row and its message commit together, so a broker outage
        # delays the job (the drain sends it) instead of leaving it queued forever.
        enqueue("common.run_job", args=[job.pk])
    job.refresh_from_db()
    return job


def run(job_id: int) -> None:
    """The worker's side: run the job's function, record the outcome; an error is the job's result, not a crash."""
    job = Job.objects.get(pk=job_id)
    if job.status != Job.Status.QUEUED:
        return
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())

    def report(done: int, total: int, label: str = "") -> None:
        cache.set(_key(job_id), {"done": done, "total": total, "label": label}, timeout=24 * 3600)

    try:
        # messages and row errors in the language of the user who started the job
        with translation.override(job.language or None):
            message, result, link = kinds()[job.kind].run(**job.params, by=job.created_by, report=report)
        status = Job.Status.SUCCEEDED
    except Exception as exc:  # noqa: BLE001 - a job runner: any failure is the job's recorded outcome
        message, result, link, status = (
            getattr(exc, "message", None) or str(exc),
            getattr(exc, "result", None) or {},
            getattr(exc, "link", ""),
            Job.Status.FAILED,
        )
    with translation.override(job.language or None):
        text, data = text_of(message) if isinstance(message, Message) else (str(message), {})
    Job.objects.filter(pk=job.pk).update(
        status=status,
        message=text[:2000],
        message_data=data,
        result=result,
        link=link,
        finished_at=timezone.now(),
    )
    cache.delete(_key(job_id))


class JobFailed(Exception):
    """Raised by a job's function for an outcome that is a failure with details to keep (an import with bad rows:
    nothing written, every row's errors in the result)."""

    def __init__(self, message: str, *, result: dict, link: str = ""):
        super().__init__(message)
        self.message, self.result, self.link = message, result, link


UPLOADS = "job-uploads"


def start_with_file(kind: str, *, by, upload, params: dict) -> Job:
    """Keep an uploaded file where the worker reads it (the default storage, shared like the catalog import's
    files), then start the job with the file's path; the job's function takes the file with `take_upload`."""
    return start_with_files(kind, by=by, uploads={"file": upload}, params=params)


def start_with_files(kind: str, *, by, uploads: dict, params: dict) -> Job:
    """`start_with_file` for a job of several files: each upload kept, its path the param of its key (`lots_file`)
    and its name the key's `…name` param (`lots_filename`); all are removed when the job is not started."""
    kept: list[str] = []
    try:
        for key, upload in uploads.items():
            name = PurePath(upload.name or "upload").name
            path = default_storage.save(f"{UPLOADS}/{uuid.uuid4().hex}/{name}", upload)
            kept.append(path)
            params = {**params, key: path, f"{key}name": name}
        return start(kind, by=by, params=params)
    except BaseException:
        for path in kept:
            default_storage.delete(path)
        raise


def take_upload(path: str) -> bytes:
    """The kept upload's content; the file is removed (a job runs once)."""
    if not path.startswith(f"{UPLOADS}/"):
        raise ValidationFailed(_("文件不存在"), field="file", code=CommonError.FILE_MISSING)
    try:
        with default_storage.open(path, "rb") as stream:
            return stream.read()
    finally:
        default_storage.delete(path)


def import_outcome(report, *, done: str, link: str) -> tuple[str, dict, str]:
    """A background import's message, kept result (counts and bad rows) and link; a file with bad rows is a failed
    job whose result lists them."""
    result = report_result(report)
    if not report.ok:
        raise JobFailed(
            Message(gettext_noop("未导入：有 %(n)s 行错误"), {"n": len(report.error_rows)}), result=result, link=link
        )
    message = done if report.written else Message(gettext_noop("校验通过（仅校验，未写入）"))
    return message, result, link


def visible_to(user):
    if not getattr(user, "is_authenticated", False) or not user.organization_id:
        return Job.objects.none()
    return Job.objects.filter(organization_id=user.organization_id)


def status(job: Job) -> dict:
    """What the progress bar shows: percent (None while unknown), the step, and the outcome when done."""
    step = cache.get(_key(job.pk)) or {}
    if job.status == Job.Status.SUCCEEDED:
        percent = 100
    elif step.get("total"):
        percent = min(99, round(100 * step["done"] / step["total"]))
    else:
        percent = 0
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "done": job.done,
        "percent": percent,
        "step": step.get("label", ""),
        "message": job.message_text,
        "link": job.link,
    }
