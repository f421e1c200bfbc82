"""Settlement jobs started from a page (common.jobs)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.jobs import JobKind


def generate(*, month: str, by, report) -> tuple[str, dict, str]:
    from .services import statements_generate

    run = statements_generate(month=month, by=by, progress=report)
    message = f"{run.period:%Y-%m} 结算单已生成：新建 {run.statements_created} 张，明细 {run.lines_created} 行"
    return message, {"run": run.pk, "statements": run.statements_created}, (
        reverse("settlement:list") + f"?period={run.period:%Y-%m}")


JOBS = {"settlement.generate": JobKind(_("生成结算单"), "settlement.manage", generate)}
