"""Price-monitoring jobs started from a page (common.jobs)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.jobs import JobKind


def scan(*, by, report, full: bool = False) -> tuple[str, dict, str]:
    from .services.observations import observations_backfill_receipts
    from .services.scan import price_scan_run

    report(0, 2, "回补入库价格")
    observations_backfill_receipts()
    report(1, 2, "运行检测器")
    result = price_scan_run(full=full)
    message = f"价格扫描完成：新增 {result.alerts_opened} 条，更新 {result.alerts_updated} 条预警"
    return message, {"scan": result.pk, "opened": result.alerts_opened}, reverse("pricing:alert-list")


JOBS = {"pricing.scan": JobKind(_("价格扫描"), "pricing.scan", scan)}
