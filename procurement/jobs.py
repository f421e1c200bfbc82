"""Procurement jobs started from a page (common.jobs)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from common.jobs import JobKind, import_outcome, take_upload
from common.messages import Message

from .models import Tender
from .services import tender_demand_import as svc
from .services.progress import progress_compute_all


def compute_progress(*, by, report) -> tuple[str, dict, str]:
    run = progress_compute_all(progress=report)
    message = Message(
        gettext_noop("完成进度已重新计算：%(rows)s 行，新提醒 %(alerts)s 条（%(status)s）"),
        {"rows": run.rows, "alerts": run.alerts, "status": Message.label(run.Status(run.status).label)},
    )
    return message, {"run": run.pk, "status": run.status}, reverse("progress:dashboard")


def demand_import(*, tender: int, file: str, filename: str, dry_run: bool = False, by, report) -> tuple[str, dict, str]:
    content = take_upload(file)
    outcome = svc.demand_import(
        tender=Tender.objects.get(pk=tender),
        by=by,
        content=content,
        filename=filename,
        dry_run=dry_run,
        progress=report,
    )
    return import_outcome(
        outcome, done=Message(gettext_noop("报量已导入")), link=reverse("tenders:detail", args=[tender])
    )


JOBS = {
    "progress.compute": JobKind(_("重新计算完成进度"), "progress.compute", compute_progress),
    "tender.demand_import": JobKind(_("导入报量"), ("tender.report_demand", "tender.manage"), demand_import),
}
