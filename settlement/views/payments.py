"""Payment pages: statements overdue or soon due, and the import of the fund's payment file."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import can, capability_required
from common import rules
from common.templatetags.display import due_in

from .. import selectors
from ..errors import CommonError, DomainError, ValidationFailed
from ..services import payments
from .exports import EXPORT_FORMATS, export


@capability_required("settlement.view")
def overdue_list(request):
    rows = selectors.overdue_statements(request.user)
    today = timezone.localdate()
    if request.GET.get("format") in EXPORT_FORMATS:
        return export(
            request.GET["format"],
            "overdue",
            _("逾期及 %(days)s 日内到期结算单") % {"days": rules.settlement().due_soon_days},
            [
                _("结算单号"),
                _("生产企业"),
                _("医疗机构"),
                _("月份"),
                _("状态"),
                _("审核金额"),
                _("已付"),
                _("付款期限"),
                _("到期情况"),
            ],
            [
                [
                    s.number,
                    s.manufacturer.name,
                    s.hospital.name,
                    f"{s.period:%Y-%m}",
                    s.get_status_display(),
                    s.approved_amount,
                    s.paid_amount,
                    s.payment_due_on.isoformat(),
                    due_in(s.payment_due_on, today),
                ]
                for s in rows
            ],
        )
    return render(
        request,
        "settlement/overdue.html",
        {
            "rows": rows[:500],
            "today": today,
            "due_soon_days": rules.settlement().due_soon_days,
            "can_manage": can(request.user, "settlement.manage"),
        },
    )


@capability_required("settlement.manage")
def payment_import(request):
    result = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationFailed(_("请选择文件"), field="file", code=CommonError.REQUIRED)
            result = payments.payments_import(
                rows=payments.read_payment_file(upload),
                file_name=upload.name,
                by=request.user,
                dry_run=bool(request.POST.get("dry_run")),
            )
            if result.ok:
                messages.success(
                    request,
                    _("校验通过，合计 %(t)s") % {"t": result.total}
                    if request.POST.get("dry_run")
                    else _("已入账，合计 %(t)s") % {"t": result.total},
                )
            else:
                messages.error(request, result.error)
        except DomainError as exc:
            messages.error(request, exc.message)
    return render(request, "settlement/payment_import.html", {"result": result, "headers": payments.PAYMENT_HEADERS})
