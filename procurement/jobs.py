"""Procurement jobs started from a page (common.jobs)."""

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from common.jobs import JobFailed, JobKind, import_outcome, take_upload
from common.messages import Message

from .models import Tender
from .services import batch_results
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


def results_import(
    *,
    code: str,
    name: str,
    level: str,
    cycle_start: str,
    cycle_end: str,
    lots_file: str,
    lots_filename: str,
    file: str,
    filename: str,
    dry_run: bool = False,
    by,
    report,
) -> tuple[str, dict, str]:
    """A large results file (docs/national-batches.md): the same import as the page's, the report kept as the job's
    result; a file with bad rows fails the job, nothing written."""
    lots_content, results_content = take_upload(lots_file), take_upload(file)
    outcome = batch_results.batch_results_import(
        by=by,
        code=code,
        name=name,
        level=level,
        cycle_start=date.fromisoformat(cycle_start),
        cycle_end=date.fromisoformat(cycle_end),
        lots_content=lots_content,
        lots_filename=lots_filename,
        results_content=results_content,
        results_filename=filename,
        dry_run=dry_run,
        progress=report,
    )
    result = outcome.result()
    if not outcome.ok:
        bad = len(outcome.lots.error_rows) + len(outcome.results.error_rows)
        raise JobFailed(Message(gettext_noop("未导入：有 %(n)s 行错误"), {"n": bad}), result=result)
    if outcome.tender is None:
        return Message(gettext_noop("校验通过（仅校验，未写入）")), result, ""
    message = Message(gettext_noop("已导入中选结果，开始报量：%(code)s"), {"code": outcome.tender.code})
    return message, result, reverse("tenders:detail", args=[outcome.tender.pk])


JOBS = {
    "progress.compute": JobKind(_("重新计算完成进度"), "progress.compute", compute_progress),
    "tender.demand_import": JobKind(_("导入报量"), ("tender.report_demand", "tender.manage"), demand_import),
    "tender.results_import": JobKind(_("导入国家/联盟中选结果"), "tender.manage", results_import),
}
