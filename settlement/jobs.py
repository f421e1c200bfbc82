"""Settlement jobs started from a page (common.jobs)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.models import Region
from common.jobs import JobKind
from common.messages import Message

from . import cycle
from .errors import SettlementError, ValidationFailed
from .generation import ended_period
from .services.statements import statements_generate


def _pooling_region(code: str) -> Region:
    region = Region.objects.filter(code=code, level=Region.Level.LEAGUE_CITY).first()
    if region is None:
        raise ValidationFailed(
            _("统筹区代码 %(code)s 不存在") % {"code": code}, field="region", code=SettlementError.REGION_UNKNOWN
        )
    return region


def check_generate(params: dict) -> dict:
    """Before anything starts: the period has ended and the region, if any, is a pooling region."""
    period = ended_period(params.get("month", ""))
    checked = {"month": period.start.isoformat() if period.cycle != cycle.MONTHLY else f"{period.start:%Y-%m}"}
    if params.get("region"):
        checked["region"] = _pooling_region(params["region"]).code
    return checked


def generate(*, month: str, region: str = "", by, report) -> tuple[str, dict, str]:
    run = statements_generate(month=month, region=_pooling_region(region) if region else None, by=by, progress=report)
    message = Message(
        gettext_noop("%(period)s 结算单已生成：新建 %(statements)s 张，明细 %(lines)s 行"),
        {
            "period": cycle.period_containing(run.period).label,
            "statements": run.statements_created,
            "lines": run.lines_created,
        },
    )
    if run.region_id:
        message = Message("%(region)s %(message)s", {"region": run.region.name, "message": message})
    return (
        message,
        {"run": run.pk, "statements": run.statements_created},
        (reverse("settlement:list") + f"?period={run.period:%Y-%m}"),  # the month the period starts in
    )


JOBS = {"settlement.generate": JobKind(gettext_lazy("生成结算单"), "settlement.manage", generate, check_generate)}
