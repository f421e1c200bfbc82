"""Import jobs: an uploaded file, run inline when small or as a Celery task when large, its report kept.

The import itself runs in one database transaction, so its progress cannot be read from the job row while it
runs (nobody else sees the row change before the commit). Progress goes to the cache instead — Redis in
production, shared by the web processes and the workers — and the job row gets the final counts at the end.
"""

from __future__ import annotations

import codecs
import logging
import os
import tempfile
from pathlib import PurePath

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.paginator import Paginator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext

from accounts.permissions import can, require
from common.errors import ValidationFailed
from common.outbox import enqueue
from common.uploads import check_upload_size, file_size

from ..layouts import LAYOUTS, get_layout
from ..models import ImportJob
from .pipeline import import_file
from .report import ERROR, ImportReport, read_report
from .sources import FileProblem, estimate_rows

logger = logging.getLogger(__name__)

RUN_TASK = "catalog.run_import"
PROGRESS_TIMEOUT = 6 * 3600


def inline_max_rows() -> int:
    """Files up to this many rows are imported in the request; larger ones by a Celery task."""
    return int(getattr(settings, "CATALOG_IMPORT_INLINE_MAX_ROWS", 5000))


def _progress_key(job_id: int) -> str:
    return f"catalog-import-progress:{job_id}"


def import_jobs_visible_to(user):
    """Jobs are the import operators' working list: all of them for those who may import, none otherwise."""
    if not can(user, "catalog.import"):
        return ImportJob.objects.none()
    return ImportJob.objects.select_related("created_by")


def import_job_create(*, by, upload, layout: str, dry_run: bool = False) -> ImportJob:
    """Keep the uploaded file, then import it: inline when small, through the outbox and Celery when large."""
    require(by, "catalog.import")
    if layout not in LAYOUTS:
        raise ValidationFailed(gettext("未知的模板“%(layout)s”") % {"layout": layout}, field="layout")
    check_upload_size(file_size(upload))  # before the file is stored
    name = PurePath(upload.name or "upload").name
    job = ImportJob(layout=layout, original_name=name[:255], dry_run=dry_run, created_by=by)
    job.file.save(name, upload, save=False)
    job.save()
    try:
        with job.file.open("rb") as stream:
            estimated = estimate_rows(stream, name=name, layout=get_layout(layout))
    except FileProblem as exc:
        _finish(
            job, status=ImportJob.Status.FAILED, message=gettext("文件无法导入：%(message)s") % {"message": exc.message}
        )
        return job
    ImportJob.objects.filter(pk=job.pk).update(total_rows=estimated or 0)
    if estimated is not None and estimated <= inline_max_rows():
        import_job_run(job_id=job.pk)
    else:
        with transaction.atomic():
            enqueue(
                RUN_TASK,
                kwargs={"job_id": job.pk, "language": get_language() or ""},
                dedupe_key=f"catalog-import:{job.pk}",
            )
    job.refresh_from_db()
    return job


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run a job. Idempotent: a finished job is left alone; one left running by a crashed worker starts over
    (its transaction was rolled back with the crash, so nothing of it was written)."""
    claimed = ImportJob.objects.filter(
        pk=job_id, status__in=(ImportJob.Status.PENDING, ImportJob.Status.RUNNING)
    ).update(status=ImportJob.Status.RUNNING, started_at=timezone.now(), processed_rows=0)
    if not claimed:
        return None
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)

    def progress(processed: int, total: int | None, counts: dict) -> None:
        cache.set(
            _progress_key(job_id),
            {"processed": processed, "total": total or job.total_rows, "counts": counts},
            PROGRESS_TIMEOUT,
        )

    handle, report_path = tempfile.mkstemp(prefix="catalog-import-", suffix=".csv")
    try:
        with open(handle, "w", encoding="utf-8-sig", newline="") as stream:
            report = ImportReport(stream=stream)
            with job.file.open("rb") as source:
                result = import_file(
                    source,
                    name=job.original_name,
                    layout=job.layout,
                    dry_run=job.dry_run,
                    by=job.created_by,
                    report=report,
                    progress=progress,
                    reason=f"目录导入 #{job.pk}：{job.original_name}",
                )
        with open(report_path, "rb") as saved:
            job.report_file.save(f"import-{job.pk}-report.csv", File(saved), save=False)
    except Exception as exc:  # recorded on the job for the operator; the import itself was rolled back
        logger.exception("catalog import job %s failed", job_id)
        _finish(
            job,
            status=ImportJob.Status.ERROR,
            message=(gettext("处理失败：%(kind)s：%(exc)s") % {"kind": type(exc).__name__, "exc": exc})[:2000],
        )
        return job
    finally:
        os.unlink(report_path)
    job.total_rows = job.processed_rows = result.rows
    job.counts = result.counts
    job.error_count = result.error_count
    _finish(job, status=ImportJob.Status.SUCCEEDED if result.ok else ImportJob.Status.FAILED, message=result.summary())
    return job


def _finish(job: ImportJob, *, status: str, message: str) -> None:
    job.status = status
    job.message = message
    job.finished_at = timezone.now()
    job.save()
    cache.delete(_progress_key(job.pk))


def import_job_progress(job: ImportJob) -> dict:
    """What the job page's progress bar shows; live numbers from the cache while the job runs."""
    processed, total, counts = job.processed_rows, job.total_rows, dict(job.counts or {})
    running = job.status in (ImportJob.Status.PENDING, ImportJob.Status.RUNNING)
    if running:
        live = cache.get(_progress_key(job.pk))
        if live:
            processed, total, counts = live["processed"], live["total"] or total, live["counts"]
    percent = min(100, round(processed * 100 / total)) if total else (0 if running else 100)
    return {
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "done": not running,
        "processed": processed,
        "total": total,
        "percent": percent,
        "counts": counts,
        "error_count": counts.get(ERROR, job.error_count) if running else job.error_count,
        "message": job.message,
    }


class _ReportLines:
    """The lines of a saved report as a sequence a Paginator can page through without loading the file."""

    def __init__(self, job: ImportJob, status: str):
        self.job = job
        self.status = status
        self._count: int | None = None

    def _lines(self):
        if not self.job.report_file:
            return
        with self.job.report_file.open("rb") as raw:
            yield from read_report(codecs.iterdecode(raw, "utf-8-sig"), status=self.status)

    def __len__(self) -> int:
        if self._count is None:
            self._count = sum(1 for _ in self._lines())
        return self._count

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("report lines are read by page")
        start, stop = index.start or 0, index.stop
        out = []
        for position, line in enumerate(self._lines()):
            if stop is not None and position >= stop:
                break
            if position >= start:
                out.append(line)
        return out


def import_job_report_page(job: ImportJob, *, status: str = "", page: int | str | None = 1, per_page: int = 100):
    return Paginator(_ReportLines(job, status), per_page).get_page(page)


def import_job_report_lines(job: ImportJob, *, status: str = ""):
    """Lines of the kept report, streamed from the file (e.g. only the errors, for the error report)."""
    return _ReportLines(job, status)._lines()
