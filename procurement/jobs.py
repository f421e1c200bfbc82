"""Procurement jobs started from a page (common.jobs)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.jobs import JobKind


def compute_progress(*, by, report) -> tuple[str, dict, str]:
    from .services.progress import progress_compute_all

    run = progress_compute_all(progress=report)
    message = f"完成进度已重新计算：{run.rows} 行，新提醒 {run.alerts} 条（{run.get_status_display()}）"
    return message, {"run": run.pk, "status": run.status}, reverse("progress:dashboard")


JOBS = {"progress.compute": JobKind(_("重新计算完成进度"), "progress.compute", compute_progress)}
