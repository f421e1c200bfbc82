"""Price-monitoring jobs started from a page (common.jobs)."""

from django.urls import reverse
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from common.jobs import JobKind, import_outcome, take_upload
from common.messages import Message

from .services import imports as svc
from .services.observations import observations_backfill_receipts
from .services.scan import price_scan_run


def scan(*, by, report, full: bool = False) -> tuple[str, dict, str]:

    report(0, 2, gettext("回补入库价格"))
    observations_backfill_receipts()
    report(1, 2, gettext("运行检测器"))
    result = price_scan_run(full=full)
    message = Message(
        gettext_noop("价格扫描完成：新增 %(opened)s 条，更新 %(updated)s 条预警"),
        {"opened": result.alerts_opened, "updated": result.alerts_updated},
    )
    return message, {"scan": result.pk, "opened": result.alerts_opened}, reverse("pricing:alert-list")


def price_import(*, kind: str, file: str, filename: str, dry_run: bool = False, by, report) -> tuple[str, dict, str]:

    content = take_upload(file)
    if kind == "references":
        outcome = svc.reference_prices_import(
            content=content, filename=filename, by=by, dry_run=dry_run, progress=report
        )
    else:
        outcome, _batch = svc.observations_import(
            content=content, filename=filename, by=by, dry_run=dry_run, progress=report
        )
    return import_outcome(outcome, done=Message(gettext_noop("导入成功")), link=reverse("pricing:imports"))


JOBS = {
    "pricing.scan": JobKind(_("价格扫描"), "pricing.scan", scan),
    "pricing.import": JobKind(_("价格数据导入"), "pricing.import", price_import),
}
